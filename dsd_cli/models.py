"""Plain data objects that flow between dsd's stages.

ingest -> (SourceFile, PageRef)  split -> SplitResult(DocumentPlan, UnassignedRun, DroppedPage)
-> document PDF -> ocr -> sign -> package (BagResult) -> verify (VerifyReport and Problem: findings.py, re-exported)

They are frozen dataclasses with JSON-friendly `to_dict()` methods, so stages can run alone (the CLI prints them)
or inside `dsd run` (the journal stores them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli.findings import Dictable, Problem, VerifyReport


@dataclass(frozen=True)
class SourceFile(Dictable):
    """One file handed to dsd by a scanner or a person, with its checksum taken before anything else."""

    path: Path
    sha256: str
    size: int
    kind: str
    """'tiff', 'pdf' or 'image' (a single JPEG/PNG page)."""
    page_count: int


@dataclass(frozen=True)
class PageRef(Dictable):
    """One page of a source file: `index` is 0-based within the file; `page` in reports is index + 1."""

    source: Path
    index: int

    @property
    def label(self) -> str:
        return f"{self.source.name}#{self.index + 1}"


@dataclass(frozen=True)
class SeparatorPayload(Dictable):
    """What a dsd separator sheet or label says: the dossier number and the document type code."""

    dossier: str
    doc_type: str
    version: int = 1
    label: bool = False
    """True for an adhesive label (its page starts a document and is archived), False for a separator sheet."""


@dataclass(frozen=True)
class SeparatorRead(Dictable):
    """How a separator was found on a page, so a person can audit the split."""

    page: PageRef
    payload: SeparatorPayload | None
    """None for a generic separator (PATCH-T, pattern barcode): a document boundary without a new dossier."""
    reader: str
    """'zxing' or 'zbar'."""
    pass_name: str
    """Which detection pass found it ('fast', 'upscale', 'binarise', ...)."""
    orientation: int
    """Degrees the code appeared rotated on the page (0, 90, 180, 270)."""
    kind: str = "dsd"
    """'dsd' (a sheet), 'label' (a dsd label on a page that is archived), 'patch-t' or 'pattern'."""


@dataclass(frozen=True)
class DocumentPlan(Dictable):
    """A document found in a batch: the content pages between one separator and the next."""

    dossier: str
    doc_type: str
    pages: tuple[PageRef, ...]
    separator: SeparatorRead
    batch: str
    """Identifier of the batch (the multi-page file, or the folder of single pages)."""
    sequence: int
    """1-based position of the document within its batch."""


@dataclass(frozen=True)
class UnassignedRun(Dictable):
    """Pages that belong to no document, kept for a person to resolve, with the reason."""

    pages: tuple[PageRef, ...]
    reason: str
    """'before-first-separator', 'unreadable-separator', 'unknown-dossier', 'unknown-type', ..."""
    detail: str = ""
    batch: str = ""


@dataclass(frozen=True)
class DroppedPage(Dictable):
    """A page dsd left out on purpose (a blank duplex back), recorded in the batch report and kept aside."""

    page: PageRef
    reason: str
    """'duplex-back' or 'blank'."""
    batch: str = ""
    document: int = 0
    """Sequence (in its batch) of the document whose provenance records the drop: the one the page fell in, else
    the next one, else the one before; 0 when the batch has no document."""

@dataclass(frozen=True)
class SplitResult(Dictable):
    """Everything `split` learned about a set of inputs. Invariant: every input page is in exactly one of
    documents[*].pages, separators[*].page, dropped[*].page or unassigned[*].pages."""

    sources: tuple[SourceFile, ...]
    documents: tuple[DocumentPlan, ...]
    unassigned: tuple[UnassignedRun, ...]
    dropped: tuple[DroppedPage, ...]
    separators: tuple[SeparatorRead, ...]
    quarantined: tuple[QuarantinedInput, ...] = ()


@dataclass(frozen=True)
class QuarantinedInput(Dictable):
    """An input file dsd could not use, kept (copied) in quarantine with the reason."""

    source: Path
    reason: str
    """Short machine-readable reason: 'zero-byte', 'corrupt', 'encrypted', 'unsupported', 'too-large', ..."""
    message: str
    sha256: str = ""
    quarantine_path: Path | None = None


@dataclass(frozen=True)
class ArchivedDocument(Dictable):
    """A finished document ready for (or already in) a dossier bag."""

    dossier: str
    doc_type: str
    pdf: Path
    """The file to archive (OCR'd PDF/A, signed when signing is on)."""
    page_count: int
    sources: tuple[PageRef, ...]
    batch: str
    languages: tuple[str, ...] = ()
    scan_date: str = ""
    """ISO date-time the pages were scanned (source file time), for the substitution register."""
    document_date: str = ""
    """ISO date the paper document was created or received, when known."""
    events: tuple[dict[str, Any], ...] = ()
    """Provenance events (capture, separation, ocr, signing) with tool names and versions, for PREMIS."""
    quality: tuple[dict[str, Any], ...] = ()
    """Per-page OCR quality records (dsd_cli/ocr/quality.py); empty when the engine made none."""


__all__ = ["ArchivedDocument", "DocumentPlan", "DroppedPage", "PageRef", "Problem", "QuarantinedInput",
           "SeparatorPayload", "SeparatorRead", "SourceFile", "SplitResult", "UnassignedRun", "VerifyReport"]
