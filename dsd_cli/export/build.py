"""Build an export bag: only the selected documents (their bytes copied, never rewritten, so signatures stay
intact), an index (CSV and HTML), and provenance (who, when, criteria, source bag versions) in bag-info.txt and
metadata/provenance.json.

Layout of the export bag (format "bag"):

    bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    data/index.csv  data/index.html
    data/<dossier folder>/<NNNN-type>.pdf      the dossier folder as in the archive; names hold no personal data
    metadata/provenance.json

Format "e-ark" keeps bagit.txt, bag-info.txt, the manifests and metadata/provenance.json, and puts one E-ARK SIP
in data/<package id>/ (see dsd_cli/export/eark/): the documents in representations/rep1/data/<dossier folder>/,
the index in documentation/.

Only files named by a dossier's record are read, each checked against its bag's manifest while it is copied: the
.dsd journal, the audit log, quarantine and other dossiers are never read. The bag is built in a private folder
beside the output and renamed into place when complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.archive import bagio
from dsd_cli.archive.baginfo import human_size
from dsd_cli.audit import current_user
from dsd_cli.errors import ArchiveError, UsageError
from dsd_cli.export.eark.sip import REPRESENTATION_DATA, SipInput, new_package_id, write_sip
from dsd_cli.export.index import LABELS, index_csv, index_html
from dsd_cli.export.select import Criteria, SelectedDossier, document_day, select_documents
from dsd_cli.fsutil import CHUNK, atomic_write_text, fsync_dir
from dsd_cli.register import valid_nrn
from dsd_cli.safepaths import safe_file_stem

ALGORITHMS = ("sha256", "sha512")
PROVENANCE_JSON = "metadata/provenance.json"
FORMATS = ("bag", "e-ark")


@dataclass(frozen=True)
class ExportResult:
    bag: Path
    dossiers: int
    documents: int
    bytes: int
    rows: list[dict[str, Any]]


def _check_name(name: str) -> None:
    """No national register number in a file name: refuse any run of 11 digits that passes its mod-97 check."""
    digits = "".join(ch if ch.isdigit() else " " for ch in name).split()
    joined = "".join(ch for ch in name if ch.isdigit())
    if any(len(d) >= 11 and valid_nrn(d[:11]) for d in digits) or (len(joined) == 11 and valid_nrn(joined)):
        raise ArchiveError(f"an exported file name would hold a national register number ({safe_file_stem(name)[:8]}"
                           "…); dsd will not export it")


def _copy_checked(source: Path, target: Path, expected: dict[str, str]) -> dict[str, str]:
    """Copy bytes as they are, hashing on the way; ArchiveError when they differ from the source manifest."""
    hashers = {a: hashlib.new(a) for a in ALGORITHMS}
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(target, "xb") as dst:
        while chunk := src.read(CHUNK):
            for h in hashers.values():
                h.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    digests = {a: h.hexdigest() for a, h in hashers.items()}
    for alg, digest in expected.items():
        if digests.get(alg) != digest:
            raise ArchiveError(f"{source.parent.parent.parent.name}/{source.name} does not match its bag's "
                               f"manifest-{alg}.txt; run `dsd verify` — dsd does not export damaged documents")
    return digests


def _manifests(bag: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for alg in ALGORITHMS:
        path = bag / f"manifest-{alg}.txt"
        if path.is_file():
            for rel, digest in bagio.read_manifest(path).items():
                found.setdefault(rel, {})[alg] = digest
    return found


def build_export(archive: Path, criteria: Criteria, output: Path, *, lang: str = "nl", fmt: str = "bag",
                 now: dt.datetime | None = None) -> ExportResult:
    """Write the export bag at `output` (which must not exist yet); `fmt` "e-ark" wraps an E-ARK SIP in it."""
    if lang not in LABELS:
        raise UsageError(f"--lang {lang!r}: choose nl or fr")
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose {' or '.join(FORMATS)}")
    if output.exists():
        raise UsageError(f"{output} already exists; dsd does not overwrite an export")
    archive_real = archive.resolve()
    if output.resolve().is_relative_to(archive_real):
        raise UsageError("the export must be written outside the archive")
    selected = select_documents(archive, criteria)
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    who = f"{current_user()}@{socket.gethostname()}"
    output.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent))
    try:
        package_id = new_package_id() if fmt == "e-ark" else ""
        top = f"data/{package_id}/{REPRESENTATION_DATA}" if package_id else "data"
        rows, payload, sources = _fill(staged, selected, top)
        _check_name(output.name)
        described = criteria.describe()
        if package_id:
            written = write_sip(staged / "data" / package_id, SipInput(
                package_id=package_id, rows=rows, sources=sources, selected=selected, payload=payload,
                created=stamp, by=who, criteria=described, lang=lang,
                criteria_for_people=criteria.for_people(lang)))
            extra = [f"data/{package_id}/{rel}" for rel in written]
        else:
            atomic_write_text(staged / "data" / "index.csv", index_csv(rows, lang))
            atomic_write_text(staged / "data" / "index.html", index_html(rows, lang, created=stamp, by=who,
                                                                         criteria=criteria.for_people(lang)))
            extra = ["data/index.csv", "data/index.html"]
        for rel in extra:
            payload[rel] = {a: d for a, d in zip(ALGORITHMS, _digest(staged / rel), strict=True)}
        provenance = {"export": {"created": stamp, "by": who, "software": f"dsd {__version__}", "format": fmt,
                                 "package_id": package_id, "criteria": criteria.as_dict(),
                                 "criteria_text": described, "language": lang},
                      "sources": sources, "documents": rows}
        atomic_write_text(staged / PROVENANCE_JSON, json.dumps(provenance, ensure_ascii=False, indent=2) + "\n")
        size = sum((staged / rel).stat().st_size for rel in payload)
        fields = [("Source-Organization", sources[0]["organisation"]),
                  ("External-Description", f"Export of {len(rows)} document(s) from {len(selected)} dossier(s)"),
                  ("Bagging-Date", now.date().isoformat()), ("Bag-Software-Agent", f"dsd {__version__}"),
                  ("Payload-Oxum", f"{size}.{len(payload)}"), ("Bag-Size", human_size(size)),
                  *((("External-Identifier", package_id),) if package_id else ()),
                  ("Export-Format", fmt), ("Export-Created", stamp), ("Export-Created-By", who),
                  ("Export-Criteria", described),
                  *(("Export-Source-Bag", f"{s['dossier']} bag {s['bag']} version {s['version']}")
                    for s in sources)]
        atomic_write_text(staged / "bagit.txt", bagio.BAGIT_TXT)
        bagio.write_bag_info(staged, fields)
        bagio.write_manifests(staged, sorted(payload), ALGORITHMS, "manifest", known=payload)
        bagio.write_manifests(staged, bagio.tag_files(staged), ALGORITHMS, "tagmanifest")
        bagio.fsync_tree(staged)
        staged.chmod(0o755)
        os.rename(staged, output)
        fsync_dir(output.parent)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return ExportResult(bag=output, dossiers=len(selected), documents=len(rows),
                        bytes=sum(r["size"] for r in rows), rows=rows)


def _digest(path: Path) -> tuple[str, ...]:
    hashers = [hashlib.new(a) for a in ALGORITHMS]
    data = path.read_bytes()
    for h in hashers:
        h.update(data)
    return tuple(h.hexdigest() for h in hashers)


def _fill(staged: Path, selected: list[SelectedDossier], top: str
          ) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]], list[dict[str, Any]]]:
    """Copy the documents to `top`/<dossier folder>/; `top` is a folder of the bag ("data" or deeper)."""
    rows: list[dict[str, Any]] = []
    payload: dict[str, dict[str, str]] = {}
    sources: list[dict[str, Any]] = []
    for sel in selected:
        bagio.check_tag_files(sel.bag)
        manifests = _manifests(sel.bag)
        info = bagio.read_bag_info(sel.bag)
        sources.append({"dossier": sel.dossier, "bag": sel.bag.name, "version": sel.version,
                        "organisation": (info.get("Source-Organization") or [""])[0],
                        "bag_info_sha256": hashlib.sha256((sel.bag / "bag-info.txt").read_bytes()).hexdigest(),
                        "manifest_sha256": hashlib.sha256((sel.bag / "manifest-sha256.txt").read_bytes()).hexdigest(),
                        "documents": [d.id for d in sel.documents]})
        for doc in sel.documents:
            rel_source = doc.path
            if rel_source not in manifests:
                raise ArchiveError(f"{sel.bag.name}: {rel_source} is not in its manifest")
            source = sel.bag / rel_source
            if source.is_symlink() or not source.resolve().is_relative_to(sel.bag.resolve()):
                raise ArchiveError(f"{sel.bag.name}: {rel_source} is not a plain file inside the bag")
            name = Path(rel_source).name
            rel = f"{top}/{sel.bag.name}/{name}"
            _check_name(rel)
            payload[rel] = _copy_checked(source, staged / rel, manifests[rel_source])
            day = document_day(doc)
            rows.append({"dossier": sel.dossier, "document": doc.id, "doc_type": doc.doc_type,
                         "label_nl": doc.label_nl, "label_fr": doc.label_fr,
                         "date": day.isoformat() if day else "", "pages": doc.pages,
                         "sha256": payload[rel]["sha256"], "size": (staged / rel).stat().st_size,
                         "file": rel[len("data/"):], "source": f"{sel.bag.name}/{rel_source}",
                         "source_version": sel.version})
    return rows, payload, sources
