"""The dossier register: a CSV export from the social service's case system.

Columns (header names, case-insensitive; only `dossier` is required):
  dossier        dossier number as printed on separator sheets
  client         client or family reference shown to the desk clerk on separator sheets (never in file names)
  team           team or service that owns the dossier
  opened         ISO date the dossier was opened
  closed         ISO date the dossier was closed (empty while active)
  legal_hold     yes/no (or 1/0, true/false): disposal is suspended
  nrn            national register number (rijksregisternummer), validated with its mod-97 check, never logged

The register validates dossier numbers read from separator sheets and supplies retention trigger dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.errors import ConfigError
from dsd_cli.safepaths import normalise_dossier

KNOWN_COLUMNS = ("dossier", "client", "team", "opened", "closed", "legal_hold", "nrn")
_TRUE = {"yes", "ja", "oui", "true", "1", "y", "j"}
_FALSE = {"no", "nee", "non", "false", "0", "n", ""}


@dataclass(frozen=True)
class RegisterEntry:
    dossier: str
    client: str = ""
    team: str = ""
    opened: dt.date | None = None
    closed: dt.date | None = None
    legal_hold: bool = False
    nrn: str = ""
    """Digits only. Kept in memory for matching; dsd never writes it to file names or logs."""

    def __repr__(self) -> str:  # keep personal data out of tracebacks and logs
        return f"RegisterEntry(dossier={self.dossier!r})"


def valid_nrn(nrn: str) -> bool:
    """Check a Belgian national register number (11 digits) with its mod-97 check digits.

    People born from 2000 on have the digit 2 prefixed to the first nine digits before the check.
    """
    digits = re.sub(r"\D", "", nrn)
    if len(digits) != 11:
        return False
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - int("2" + digits[:9]) % 97)


class Register:
    def __init__(self, entries: dict[str, RegisterEntry], source: Path | None = None) -> None:
        self._entries = entries
        self.source = source

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, dossier: str) -> bool:
        return normalise_dossier(dossier) in self._entries

    def lookup(self, dossier: str) -> RegisterEntry | None:
        return self._entries.get(normalise_dossier(dossier))

    def entries(self) -> list[RegisterEntry]:
        return list(self._entries.values())


def _parse_date(value: str, where: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _parse_bool(value: str, where: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{where}: {value!r} is not yes/no")


def load_register(path: Path) -> Register:
    """Read a register CSV (UTF-8, comma or semicolon separated). Raises ConfigError naming row and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read register {path}: {exc}") from None
    dialect = csv.excel
    first_line = text.split("\n", 1)[0]
    if first_line.count(";") > first_line.count(","):
        dialect = csv.excel
        rows = csv.reader(text.splitlines(), delimiter=";")
    else:
        rows = csv.reader(text.splitlines(), dialect)
    header = [h.strip().lower() for h in next(rows, [])]
    if "dossier" not in header:
        raise ConfigError(f"{path}: the register needs a 'dossier' column", hint=f"columns: {', '.join(KNOWN_COLUMNS)}")
    unknown = [h for h in header if h not in KNOWN_COLUMNS]
    if unknown:
        raise ConfigError(f"{path}: unknown register column(s): {', '.join(unknown)}",
                          hint=f"columns: {', '.join(KNOWN_COLUMNS)}")
    entries: dict[str, RegisterEntry] = {}
    for line_no, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ConfigError(f"{path}, line {line_no}: {len(row)} fields, expected {len(header)}")
        cells = dict(zip(header, row, strict=True))
        dossier = normalise_dossier(cells["dossier"])
        where = f"{path.name}, line {line_no}"
        if not dossier:
            raise ConfigError(f"{where}: empty dossier number")
        if dossier in entries:
            raise ConfigError(f"{where}: dossier {dossier!r} appears twice")
        nrn = re.sub(r"\D", "", cells.get("nrn", ""))
        if nrn and not valid_nrn(nrn):
            # The number itself is personal data: name the line, never the value.
            raise ConfigError(f"{where}, column nrn: not a valid national register number (check digits)")
        entry = RegisterEntry(
            dossier=dossier,
            client=cells.get("client", "").strip(),
            team=cells.get("team", "").strip(),
            opened=_parse_date(cells.get("opened", ""), f"{where}, column opened"),
            closed=_parse_date(cells.get("closed", ""), f"{where}, column closed"),
            legal_hold=_parse_bool(cells.get("legal_hold", ""), f"{where}, column legal_hold"),
            nrn=nrn,
        )
        if entry.opened and entry.closed and entry.closed < entry.opened:
            raise ConfigError(f"{where}: closed date is before opened date")
        entries[dossier] = entry
    return Register(entries, source=path)
