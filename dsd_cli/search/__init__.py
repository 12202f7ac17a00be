"""Full-text search and duplicate finding over an archive's documents.

The search index (`ARCHIVE/.dsd/index/`, Tantivy) is derived from the bags, never the other way round: it holds
one entry per archived page (text in a Dutch-stemmed, a French-stemmed and an accent-folded field, plus dossier,
document, type, dates, bag version and page number) and can always be rebuilt from the bags (`dsd index
--rebuild`). Only the holder of the archive lock writes it: every operation that writes bag versions follows its archive
session with `following_index` (dsd_cli.search.follow), which hands the changed dossiers to `bags_changed`
(dsd_cli.search.sync) once per operation. Searching, `dsd show` and exports are recorded in the audit log
(dsd_cli.search.access). Near duplicates are found by MinHash/LSH over word shingles and confirmed by a strict
comparison of the pages' words and numbers (dsd_cli.search.duplicates).

Modules import Tantivy and NumPy only where used, so that `import dsd_cli.search` costs nothing.
"""
