"""A self-contained HTML verification report an auditor can open, print and file.

No scripts, no external resources (styles inline), every value from the archive escaped: file names and messages
may hold anything a bag's author put there.
"""

from __future__ import annotations

import datetime as dt
import html
import socket
from collections.abc import Sequence
from pathlib import Path

from dsd_cli import __version__
from dsd_cli.models import VerifyReport

CHECKED_FULL = [
    "BagIt declaration, encoding and version; every manifest, tag manifest, fetch.txt and bag-info line (format, "
    "duplicates, paths that would leave the bag — reported, never followed)",
    "completeness: every payload file listed in every manifest, every listed file present; case and "
    "Unicode-normalisation twins; Payload-Oxum",
    "fixity: every checksum of every payload manifest and tag manifest, each file read once",
    "signatures (PAdES, pyHanko): integrity, that each signature covers the current file (coverage and difference "
    "analysis, bytes after %%EOF, removed signatures), trust against the given roots, level reached (B-B, B-T, "
    "B-LT, B-LTA), signing time",
    "PDF/A structure (pikepdf): XMP identification, output intent, embedded fonts, no encryption, no JavaScript or "
    "forbidden actions, no embedded files, no external content, Info/XMP agreement",
    "dsd profile rules: required and non-repeated bag-info fields, retention values and dates agreeing with the "
    "profile's rules, required manifests and tag-manifest coverage, METS well-formed (no DTD) and describing every "
    "payload file with the same SHA-256",
    "the archive's hash-chained audit log: the first broken, edited or missing entry",
]
CHECKED_FAST = [
    "BagIt declaration and manifests (format, duplicates, paths that would leave the bag — never followed)",
    "completeness: every payload file listed, every listed file present; Payload-Oxum (byte and file counts)",
    "the archive's hash-chained audit log",
]
NOT_CHECKED = [
    "full PDF/A conformance (colour spaces against the output intent, transparency, every content-stream "
    "operator, XMP schema details, date equivalence): use veraPDF for that",
    "revocation status of certificates at verification time: only revocation data embedded in the files (B-LT and "
    "up) is used, nothing is fetched",
    "whether the archive holds every paper document that exists",
]
NOT_CHECKED_FAST = [
    "FAST MODE: no checksums were computed — a changed file of the same size is NOT detected",
    "FAST MODE: no signature, PDF/A, METS or profile checks",
]


def _rows(items: Sequence[str]) -> str:
    return "".join(f"<li>{html.escape(x)}</li>" for x in items)


def render_html(report: VerifyReport, paths: Sequence[Path], *, fast: bool = False) -> str:
    """The whole report as one HTML document."""
    esc = html.escape
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity == "warning"]
    verdict = "PASSED" if report.ok else "FAILED"
    rows = "\n".join(
        f"<tr class='{esc(p.severity)}'><td>{esc(p.severity)}</td><td>{esc(p.bag)}</td><td>{esc(p.path)}</td>"
        f"<td><code>{esc(p.check)}</code></td><td>{esc(p.message)}</td></tr>" for p in report.problems)
    bag_rows = "\n".join(
        f"<tr><td>{esc(str(b['bag']))}</td><td>{esc(str(b['bagit_version']))}</td>"
        f"<td>{'dsd' if b['dsd'] else 'other'}</td><td>{b['files']}</td><td>{b['bytes']}</td>"
        f"<td>{'ok' if b['ok'] else 'PROBLEMS'}</td></tr>" for b in report.details.get("bags", []))
    sig_rows = "\n".join(
        f"<tr><td>{esc(str(s['path']))}</td><td>{esc(str(s['signer']))}</td><td>{esc(str(s['signing_time']))}</td>"
        f"<td>{esc(str(s['level']))}</td><td>{'yes' if s['trusted'] else 'no'}{' (demo)' if s['demo'] else ''}</td>"
        f"<td>{'yes' if s['covers_current_file'] else 'NO'}</td></tr>"
        for s in report.details.get("signatures", []))
    counts = "".join(f"<li>{esc(k.replace('_', ' '))}: {v}</li>" for k, v in sorted(report.checked.items()))
    checked = _rows(CHECKED_FAST if fast else CHECKED_FULL)
    not_checked = _rows((NOT_CHECKED_FAST if fast else []) + NOT_CHECKED)
    targets = "".join(f"<li><code>{esc(str(p.resolve()))}</code></li>" for p in paths)
    mode = "fast check (presence and Payload-Oxum only)" if fast else "full check"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dsd verification report — {verdict}</title>
<style>
body{{font-family:sans-serif;margin:2em;color:#111}} table{{border-collapse:collapse;width:100%;margin:1em 0}}
td,th{{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top;font-size:90%}}
tr.error td{{background:#fde8e8}} tr.warning td{{background:#fff6d6}}
.verdict{{font-size:150%;font-weight:bold;color:{'#106010' if report.ok else '#a01010'}}}
</style></head><body>
<h1>dsd verification report</h1>
<p class="verdict">{verdict}: {len(errors)} error(s), {len(warnings)} warning(s)</p>
<p>Verified on {esc(now)} on host {esc(socket.gethostname())} with dsd {esc(__version__)} ({esc(mode)}).</p>
<h2>What was verified</h2><ul>{targets}</ul><ul>{counts}</ul>
<h2>Bags</h2>
<table><tr><th>bag</th><th>BagIt</th><th>made by</th><th>files</th><th>bytes</th><th>result</th></tr>
{bag_rows or "<tr><td colspan='6'>none</td></tr>"}</table>
<h2>Problems</h2>
<table><tr><th>severity</th><th>bag</th><th>file</th><th>check</th><th>finding</th></tr>
{rows or "<tr><td colspan='5'>none</td></tr>"}</table>
<h2>Signatures</h2>
<table><tr><th>file</th><th>signer</th><th>signing time</th><th>level</th><th>trusted</th>
<th>covers current file</th></tr>{sig_rows or "<tr><td colspan='6'>none</td></tr>"}</table>
<h2>Statement of what was checked</h2><ul>{checked}</ul>
<h2>What was not checked</h2><ul>{not_checked}</ul>
<p>Check names are explained in dsd's docs/verification.md.</p>
<p>Signed off: ______________________ (name, function, date)</p>
</body></html>
"""
