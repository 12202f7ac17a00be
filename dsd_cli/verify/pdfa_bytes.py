"""The bytes at both ends of a PDF, as ISO 19005-2 6.1.2 and 6.1.3 require them: the header `%PDF-1.n` (n 0-7) at
byte 0 followed by one end-of-line, then a comment of at least four bytes above 127 (so that tools treat the file
as binary), and nothing after the last `%%EOF` but one end-of-line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TAIL = 1024
_HEADER = re.compile(rb"%PDF-1\.[0-7](\r\n|\r|\n)")
_BINARY_COMMENT = re.compile(rb"%[\x80-\xff]{4}")


@dataclass
class FileStructure:
    problems: list[str] = field(default_factory=list)
    unreadable: str = ""
    """Why the file cannot be read at all ('' when it can)."""


def file_structure(path: Path) -> FileStructure:
    found = FileStructure()
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            size = handle.seek(0, 2)
            handle.seek(max(0, size - TAIL))
            tail = handle.read()
    except OSError as exc:
        found.unreadable = f"cannot read: {exc.strerror}"
        return found
    if not size:
        found.unreadable = "the file is empty"
        return found
    header = _HEADER.match(head)
    if not head.startswith(b"%PDF-"):
        found.problems.append("the file does not start with the %PDF- header (PDF/A requires it at byte 0)")
    elif header is None:
        line = head.split(b"\n")[0].split(b"\r")[0][:16].decode("latin-1")
        found.problems.append(f"the header {line!r} is not '%PDF-1.n' (n from 0 to 7) followed by one end-of-line")
    elif not _BINARY_COMMENT.match(head, header.end()):
        found.problems.append("the header is not followed by a comment line of at least four bytes above 127")
    end = tail.rfind(b"%%EOF")
    if end >= 0 and tail[end + 5:] not in (b"", b"\n", b"\r\n", b"\r"):
        found.problems.append(f"{len(tail) - end - 5} bytes follow the last %%EOF marker")
    return found
