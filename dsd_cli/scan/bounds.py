"""Size limits for scanner input: what dsd refuses as a decompression bomb or an absurd file."""

#: Pages larger than this many pixels are refused (A0 at 600 dpi is ~ 450 Mpx; an A3 page at 600 dpi ~ 70 Mpx).
MAX_PIXELS = 300_000_000
#: Files with more pages than this are refused.
MAX_PAGES = 5000
#: PDF pages larger than this (points, either side) are refused: 200 inches, PDF's own page size limit.
MAX_PAGE_POINTS = 14_400
