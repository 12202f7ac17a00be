"""`dsd verify`: check archives, bags and PDFs — fixity, completeness, signatures, PDF/A claims, profile rules.

`verify_paths` classifies each path (a PDF, a bag, or an archive folder of bags), runs every check and returns a
VerifyReport whose problems each name a check, a path and a severity. Nothing here changes what it verifies.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.audit import verify_audit_log
from dsd_cli.errors import InputError
from dsd_cli.models import Problem, VerifyReport
from dsd_cli.pipeline.layout import RESERVED_NAMES
from dsd_cli.profiles import Profile, load_profile
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.verify.bagcheck import check_bag, inventory
from dsd_cli.verify.dsdrules import check_dsd_bag


@dataclass(frozen=True)
class VerifyOptions:
    workers: int = 0
    """Hashing threads (0: one per core)."""
    fast: bool = False
    """Presence and Payload-Oxum only: no checksums, signatures or PDF/A checks."""
    trust_roots: tuple[Path, ...] = ()
    profile: Profile | None = None
    """The dsd profile for dsd bags; None: the default profile."""
    require_signatures: bool | None = None
    """None: as the profile says (signing.required) for dsd bags; never for other bags."""
    allow_demo_trust: bool = True
    """Accept dsd demo signatures with a warning (signature.demo-trust) instead of an error."""


def _pdf_checks(pdf: Path, display: str, bag: str, options: VerifyOptions, require_signature: bool
                ) -> tuple[list[Problem], list[dict[str, Any]]]:
    # pikepdf and pyHanko load only when there are PDFs to check.
    from dsd_cli.signing.inspect import inspect_signatures
    from dsd_cli.verify.pdfcheck import check_pdfa

    problems, _claim = check_pdfa(pdf, display, bag)
    if any(p.check == "pdf.unreadable" for p in problems):
        return problems, []
    try:
        signatures = inspect_signatures(pdf, options.trust_roots, allow_demo=options.allow_demo_trust)
    except InputError as exc:
        return [*problems, Problem(display, "pdf.unreadable", exc.message, "error", bag)], []
    details = []
    real = [s for s in signatures if not s.docts]
    if require_signature and not real:
        problems.append(Problem(display, "signature.missing", "the profile requires a signature; none found",
                                "error", bag))
    for sig in signatures:
        details.append({"path": display, "field": sig.field_name, "signer": sig.signer,
                        "signing_time": sig.signing_time, "level": sig.level, "trusted": sig.trusted,
                        "demo": sig.demo, "covers_current_file": sig.covers_current_file,
                        "coverage": sig.coverage, "modification_level": sig.modification_level})
        what = f"signature {sig.field_name or '(unnamed)'}"
        if not sig.intact or not sig.valid:
            problems.append(Problem(display, "signature.invalid", f"{what}: {'; '.join(sig.problems)}", "error",
                                    bag))
            continue
        if not sig.covers_current_file:
            problems.append(Problem(display, "signature.modified",
                                    f"{what} does not cover the current file: it was changed after signing "
                                    f"({sig.coverage}, {sig.modification_level or 'unknown changes'})", "error",
                                    bag))
        if sig.demo and sig.trusted:
            problems.append(Problem(display, "signature.demo-trust",
                                    f"{what} was made with a dsd DEMO key — not for production", "warning", bag))
        elif not sig.trusted:
            problems.append(Problem(display, "signature.untrusted",
                                    f"{what} by {sig.signer!r} does not chain to a trusted root (--trust)",
                                    "error", bag))
    return problems, details


def _verify_bag(bag: Path, label: str, options: VerifyOptions, progress: ProgressReporter,
                report: VerifyReport, files: tuple[dict[str, int], list[str]]) -> None:
    result = check_bag(bag, label, fast=options.fast, workers=options.workers or os.cpu_count(),
                       on_bytes=lambda n: progress.advance("verify", n), files=files)
    report.problems += result.problems
    report.checked["bags"] = report.checked.get("bags", 0) + 1
    report.checked["files"] = report.checked.get("files", 0) + result.files
    report.checked["bytes"] = report.checked.get("bytes", 0) + result.bytes
    if not result.version or options.fast:
        return
    is_dsd = bool(result.info.get("DSD-Profile"))
    profile = options.profile or (load_profile() if is_dsd else None)
    if is_dsd:
        report.problems += check_dsd_bag(bag, label, result.info, result.manifest_sha256, result.payload)
    require = bool(is_dsd and profile and profile.signing.required)
    if options.require_signatures is not None:
        require = options.require_signatures and is_dsd
    for rel in result.payload:
        if not rel.lower().endswith(".pdf"):
            continue
        problems, details = _pdf_checks(bag / rel, f"{label}/{rel}", label, options, require)
        report.problems += problems
        report.details.setdefault("signatures", []).extend(details)
        report.checked["pdfs"] = report.checked.get("pdfs", 0) + 1
        report.checked["signatures"] = report.checked.get("signatures", 0) + len(details)


def verify_paths(paths: Sequence[Path], options: VerifyOptions = VerifyOptions(),
                 progress: ProgressReporter | None = None) -> VerifyReport:
    progress = progress or NullProgress()
    report = VerifyReport(ok=True)
    work: list[tuple[Path, str]] = []
    pdfs: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder", reason="missing")
        if path.is_file():
            if path.suffix.lower() != ".pdf":
                raise InputError(f"{path}: dsd verifies bags, archive folders and PDF files", reason="unsupported")
            pdfs.append(path)
        elif (path / "bagit.txt").exists():
            work.append((path, path.name))
        else:
            bags = 0
            for child in sorted(path.iterdir()):
                if child.name in RESERVED_NAMES:
                    continue
                if child.is_dir() and (child / "bagit.txt").exists():
                    work.append((child, child.name))
                    bags += 1
                elif child.is_dir():
                    report.problems.append(Problem(child.name, "archive.not-a-bag",
                                                   "folder in the archive is not a bag", "error"))
                else:
                    report.problems.append(Problem(child.name, "archive.stray-file",
                                                   "file in the archive outside any bag", "warning"))
            log = path / "audit" / "audit-log.jsonl"
            if log.exists():
                report.problems += verify_audit_log(log)
                report.checked["audit_logs"] = report.checked.get("audit_logs", 0) + 1
            if bags == 0:
                report.problems.append(Problem(path.name, "archive.empty", "no bags found", "warning"))
    inventories = {bag: inventory(bag) for bag, _ in work}
    progress.start("verify", None if options.fast else sum(sum(f.values()) for f, _ in inventories.values()),
                   "bytes")
    for bag, label in work:
        _verify_bag(bag, label, options, progress, report, inventories[bag])
    progress.finish("verify")
    for pdf in pdfs:
        problems, details = _pdf_checks(pdf, pdf.name, "", options, bool(options.require_signatures))
        report.problems += problems
        report.details.setdefault("signatures", []).extend(details)
        report.checked["pdfs"] = report.checked.get("pdfs", 0) + 1
    report.ok = not any(p.severity == "error" for p in report.problems)
    return report


__all__ = ["VerifyOptions", "verify_paths"]
