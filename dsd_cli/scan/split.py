"""Split batches into documents on their separator sheets.

`decide` is the whole policy, as a pure function over per-page observations, so it can be tested without images:
- a dsd sheet starts a new document for its dossier and type; the sheet itself is not archived;
- a blank page right after a sheet is the sheet's duplex back and is dropped (recorded); with drop_blank every
  blank page is dropped (recorded);
- a generic separator (PATCH-T, pattern barcode) starts a new document of the same dossier and type;
- pages before the first sheet, after a sheet dsd cannot trust, after a sheet for a dossier the register does not
  know or with a document type the profile does not know, are unassigned, with the reason — never guessed.
Invariant: every page lands in exactly one of documents, separators, dropped or unassigned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.errors import InputError
from dsd_cli.models import (
    DocumentPlan,
    DroppedPage,
    PageRef,
    QuarantinedInput,
    SeparatorRead,
    SplitResult,
    UnassignedRun,
)
from dsd_cli.profiles import Profile
from dsd_cli.progress import NullProgress, ProgressReporter
from dsd_cli.register import Register
from dsd_cli.safepaths import normalise_dossier
from dsd_cli.scan.blank import is_blank
from dsd_cli.scan.detect import SeparatorDetector
from dsd_cli.scan.ingest import Batch, discover_batches, iter_pages


@dataclass(frozen=True)
class PageObservation:
    page: PageRef
    separator: SeparatorRead | None = None
    bad_separator: str = ""
    blank: bool = False


@dataclass(frozen=True)
class Decision:
    documents: tuple[DocumentPlan, ...]
    separators: tuple[SeparatorRead, ...]
    dropped: tuple[DroppedPage, ...]
    unassigned: tuple[UnassignedRun, ...]


def decide(batch_id: str, observations: Sequence[PageObservation], *, known_dossier: Callable[[str], bool],
           known_type: Callable[[str], bool], drop_duplex_backs: bool = True, drop_blank: bool = False) -> Decision:
    documents: list[DocumentPlan] = []
    separators: list[SeparatorRead] = []
    dropped: list[DroppedPage] = []
    unassigned: list[UnassignedRun] = []
    # The open segment: either a document (context set) or unassigned pages (reason set).
    context: tuple[str, str, SeparatorRead] | None = None
    reason, detail = "before-first-separator", "pages before the first separator sheet"
    pages: list[PageRef] = []
    after_sheet = False

    def close() -> None:
        nonlocal pages
        if pages:
            if context is not None:
                dossier, doc_type, sep = context
                documents.append(DocumentPlan(dossier, doc_type, tuple(pages), sep, batch_id, len(documents) + 1))
            else:
                unassigned.append(UnassignedRun(tuple(pages), reason, detail, batch_id))
        pages = []

    for obs in observations:
        sep = obs.separator
        if sep is not None and sep.payload is not None:
            close()
            separators.append(sep)
            dossier, doc_type = normalise_dossier(sep.payload.dossier), sep.payload.doc_type
            if not known_dossier(dossier):
                context, reason, detail = None, "unknown-dossier", f"dossier {dossier!r} is not in the register"
            elif not known_type(doc_type):
                context, reason, detail = None, "unknown-type", f"document type {doc_type!r} is not in the profile"
            else:
                context = (dossier, doc_type, sep)
            after_sheet = True
            continue
        if sep is not None:  # generic separator: a boundary within the current dossier and type
            close()
            separators.append(sep)
            if context is not None:
                context = (context[0], context[1], sep)
            else:
                reason = reason if reason != "before-first-separator" else "generic-separator-without-dossier"
                detail = f"{sep.kind} separator with no dsd sheet before it"
            after_sheet = True
            continue
        if obs.bad_separator:
            close()
            context, reason, detail = None, "unreadable-separator", (
                f"{obs.page.source.name} page {obs.page.index + 1}: {obs.bad_separator}")
            pages.append(obs.page)
            after_sheet = False
            continue
        if obs.blank and ((after_sheet and drop_duplex_backs) or drop_blank):
            dropped.append(DroppedPage(obs.page, "duplex-back" if after_sheet else "blank", batch_id))
            after_sheet = False
            continue
        after_sheet = False
        pages.append(obs.page)
    close()
    return Decision(tuple(documents), tuple(separators), tuple(dropped), tuple(unassigned))


def observe(batch: Batch, profile: Profile, progress: ProgressReporter | None = None) -> list[PageObservation]:
    """Read every page of a batch once (streamed): separator codes and blankness."""
    detector = SeparatorDetector(profile.separators)
    progress = progress or NullProgress()
    threshold = profile.separators.blank_ink_ratio
    observations = []
    for source in batch.sources:
        for page, image in iter_pages(source, profile.separators.raster_dpi):
            found = detector.detect(page, image)
            blank = found.separator is None and not found.bad_separator and is_blank(image, threshold)
            observations.append(PageObservation(page, found.separator, found.bad_separator, blank))
            image.close()
            progress.advance("split")
    return observations


def split_batch(batch: Batch, profile: Profile, register: Register | None = None, drop_blank: bool | None = None,
                progress: ProgressReporter | None = None) -> SplitResult:
    decision = decide(
        batch.id, observe(batch, profile, progress),
        known_dossier=(lambda d: d in register) if register is not None else (lambda d: True),
        known_type=lambda t: t in profile.document_types,
        drop_duplex_backs=profile.separators.drop_duplex_backs,
        drop_blank=profile.separators.drop_blank if drop_blank is None else drop_blank,
    )
    return SplitResult(sources=batch.sources, documents=decision.documents, unassigned=decision.unassigned,
                       dropped=decision.dropped, separators=decision.separators)


def split_inputs(inputs: Sequence[Path], profile: Profile, register: Register | None = None,
                 drop_blank: bool | None = None, progress: ProgressReporter | None = None) -> SplitResult:
    """Split every batch of the inputs; unusable files are listed in `quarantined`."""
    batches, bad = discover_batches(inputs)
    if not batches and not bad:
        raise InputError("no scanner files (PDF, TIFF, JPEG, PNG) in " + ", ".join(str(i) for i in inputs),
                         reason="empty")
    progress = progress or NullProgress()
    progress.start("split", sum(b.page_count for b in batches), "pages")
    parts = [split_batch(b, profile, register, drop_blank, progress) for b in batches]
    progress.finish("split")
    return merge_results(parts, tuple(bad))


def merge_results(parts: Sequence[SplitResult], quarantined: tuple[QuarantinedInput, ...] = ()) -> SplitResult:
    return SplitResult(
        sources=tuple(s for p in parts for s in p.sources),
        documents=tuple(d for p in parts for d in p.documents),
        unassigned=tuple(u for p in parts for u in p.unassigned),
        dropped=tuple(d for p in parts for d in p.dropped),
        separators=tuple(s for p in parts for s in p.separators),
        quarantined=quarantined,
    )
