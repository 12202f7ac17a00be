"""The dossier archive: one BagIt bag per dossier, with retention metadata and METS/PREMIS provenance.

Entry points: `package_dossier` (store documents), `read_bag_info`, `list_dossiers`, `dossier_details`,
`compute_disposition` / `dossier_retention` (retention dates), `generate_bagit_profile`.
"""

from dsd_cli.archive.bagio import read_bag_info

__all__ = ["read_bag_info"]
