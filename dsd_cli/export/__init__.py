"""Exports: a BagIt bag with only the selected documents of an archive, an index, provenance, and optionally a
serialised (zip/tar) and age-encrypted copy for sending."""
