"""The dossier archive: one BagIt bag per dossier, with retention metadata and METS/PREMIS provenance."""
