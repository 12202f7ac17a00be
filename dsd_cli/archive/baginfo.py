"""The fields of a dossier bag's bag-info.txt: RFC 8493 reserved fields, then dsd's retention fields.

A bag copied anywhere must still say whose it is, which dossier it holds and when it may be disposed of, without
dsd: that is why retention lives here and not only in the profile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dsd_cli import __version__
from dsd_cli.archive.record import BagRecord
from dsd_cli.archive.retention import DossierRetention
from dsd_cli.profiles import DISPOSITIONS, Profile

# Fields written even when empty, so a reader sees that the date is unknown rather than forgotten.
ALWAYS_WRITTEN = ("Retention-Trigger-Date", "Disposition-Due-Date")
RETENTION_KEYS = ("Retention-Rule-Id", "Selection-List-Version", "Retention-Period", "Retention-Trigger",
                  "Retention-Trigger-Date", "Disposition", "Disposition-Due-Date", "Legal-Hold", "Competence",
                  "Retention-Note")


def human_size(size: int) -> str:
    """Bag-Size in the style of RFC 8493's example ("260 GB")."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"  # pragma: no cover - loop always returns


def retention_values(fields: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """The retention fields of a bag-info, as bag-info.txt writes them (one line each)."""
    values: dict[str, list[str]] = {}
    for key, value in fields:
        if key in RETENTION_KEYS:
            values.setdefault(key, []).append(" ".join(value.split()))
    return values


def retention_differs(current: Sequence[tuple[str, str]], computed: Sequence[tuple[str, str]]) -> bool:
    """Whether the retention fields computed now differ from those a bag's bag-info.txt holds."""
    old, new = retention_values(current), retention_values(computed)
    return any(old.get(key, []) != new.get(key, []) for key in RETENTION_KEYS)


def bag_info_fields(profile: Profile, dossier: str, record: BagRecord, retention: DossierRetention,
                    payload_bytes: int, payload_files: int, now: dt.datetime) -> list[tuple[str, str]]:
    """bag-info.txt as ordered (label, value) pairs; `Retention-Note` may repeat. Payload-Oxum, Bag-Size,
    Bagging-Date and DSD-Bag-Version are set again when the version is built (versions.build_version)."""
    org = profile.organization
    types = sorted({d.doc_type for d in record.documents})
    fields = [
        ("Source-Organization", org.name), ("Organization-Address", org.address),
        ("Contact-Name", org.contact_name), ("Contact-Email", org.contact_email),
        ("Contact-Phone", org.contact_phone), ("External-Identifier", dossier),
        ("External-Description", f"Dossier {dossier}: {len(record.documents)} document(s)"),
        ("Bagging-Date", now.date().isoformat()), ("Bag-Software-Agent", f"dsd {__version__}"),
        ("Payload-Oxum", f"{payload_bytes}.{payload_files}"), ("Bag-Size", human_size(payload_bytes)),
        ("Bag-Group-Identifier", f"{org.identifier or org.name} dossier archive"), ("Bag-Count", "1 of 1"),
        ("BagIt-Profile-Identifier", profile.profile.bagit_profile_identifier),
        ("DSD-Profile", profile.name), ("DSD-Profile-Version", profile.profile.version),
        ("DSD-Bag-Version", str(record.version)), ("Document-Types", " ".join(types)),
        ("Retention-Rule-Id", retention.rule_ids),
        ("Selection-List-Version", profile.retention.selection_list_version),
        ("Retention-Period", retention.period), ("Retention-Trigger", retention.trigger),
        ("Retention-Trigger-Date", retention.trigger_date.isoformat() if retention.trigger_date else ""),
        ("Disposition", retention.disposition), ("Disposition-Meaning", DISPOSITIONS[retention.disposition]),
        ("Disposition-Due-Date", retention.due_date.isoformat() if retention.due_date else ""),
        ("Legal-Hold", "yes" if retention.legal_hold else "no"), ("Competence", retention.competence),
    ]
    fields.extend(("Retention-Note", note) for note in retention.notes)
    return [(k, v) for k, v in fields if v != "" or k in ALWAYS_WRITTEN]
