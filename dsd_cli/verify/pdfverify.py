"""Check PDFs: PDF/A structure (pdfcheck) and signatures (dsd_cli.signing.inspect), mapped to named problems.

pyHanko's validation is pure Python, so many PDFs are checked in worker processes (a forkserver that has already
imported pikepdf and pyHanko: workers start in milliseconds); a few are checked in this process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsd_cli.errors import InputError
from dsd_cli.findings import Problem

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
PARALLEL_FROM = 128
"""Below this many PDFs, starting worker processes costs more than it saves (measured: the first worker is ready
after ~0.5 s; an archived PDF takes ~7-30 ms to check)."""


@dataclass(frozen=True)
class PdfJob:
    path: str
    display: str
    """Path shown in reports (relative to the verified archive, or the bag's name)."""
    bag: str
    trust_roots: tuple[str, ...]
    allow_demo: bool
    """Accept dsd demo signatures with a warning (dsd bags and single PDFs, unless turned off)."""
    require_signature: bool
    pdfa_part: str = ""
    """The PDF/A part that a bag made under this very profile version must claim ('2' for pdfa-2); '' for none."""
    signature_level: str = ""
    """The lowest PAdES level the bag's profile signs at ('B-T', ...); '' for no requirement."""
    validation_time: dt.datetime | None = None
    """When the signatures are validated (None: now)."""
    pdfa_required: str = ""
    """The PDF/A part the bag's profile archives: the PDF/A rules are errors even without a claim in the file.
    '' (foreign bags, single PDFs): only a file that claims PDF/A is held to the rules."""


PdfResult = tuple[list[Problem], list[dict[str, Any]]]


def check_pdf(job: PdfJob) -> PdfResult:
    """Problems of one PDF, and one details entry per signature (signer, time, level, trust and its basis,
    coverage)."""
    from dsd_cli.signing.inspect import DamagedPdf, inspect_signatures
    from dsd_cli.verify.pdfcheck import check_pdfa

    display, bag = job.display, job.bag
    problems, facts = check_pdfa(Path(job.path), display, bag, required_part=job.pdfa_required)
    if any(p.check == "pdf.unreadable" for p in problems):
        return problems, []
    if job.pdfa_part and facts.part != job.pdfa_part:
        problems.append(Problem(display, "pdfa.profile-part", f"the profile archives PDF/A-{job.pdfa_part}; this "
                                f"file claims {'PDF/A-' + facts.part if facts.part else 'no PDF/A part'}", "error",
                                bag))
    try:
        signatures = inspect_signatures(Path(job.path), [Path(p) for p in job.trust_roots],
                                        allow_demo=job.allow_demo, at=job.validation_time)
    except DamagedPdf as exc:
        return [*problems, *_damaged(exc.detail, facts, job)], []
    except InputError as exc:
        return [*problems, Problem(display, "pdf.unreadable", exc.message, "error", bag)], []
    except Exception as exc:  # a trust root that cannot be parsed, or a parser bug: unverifiable, not a crash
        return [*problems, Problem(display, "signature.invalid",
                                   f"the signatures cannot be checked: {type(exc).__name__}: {exc}", "error",
                                   bag)], []
    if job.require_signature and not [s for s in signatures if not s.docts]:
        problems.append(Problem(display, "signature.missing", "the profile requires a signature; none found",
                                "error", bag))
    details = []
    for sig in signatures:
        details.append({"path": display, "bag": bag, "field": sig.field_name, "signer": sig.signer,
                        "signing_time": sig.signing_time, "level": sig.level, "intact": sig.intact,
                        "valid": sig.valid, "trusted": sig.trusted, "demo": sig.demo,
                        "document_timestamp": sig.docts, "covers_current_file": sig.covers_current_file,
                        "coverage": sig.coverage, "modification_level": sig.modification_level,
                        "validation_time": sig.validation_time, "validation_basis": sig.validation_basis,
                        "revocation": sig.revocation, "ades_difference": sig.ades_difference,
                        "ades_reason": dict(sig.ades_reason),
                        "problems": list(sig.problems)})
        problems += _signature_problems(sig, job)
    return problems, details


def _damaged(detail: str, facts: Any, job: PdfJob) -> list[Problem]:
    """pyHanko cannot parse a file qpdf could read: a signature problem only when the file has signatures."""
    if facts.signatures:
        return [Problem(job.display, "signature.invalid", f"the file's signatures cannot be checked: pyHanko "
                        f"cannot parse the PDF ({detail})", "error", job.bag)]
    if facts.damaged:
        return []  # already reported as pdf.damaged, in qpdf's words
    return [Problem(job.display, "pdf.damaged", f"the file is damaged: pyHanko cannot parse it ({detail})",
                    "error", job.bag)]


def _signature_problems(sig: Any, job: PdfJob) -> list[Problem]:
    what = ("document timestamp" if sig.docts else "signature") + f" {sig.field_name or '(unnamed)'}"

    def problem(check: str, message: str, severity: str = "error") -> Problem:
        return Problem(job.display, check, message, severity, job.bag)

    if not sig.intact or not sig.valid:
        return [problem("signature.invalid", f"{what}: {'; '.join(sig.problems) or 'not intact or not valid'}")]
    found = []
    if not sig.covers_current_file:
        found.append(problem("signature.modified", f"{what} does not cover the current file: it was changed after "
                                                   f"signing ({sig.coverage}, "
                                                   f"{sig.modification_level or 'unknown changes'})"))
    if job.signature_level in LEVELS and not sig.docts and (
            sig.level not in LEVELS or LEVELS.index(sig.level) < LEVELS.index(job.signature_level)):
        found.append(problem("signature.level", f"{what} reaches {sig.level or 'no PAdES level'}; the "
                                                        f"profile signs at {job.signature_level}"))
    if sig.demo and sig.trusted:
        found.append(problem("signature.demo-trust", f"{what} was made with a dsd DEMO key — not for production",
                             "warning"))
    elif sig.trusted and sig.ades_difference:
        found.append(problem("signature.basis", f"{what} is trusted on basis {sig.validation_basis} (validated at "
                             f"{sig.validation_time}); strict AdES validation differs: {sig.ades_difference}",
                             "warning"))
    elif sig.demo:
        found.append(problem("signature.untrusted", f"{what} was made with a dsd DEMO key and demo trust is off "
                                                    "here (--no-demo-trust, or a bag not made by dsd)"))
    elif not sig.trusted:
        found.append(problem("signature.untrusted", f"{what} by {sig.signer!r} does not chain to a trusted root "
                                                    "(--trust or the profile's signing.trust_roots)"))
    return found


def _quiet_worker() -> None:
    # pyHanko logs a traceback for every untrusted certificate; the findings are reported as problems instead.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


def _alive() -> bool:
    return True


def _serial(jobs: Sequence[PdfJob], on_done: Callable[[], None] | None, check: Callable[[PdfJob], PdfResult]
            ) -> list[PdfResult]:
    results = []
    for job in jobs:
        results.append(check(job))
        if on_done:
            on_done()
    return results


def _isolated(job: PdfJob, context: BaseContext, check: Callable[[PdfJob], PdfResult]) -> PdfResult:
    """Check one PDF in a process of its own: if a hostile file crashes the parser, only that file fails."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_quiet_worker) as pool:
            return pool.submit(check, job).result()
    except BrokenProcessPool:
        return [Problem(job.display, "pdf.unreadable", "the PDF made the PDF parser crash", "error", job.bag)], []


def check_pdfs(jobs: Sequence[PdfJob], workers: int, on_done: Callable[[], None] | None = None,
               parallel_from: int = PARALLEL_FROM, check: Callable[[PdfJob], PdfResult] = check_pdf
               ) -> list[PdfResult]:
    """Results in the order of `jobs`. A worker that dies (a parser crash) costs only the PDFs it was checking:
    they are checked again one per process, and the one that crashes again is reported as pdf.unreadable."""
    if workers <= 1 or len(jobs) < parallel_from:
        return _serial(jobs, on_done, check)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dsd_cli.verify.pdfcheck", "dsd_cli.signing.inspect"])
    out: list[PdfResult | None] = [None] * len(jobs)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet_worker) as pool:
            try:
                pool.submit(_alive).result()
            except BrokenProcessPool:
                # Workers cannot start here (e.g. a __main__ that cannot be imported again): check in-process.
                return _serial(jobs, on_done, check)
            futures = {pool.submit(check, job): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                with contextlib.suppress(BrokenProcessPool):
                    out[futures[future]] = future.result()
                    if on_done:
                        on_done()
    except BrokenProcessPool:
        pass  # the unfinished ones are retried below
    for i, result in enumerate(out):
        if result is None:
            out[i] = _isolated(jobs[i], context, check)
            if on_done:
                on_done()
    return [r for r in out if r is not None]
