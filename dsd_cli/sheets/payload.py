"""The dsd payload carried by the QR code of a separator sheet or of an adhesive label.

Format (version 1), ASCII only, so it fits the QR code's byte mode in every reader:

    DSD1:<dossier>:<type>:<check>          a separator sheet (removed from the archive)
    DSD1:L:<dossier>:<type>:<check>        a label stuck on a page (the page is archived)

`<dossier>` and `<type>` are percent-encoded UTF-8 (every byte outside A-Z a-z 0-9 - _ . ~ is encoded, `:` and `/`
included), so the field count alone tells a label from a sheet, and `<check>` is the CRC-32 of everything before
it, as 8 upper-case hex digits (the label's `L` included: a sheet code can never be misread as a label). A misread or a
hand-made code with a wrong check never names a dossier: it is reported as an unreadable separator. Any text that
does not start with `DSD<digits>:` is not a dsd payload at all (an invoice's EPC payment code, a parcel barcode)
and is ignored.
"""

from __future__ import annotations

import re
import zlib
from urllib.parse import quote, unquote

from dsd_cli.errors import InputError
from dsd_cli.models import SeparatorPayload

PREFIX = "DSD"
VERSION = 1
LABEL_MARK = "L"
_PATTERN = re.compile(r"^DSD(?P<version>\d+):(?:(?P<label>L):)?(?P<dossier>[A-Za-z0-9%._~-]+)"
                      r":(?P<type>[A-Za-z0-9%._~-]+):(?P<check>[0-9A-F]{8})$")


def _check(text: str) -> str:
    return f"{zlib.crc32(text.encode('ascii')) & 0xFFFFFFFF:08X}"


def encode_payload(payload: SeparatorPayload) -> str:
    mark = f"{LABEL_MARK}:" if payload.label else ""
    body = f"{PREFIX}{VERSION}:{mark}{quote(payload.dossier, safe='')}:{quote(payload.doc_type, safe='')}"
    return f"{body}:{_check(body)}"


_CLAIM = re.compile(r"^DSD\d+:")


def is_dsd_text(text: str) -> bool:
    """True for anything that claims to be a dsd payload (valid or not): `DSD<version>:` and more.

    Text such as `DSD2024 rapport` on someone else's code is not a claim, so it can never block a split.
    """
    return bool(_CLAIM.match(text.strip()))


def decode_payload(text: str) -> SeparatorPayload | None:
    """The payload of a dsd sheet or label code (`label` tells which); None when `text` is not a dsd code at all.

    Raises InputError(reason='bad-separator') for a code that claims to be dsd's but is damaged or of an unknown
    version: such a page is a separator sheet dsd cannot trust, so its pages are kept unassigned.
    """
    text = text.strip()
    if not is_dsd_text(text):
        return None
    match = _PATTERN.match(text)
    if not match:
        raise InputError("separator code is malformed", reason="bad-separator")
    if int(match["version"]) != VERSION:
        raise InputError(f"separator code version {match['version']} is not supported by this dsd",
                         reason="bad-separator")
    body = text.rsplit(":", 1)[0]
    if _check(body) != match["check"]:
        raise InputError("separator code check digits do not match", reason="bad-separator")
    try:
        dossier = unquote(match["dossier"], errors="strict")
        doc_type = unquote(match["type"], errors="strict")
    except UnicodeDecodeError:
        raise InputError("separator code is not valid UTF-8", reason="bad-separator") from None
    return SeparatorPayload(dossier=dossier, doc_type=doc_type, version=VERSION, label=bool(match["label"]))


def separated_by(kind: str) -> str:
    """What started a document (a SeparatorRead's kind), in the words of a provenance event."""
    return {"dsd": "separator sheet", "label": "dsd label (archived as the document's first page) on",
            "patch-t": "PATCH-T separator sheet", "pattern": "barcode separator sheet"}.get(kind, f"{kind} separator")
