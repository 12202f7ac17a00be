"""Split batches into documents on their separator sheets and labels.

`decide` is the whole policy, as a pure function over per-page observations, so it can be tested without images:
- a dsd sheet starts a new document for its dossier and type; the sheet itself is not archived;
- a page with a dsd label starts a new document for its dossier and type and is that document's first page;
- a blank page right after a sheet is the sheet's duplex back and is dropped; with drop_blank every blank page of a
  document is dropped. Only pages of documents are dropped (blank pages among unassigned pages stay with them), and
  each drop names the document whose provenance records it: the one the page fell in, else the next one in the
  batch, else the one before;
- a generic separator (PATCH-T, pattern barcode) starts a new document of the same dossier and type;
- pages before the first sheet or label, after a sheet dsd cannot trust, after a sheet or label for a dossier the
  register does not know or with a document type the profile does not know, are unassigned, with the reason —
  never guessed.
Invariant: every page lands in exactly one of documents, separators, dropped or unassigned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

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
    drops: list[tuple[PageRef, str]] = []
    drop_documents: list[int] = []
    """For each drop, the sequence of the document recording it (0 until known)."""
    waiting: list[int] = []  # drops of the open segment, or of empty segments before it
    unassigned: list[UnassignedRun] = []
    # The open segment: either a document (context set) or unassigned pages (reason set).
    context: tuple[str, str, SeparatorRead] | None = None
    reason, detail = "before-first-separator", "pages before the first separator sheet or label"
    pages: list[PageRef] = []
    after_sheet = False

    def close() -> None:
        nonlocal pages, waiting
        if pages:
            if context is not None:
                dossier, doc_type, sep = context
                documents.append(DocumentPlan(dossier, doc_type, tuple(pages), sep, batch_id, len(documents) + 1))
                for n in waiting:
                    drop_documents[n] = len(documents)
                waiting = []
            else:
                unassigned.append(UnassignedRun(tuple(pages), reason, detail, batch_id))
        pages = []

    for obs in observations:
        sep = obs.separator
        if sep is not None and sep.payload is not None:  # a dsd sheet, or a page with a dsd label
            close()
            dossier, doc_type = normalise_dossier(sep.payload.dossier), sep.payload.doc_type
            on = " (on a label)" if sep.kind == "label" else ""
            if not known_dossier(dossier):
                context, reason, detail = None, "unknown-dossier", f"dossier {dossier!r} is not in the register{on}"
            elif not known_type(doc_type):
                context, reason, detail = None, "unknown-type", f"document type {doc_type!r} is not in the profile{on}"
            else:
                context = (dossier, doc_type, sep)
            if sep.kind == "label":
                pages.append(obs.page)
                after_sheet = False
            else:
                separators.append(sep)
                after_sheet = True
            continue
        if sep is not None:  # generic separator: a boundary within the current dossier and type
            close()
            separators.append(sep)
            if context is not None:
                context = (context[0], context[1], sep)
            else:
                reason = reason if reason != "before-first-separator" else "generic-separator-without-dossier"
                detail = f"{sep.kind} separator with no dsd sheet or label before it"
            after_sheet = True
            continue
        if obs.bad_separator:
            close()
            context, reason, detail = None, "unreadable-separator", (
                f"{obs.page.source.name} page {obs.page.index + 1}: {obs.bad_separator}")
            pages.append(obs.page)
            after_sheet = False
            continue
        if obs.blank and context is not None and ((after_sheet and drop_duplex_backs) or drop_blank):
            waiting.append(len(drops))
            drops.append((obs.page, "duplex-back" if after_sheet else "blank"))
            drop_documents.append(0)
            after_sheet = False
            continue
        after_sheet = False
        pages.append(obs.page)
    close()
    for n in waiting:  # blank pages of empty segments at the end of the batch: the last document records them
        drop_documents[n] = len(documents)
    dropped = tuple(DroppedPage(page, why, batch_id, document)
                    for (page, why), document in zip(drops, drop_documents, strict=True))
    return Decision(tuple(documents), tuple(separators), dropped, tuple(unassigned))


class PageObserver:
    """Reads pages one by one: codes on every page; blankness only where the page could be dropped (after a
    sheet, or with drop_blank), since content pages are the vast majority."""

    def __init__(self, profile: Profile, drop_blank: bool | None = None) -> None:
        self.detector = SeparatorDetector(profile.separators)
        self.settings = profile.separators
        self.drop_blank = profile.separators.drop_blank if drop_blank is None else drop_blank
        self.previous: PageObservation | None = None

    def observe(self, page: PageRef, image: Image.Image) -> PageObservation:
        found = self.detector.detect(page, image)
        after_sheet = (self.previous is not None and self.previous.separator is not None
                       and self.previous.separator.kind != "label")
        could_drop = self.drop_blank or (after_sheet and self.settings.drop_duplex_backs)
        blank = (could_drop and found.separator is None and not found.bad_separator
                 and is_blank(image, min_mark_mm=self.settings.blank_min_mark_mm))
        self.previous = PageObservation(page, found.separator, found.bad_separator, blank)
        return self.previous


def observe(batch: Batch, profile: Profile, progress: ProgressReporter | None = None,
            drop_blank: bool | None = None) -> list[PageObservation]:
    """Read every page of a batch once (streamed): separator codes and labels, and blankness where it matters."""
    observer = PageObserver(profile, drop_blank)
    progress = progress or NullProgress()
    observations = []
    for source in batch.sources:
        for page, image in iter_pages(source, profile.separators.raster_dpi):
            observations.append(observer.observe(page, image))
            image.close()
            progress.advance("split")
    return observations


def split_batch(batch: Batch, profile: Profile, register: Register | None = None, drop_blank: bool | None = None,
                progress: ProgressReporter | None = None) -> SplitResult:
    decision = decide(
        batch.id, observe(batch, profile, progress, drop_blank),
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
