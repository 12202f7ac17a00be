"""`dsd verify`: check archives, bags and PDFs — fixity, completeness, signatures, PDF/A claims, profile rules.

`verify_paths` classifies each path (a PDF, a bag, or an archive folder of bags), runs every check and returns a
VerifyReport whose problems each name a check, a path and a severity (docs/verification.md lists every check).
Nothing here changes what it verifies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsd_cli.archive.layout import AUDIT_DIR, RESERVED_NAMES
from dsd_cli.errors import ConfigError, InputError, UsageError
from dsd_cli.findings import Problem, VerifyReport
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.verify.bagcheck import BagResult, check_bag, inventory

if TYPE_CHECKING:  # profiles are loaded only for dsd bags; a plain bag's fixity needs none of it
    from dsd_cli.profiles import Profile
    from dsd_cli.verify.pdfverify import PdfJob

AUDIT_LOG = "audit-log.jsonl"
NOTHING_CHECKED = "verify.nothing-checked"
"""The check of a verification that found no bag, no PDF and no inventoried dossier."""


@dataclass(frozen=True)
class VerifyOptions:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    """Hashing threads and PDF-checking processes (0: one per core)."""
    fast: bool = False
    """Presence and Payload-Oxum only: no checksums, signatures, PDF/A or METS checks."""
    fixity_only: bool = False
    """BagIt validation only, as `bagit.py --validate`: every checksum of every manifest and tag manifest,
    completeness and Payload-Oxum (and the audit log's hash chain), but no dsd profile rules, METS, signatures or
    PDF checks."""
    trust_roots: tuple[Path, ...] = ()
    """Root certificates that signatures must chain to."""
    profile_trust_roots: bool = False
    """Also trust the roots of the profile's signing.trust_roots (`profile`, else the default profile). The profile
    is read only when a PDF is checked: a bag without PDFs is verified without loading any profile."""
    profile: Profile | None = None
    """The dsd profile whose rules apply to dsd bags; None: the profile each bag names (DSD-Profile), else the
    default profile."""
    require_signatures: bool | None = None
    """None: as the profile says (signing.required) for dsd bags, never for other bags or single PDFs."""
    validation_time: dt.datetime | None = None
    """When signatures are validated (None: now). A later time shows what a verifier will see then, offline."""
    allow_demo_trust: bool = True
    """Accept dsd DEMO signatures with a warning (signature.demo-trust) in single PDFs and in dsd bags whose METS
    records signing with the demo key (archives made without a real key). Elsewhere a demo signature is always
    signature.untrusted."""

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise UsageError(f"workers must be 0 (one per core) or more, not {self.workers}")
        if self.fast and self.fixity_only:
            raise UsageError("--fast (no hashing) and --fixity-only (hashing only) exclude each other")

    @property
    def mode(self) -> str:
        return "fast" if self.fast else "fixity-only" if self.fixity_only else "full"


@dataclass
class _Target:
    bags: list[tuple[Path, str]] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)


def _is_bag(folder: Path) -> bool:
    """A folder that claims to be a bag: a declaration, or manifests (a bag that lost its bagit.txt is still
    verified as a bag, and fails as one)."""
    return (folder / "bagit.txt").exists() or any(folder.glob("manifest-*.txt"))


def _collect(paths: Sequence[Path], report: VerifyReport) -> _Target:
    """What to verify; findings about the archive folders themselves go straight into the report."""
    target = _Target()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{path}: no such file or folder", reason="missing")
        if path.is_file():
            if path.suffix.lower() != ".pdf":
                raise InputError(f"{path}: dsd verifies bags, archive folders and PDF files", reason="unsupported")
            if not os.access(path, os.R_OK):
                raise InputError(f"{path}: cannot be read", reason="unreadable")
            target.pdfs.append(path)
            continue
        if not path.is_dir():
            raise InputError(f"{path}: not a file or folder dsd can verify", reason="unsupported")
        if _is_bag(path):
            target.bags.append((path, path.resolve().name))  # '.' has no name of its own
            continue
        try:
            children = sorted(path.iterdir())
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})", reason="unreadable") from None
        bags = 0
        for child in children:
            if child.name in RESERVED_NAMES:
                continue
            if child.is_dir() and not child.is_symlink() and _is_bag(child):
                target.bags.append((child, child.name))
                bags += 1
            elif child.is_symlink():
                report.problems.append(Problem(child.name, "archive.symlink",
                                               "symbolic link in the archive; not followed", "error"))
            elif child.is_dir():
                report.problems.append(Problem(child.name, "archive.not-a-bag",
                                               "folder in the archive is not a bag", "error"))
            else:
                report.problems.append(Problem(child.name, "archive.stray-file",
                                               "file in the archive outside any bag", "warning"))
        _audit_hook(path, report)
        _archive_hook(path, report)
        _search_index_hook(path, report)
        if bags == 0:
            report.problems.append(Problem(path.resolve().name, "archive.empty", "no bags found", "warning"))
    return target


def _audit_hook(archive: Path, report: VerifyReport) -> None:
    """The archive's hash-chained audit log (dsd_cli.audit owns the format and its check)."""
    log = archive / AUDIT_DIR / AUDIT_LOG
    if not log.is_file():
        return
    from dsd_cli.audit import verify_audit_log

    display = f"{AUDIT_DIR}/{AUDIT_LOG}"
    try:
        report.problems += verify_audit_log(log, display)
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(Problem(display, "audit.malformed", f"the audit log cannot be read: {exc}"))
    _count(report, "audit_logs")


def _search_index_hook(archive: Path, report: VerifyReport) -> None:
    """The archive's search index holds nothing that was disposed of (dsd_cli.verify.searchindex)."""
    from dsd_cli.verify.searchindex import check_search_index

    problems, checked = check_search_index(archive)
    report.problems += problems
    if checked:
        _count(report, "index_disposals", checked)


def _archive_hook(archive: Path, report: VerifyReport) -> None:
    """The archive inventory against the bags and the audit log (verify/archivecheck.py)."""
    from dsd_cli.verify.archivecheck import check_archive

    findings = check_archive(archive)
    report.problems += findings.problems
    if findings.inventory:
        _count(report, "inventories")
        _count(report, "inventoried_dossiers", findings.dossiers)


def _nothing_checked(paths: Sequence[Path], report: VerifyReport) -> None:
    """A verdict must have checked something: no bag, no PDF and no dossier of an inventory is a failure of its
    own."""
    if not any(report.checked.get(key) for key in ("bags", "pdfs", "inventoried_dossiers")):
        names = ", ".join(str(p) for p in paths)
        report.problems.append(Problem(names, NOTHING_CHECKED, "no bag and no PDF found: nothing was verified "
                                       "(an empty folder, loose files, or not the archive folder?)"))


def _count(report: VerifyReport, key: str, amount: int = 1) -> None:
    report.checked[key] = report.checked.get(key, 0) + amount


def _profile_for(result: BagResult, options: VerifyOptions, label: str, report: VerifyReport,
                 loaded: dict[str, Profile | None]) -> Profile:
    """The profile whose rules apply to a dsd bag; profiles are loaded once per run (`loaded`)."""
    if options.profile is not None:
        return options.profile
    from dsd_cli.profiles import load_profile

    name = result.info.get("DSD-Profile", [""])[0]
    if name not in loaded:
        try:
            loaded[name] = load_profile(name or None)
        except ConfigError:
            loaded[name] = None
    profile = loaded[name]
    if profile is None:
        report.problems.append(Problem(f"{label}/bag-info.txt", "profile.unknown",
                                       f"the bag names profile {name!r}, which is not installed here; the "
                                       "default profile's rules were applied", "warning", label))
        profile = loaded.get("") or load_profile()
        loaded[""] = profile
    return profile


def _check_bags(bags: list[tuple[Path, str]], inventories: dict[Path, tuple[dict[str, int], list[str]]],
                options: VerifyOptions, progress: ProgressReporter) -> list[BagResult]:
    """BagIt checks of every bag, in bag order. A big bag (a large share of all bytes) has its files hashed in
    parallel; small bags (a dossier holds a few MB, too little to spread over cores) go one thread per bag."""
    workers = options.workers or os.cpu_count() or 1

    def one(index: int, per_bag: int) -> BagResult:
        bag, label = bags[index]
        return check_bag(bag, label, fast=options.fast, workers=per_bag,
                         on_bytes=lambda n: progress.advance("verify", n), files=inventories[bag])

    sizes = [sum(inventories[bag][0].values()) for bag, _ in bags]
    share = sum(sizes) / (2 * workers)
    big = [i for i, size in enumerate(sizes) if workers == 1 or len(bags) < 2 * workers or size >= share]
    results: dict[int, BagResult] = {i: one(i, workers) for i in big}
    small = [i for i in range(len(bags)) if i not in results]
    if small:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results.update(zip(small, pool.map(lambda i: one(i, 1), small), strict=True))
    return [results[i] for i in range(len(bags))]


def _trust_roots(options: VerifyOptions) -> tuple[str, ...]:
    """The trust roots for signatures; an unreadable profile root is an InputError (exit code 4)."""
    roots = options.trust_roots
    if options.profile_trust_roots:
        from dsd_cli.profiles import load_profile

        named = tuple(Path(p) for p in (options.profile or load_profile()).signing.trust_roots)
        for root in named:
            if not root.is_file():
                raise InputError(f"{root}: no such trust root certificate (the profile's signing.trust_roots)",
                                 reason="missing")
        roots += named
    return tuple(str(p) for p in roots)


def _checks_pdfs(options: VerifyOptions, results: Sequence[BagResult], pdfs: Sequence[Path]) -> bool:
    """Whether any PDF will be checked: single PDFs unless --fixity-only, a bag's PDFs only in a full check."""
    if options.fixity_only:
        return False
    return bool(pdfs) or (not options.fast and any(rel.lower().endswith(".pdf")
                                                   for result in results for rel in result.payload))


def _after_bagit(bag: Path, label: str, result: BagResult, options: VerifyOptions, report: VerifyReport,
                 pdf_jobs: list[PdfJob], profiles: dict[str, Profile | None], roots: tuple[str, ...]) -> None:
    """Record one bag's BagIt result; then the dsd rules, and the PDFs to check."""
    report.problems += result.problems
    _count(report, "bags")
    _count(report, "files", result.files)
    _count(report, "bytes", result.bytes)
    is_dsd = bool(result.info.get("DSD-Profile"))
    report.details.setdefault("bags", []).append({
        "bag": label, "path": str(bag), "bagit_version": result.version, "dsd": is_dsd,
        "files": result.files, "bytes": result.bytes,
        "ok": not any(p.severity == "error" for p in result.problems)})
    if not result.version or options.fast or options.fixity_only:
        return
    require = demo = False
    pdfa_part = level = required = ""
    if is_dsd:
        from dsd_cli.verify.dsdrules import check_dsd_bag  # lxml and the signing constants: dsd bags only

        profile = _profile_for(result, options, label, report, profiles)
        findings = check_dsd_bag(bag, label, result, profile)
        report.problems += findings.problems
        require = profile.signing.required if options.require_signatures is None else options.require_signatures
        # Demo trust only where the bag itself records signing with dsd's demo key.
        demo = options.allow_demo_trust and findings.demo_signing
        pdfa_part, level = _profile_levels(result, profile)
        required = _pdfa_part(profile.ocr.output_type)
    pdfs = [rel for rel in result.payload if rel.lower().endswith(".pdf")]
    if pdfs:
        from dsd_cli.verify.pdfverify import PdfJob  # a bag without PDFs is verified without the PDF checks' code

        pdf_jobs += [PdfJob(str(bag / rel), f"{label}/{rel}", label, roots, demo, bool(require), pdfa_part, level,
                            validation_time=options.validation_time, pdfa_required=required) for rel in pdfs]


def _pdfa_part(output_type: str) -> str:
    return "2" if output_type == "pdfa" else output_type.removeprefix("pdfa-")  # OCRmyPDF's 'pdfa' is PDF/A-2


def _profile_levels(result: BagResult, profile: Profile) -> tuple[str, str]:
    """The PDF/A part and signature level a bag made under this very profile version must show ('' : none)."""
    first = {k: v[0] for k, v in result.info.items() if v}
    if (first.get("DSD-Profile"), first.get("DSD-Profile-Version")) != (profile.name, profile.profile.version):
        return "", ""  # made under another profile or version: its settings may have differed
    level = profile.signing.level if profile.signing.enabled else ""
    return _pdfa_part(profile.ocr.output_type), level


def verify_paths(paths: Sequence[Path], options: VerifyOptions = VerifyOptions(),
                 progress: ProgressReporter | None = None) -> VerifyReport:
    """Verify archive folders, bags and PDF files. Raises InputError when a path cannot be used at all."""
    progress = progress or NullProgress()
    # One validation time for every signature of the run (and the report says which).
    moment = options.validation_time or dt.datetime.now(dt.UTC)
    options = dataclasses.replace(options, validation_time=moment)
    report = VerifyReport(ok=True, details={"mode": options.mode, "validation_time": moment.isoformat()})
    target = _collect(paths, report)
    inventories = {bag: inventory(bag) for bag, _ in target.bags}
    total = None if options.fast else sum(sum(sizes.values()) for sizes, _ in inventories.values())
    progress.start("verify", total, "bytes")
    results = _check_bags(target.bags, inventories, options, progress)
    progress.finish("verify")
    pdf_jobs: list[PdfJob] = []
    profiles: dict[str, Profile | None] = {}
    roots = _trust_roots(options) if _checks_pdfs(options, results, target.pdfs) else ()
    for (bag, label), result in zip(target.bags, results, strict=True):
        _after_bagit(bag, label, result, options, report, pdf_jobs, profiles, roots)
    if target.pdfs and not options.fixity_only:
        from dsd_cli.verify.pdfverify import PdfJob

        pdf_jobs += [PdfJob(str(pdf), pdf.name, "", roots, options.allow_demo_trust,
                            bool(options.require_signatures), validation_time=options.validation_time)
                     for pdf in target.pdfs]
    if pdf_jobs:
        progress.start("pdfs", len(pdf_jobs), "files")
        from dsd_cli.verify.pdfverify import check_pdfs

        checked = check_pdfs(pdf_jobs, options.workers or os.cpu_count() or 1, lambda: progress.advance("pdfs"))
        progress.finish("pdfs")
        signatures: list[dict[str, Any]] = report.details.setdefault("signatures", [])
        for problems, details in checked:
            report.problems += problems
            signatures += details
        _count(report, "pdfs", len(pdf_jobs))
        _count(report, "signatures", len(signatures))
    _nothing_checked(paths, report)
    report.ok = not any(p.severity == "error" for p in report.problems)
    return report


__all__ = ["VerifyOptions", "verify_paths"]
