"""`dsd export` end to end: select, build the bag, serialise, encrypt, and record the export in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.archive.session import ArchiveSession, require_archive
from dsd_cli.errors import UsageError
from dsd_cli.export.build import FORMATS, ExportResult, build_export
from dsd_cli.export.package import encrypt, parse_recipients, private_folder, serialise
from dsd_cli.export.select import Criteria
from dsd_cli.fsutil import sha256_file


@dataclass(frozen=True)
class ExportOutcome:
    output: Path
    """What was written: the bag folder, the zip/tar file, or the encrypted file."""
    kind: str
    """bag, zip, tar, zip+age or tar+age"""
    result: ExportResult
    sha256: str
    """SHA-256 of the written file ('' for a bag folder)."""
    export_format: str = "bag"
    """bag, or e-ark (an E-ARK SIP inside the bag)"""


def bag_name(output: Path) -> str:
    """The export bag's folder name: the output's name without .age, .zip and .tar."""
    name = output.name
    for suffix in (".age", ".zip", ".tar"):
        name = name.removesuffix(suffix)
    if not name or name.startswith("."):
        raise UsageError(f"{output}: choose an output name such as export-2026-11.zip")
    return name


def run_export(archive: Path, criteria: Criteria, output: Path, *, fmt: str | None = None,
               encrypt_to: Sequence[str] = (), lang: str = "nl", export_format: str = "bag",
               now: dt.datetime | None = None) -> ExportOutcome:
    """`fmt`: None (a bag folder), zip or tar; `export_format`: what the bag holds (see build.FORMATS)."""
    if export_format not in FORMATS:
        raise UsageError(f"--format {export_format!r}: choose {' or '.join(FORMATS)}")
    require_archive(archive)
    recipients = parse_recipients(encrypt_to) if encrypt_to else []
    if recipients and fmt is None:
        fmt = "zip"
    if output.exists():
        raise UsageError(f"{output} already exists; dsd does not overwrite an export")
    if output.resolve().is_relative_to(archive.resolve()):
        raise UsageError("the export must be written outside the archive")
    with ArchiveSession.open(archive) as session:
        if fmt is None:
            result = build_export(archive, criteria, output, lang=lang, fmt=export_format, now=now)
            kind, digest = "bag", ""
        else:
            with private_folder(output) as work:
                result = build_export(archive, criteria, work / bag_name(output), lang=lang, fmt=export_format,
                                      now=now)
                if recipients:
                    plain = serialise(result.bag, work / f"{bag_name(output)}.{fmt}", fmt)
                    encrypt(plain, output, recipients)
                    kind = f"{fmt}+age"
                else:
                    serialise(result.bag, output, fmt)
                    kind = fmt
            digest = sha256_file(output)
        session.audit("export", detail={
            "kind": kind, "format": export_format, "criteria": criteria.as_dict(), "documents": result.documents,
            "bytes": result.bytes,
            "dossiers": sorted({r["dossier"] for r in result.rows}), "sha256": digest})
    return ExportOutcome(output=output, kind=kind, result=result, sha256=digest, export_format=export_format)
