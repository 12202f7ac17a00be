"""metadata/descriptive/index.xml: the descriptive metadata of the SIP — per dossier its organisation, source bag
version and retention (as its bag-info.txt says), per document what the export index lists. Its schema is
schemas/dsd-export-index-1.xsd in the package."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dsd_cli.archive.bagio import read_bag_info
from dsd_cli.export.eark.xml import DSDX, el, to_bytes

SCHEMA_NAME = "dsd-export-index-1.xsd"
# bag-info field -> attribute of <dossier>
RETENTION = {"Retention-Rule-Id": "retention-rules", "Selection-List-Version": "selection-list-version",
             "Retention-Period": "retention-period", "Retention-Trigger": "retention-trigger",
             "Retention-Trigger-Date": "retention-trigger-date", "Disposition": "disposition",
             "Disposition-Due-Date": "disposition-due-date", "Legal-Hold": "legal-hold", "Competence": "competence"}


def index_xml(rows: Sequence[dict[str, Any]], sources: Sequence[dict[str, Any]], bags: dict[str, Path], *,
              created: str, criteria: str, software: str, file_prefix: str) -> bytes:
    """`bags`: dossier -> its bag folder; `file_prefix` is cut from each row's file (paths relative to the SIP)."""
    root = el(None, "dsdx:export", nsmap={"dsdx": DSDX}, created=created, software=software, criteria=criteria)
    for source in sources:
        info = read_bag_info(bags[source["dossier"]])
        facts = {attr: info[field][0] for field, attr in RETENTION.items() if info.get(field) and info[field][0]}
        dossier = el(root, "dsdx:dossier", id=source["dossier"], organisation=source["organisation"],
                     **{"source-bag": source["bag"], "source-version": str(source["version"])}, **facts)
        for row in (r for r in rows if r["dossier"] == source["dossier"]):
            attrs = {"id": row["document"], "type": row["doc_type"], "pages": str(row["pages"]),
                     "size": str(row["size"]), "sha256": row["sha256"],
                     "file": row["file"].removeprefix(file_prefix)}
            attrs.update({k: v for k, v in (("label-nl", row["label_nl"]), ("label-fr", row["label_fr"]),
                                            ("date", row["date"])) if v})
            el(dossier, "dsdx:document", **attrs)
    return to_bytes(root)
