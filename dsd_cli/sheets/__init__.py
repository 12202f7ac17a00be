"""Separator sheets: the versioned QR payload and the printable A4 sheet."""
