"""The PDF/A output intent (ISO 19005-2 6.2.3): only an OutputIntent whose S is GTS_PDFA1 is the PDF/A one (a
GTS_PDFX or ISO_PDFE1 intent does not count); its DestOutputProfile must be an ICC profile PDF 1.7 supports
(version 2 or 4) of an output or monitor device in RGB, CMYK or grey; every intent that has a DestOutputProfile must
use the same profile stream; DestOutputProfileRef is not allowed.

Whether a file needs a PDF/A output intent at all depends on what it paints (pdfa_render): only device-dependent
colour does.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import pikepdf

ICC_SPACES = {b"RGB ": "DeviceRGB", b"CMYK": "DeviceCMYK", b"GRAY": "DeviceGray"}
ICC_CLASSES = {b"prtr", b"mntr"}


@dataclass
class OutputIntent:
    present: bool = False
    """There is a GTS_PDFA1 output intent."""
    space: str = ""
    """The device space its profile describes ('DeviceRGB', 'DeviceCMYK', 'DeviceGray'; '' when unusable)."""
    problems: list[str] = field(default_factory=list)


def icc_header_problem(data: bytes) -> str:
    """Why `data` is not an ICC profile a PDF/A output intent may use ('' when it is)."""
    if len(data) < 128 or data[36:40] != b"acsp":
        return "is not an ICC profile"
    if struct.unpack(">I", data[:4])[0] > len(data):
        return "is truncated"
    if data[8] > 4:
        return f"is an ICC version {data[8]} profile (PDF/A-2 supports versions 2 and 4)"
    if data[12:16] not in ICC_CLASSES:
        return f"is of device class {data[12:16].decode('latin-1')!r} (an output or monitor profile is required)"
    if data[16:20] not in ICC_SPACES:
        return f"describes colour space {data[16:20].decode('latin-1').strip()!r} (RGB, CMYK or grey required)"
    return ""


def output_intent(pdf: pikepdf.Pdf) -> OutputIntent:
    found = OutputIntent()
    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array):
        return found
    profiles = set()
    for intent in intents:
        if not isinstance(intent, pikepdf.Dictionary):
            continue
        profile = intent.get("/DestOutputProfile")
        if isinstance(profile, pikepdf.Stream):
            profiles.add(profile.objgen if profile.is_indirect else id(profile))
        if "/DestOutputProfileRef" in intent:
            found.problems.append("an output intent refers to an external profile (DestOutputProfileRef)")
        if intent.get("/S") != "/GTS_PDFA1":
            continue
        found.present = True
        if not isinstance(profile, pikepdf.Stream):
            found.problems.append("the GTS_PDFA1 output intent has no embedded ICC profile (DestOutputProfile)")
            continue
        try:
            data = profile.read_bytes()
        except pikepdf.PdfError as exc:
            found.problems.append(f"the GTS_PDFA1 output intent's ICC profile cannot be decoded: {exc}")
            continue
        why = icc_header_problem(data)
        if why:
            found.problems.append(f"the GTS_PDFA1 output intent's profile {why}")
        elif not found.space:
            found.space = ICC_SPACES[data[16:20]]
    if len(profiles) > 1:
        found.problems.append("the output intents use different ICC profiles (PDF/A requires one and the same)")
    return found
