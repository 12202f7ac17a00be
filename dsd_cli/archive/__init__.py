"""The dossier archive: one BagIt bag per dossier, with retention metadata and METS/PREMIS provenance.

Entry points: `ArchiveSession` (session.py: the lock, layout, audit log and inventory of an archive, and the one
bag-version writer with its listeners), `package_dossier` (store documents), `check_finished_pdf` /
`package_documents` (intake.py, `dsd package`), the typed record (record.py), `read_bag_info`, `list_dossiers`,
`dossier_details`, `compute_disposition` / `dossier_retention` (retention dates), `generate_bagit_profile`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["read_bag_info"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing dsd_cli.archive.layout (the folder names) does not load bag I/O.
    if name == "read_bag_info":
        from dsd_cli.archive.bagio import read_bag_info

        return read_bag_info
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
