"""A self-contained HTML verification report an auditor can open, print and file — in Dutch or French.

No scripts, no external resources (styles inline), every value from the archive escaped: file names and messages
may hold anything a bag's author put there. Dossiers are named as people write them (`SD/2024/0001`, not the
bag's encoded folder name); each bag's result covers every check of that bag; each check name shown is explained in
the report itself, which points to nothing the auditor does not have.
"""

from __future__ import annotations

import datetime as dt
import html
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dsd_cli import __version__
from dsd_cli.findings import Problem, VerifyReport, ordered_counts
from dsd_cli.i18n import DEFAULT_LANGUAGE, local_time_with_zone, utc_iso
from dsd_cli.verify.report_words import (
    CHECKED_FAST,
    CHECKED_FIXITY,
    CHECKED_FULL,
    NOT_CHECKED,
    NOT_CHECKED_FAST,
    NOT_CHECKED_FIXITY,
    REPORT,
    explain_check,
)


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def bag_display_name(bag: dict[str, Any]) -> str:
    """A dsd bag by its dossier number as people write it; any other bag by its folder name."""
    label = str(bag.get("bag", ""))
    if bag.get("dsd"):
        from dsd_cli.errors import UnsafePathError
        from dsd_cli.safepaths import dossier_from_folder_name

        try:
            return dossier_from_folder_name(label)
        except UnsafePathError:
            return label
    return label


def _bag_result(label: str, problems: Sequence[Problem], lang: str) -> tuple[bool, str]:
    errors = sum(1 for p in problems if p.bag == label and p.severity == "error")
    warnings = sum(1 for p in problems if p.bag == label and p.severity != "error")
    if errors:
        return False, REPORT("bag.failed", lang, errors=errors, warnings=warnings)
    if warnings:
        return True, REPORT("bag.ok.warnings", lang, warnings=warnings)
    return True, REPORT("bag.ok", lang)


def _items(catalog: Any, lang: str) -> str:
    return "".join(f"<li>{html.escape(catalog(key, lang))}</li>" for key in catalog.keys())


def _local(moment: str) -> str:
    """An ISO time from the verification as people read it (Brussels, with the zone); anything else as it is."""
    try:
        return local_time_with_zone(dt.datetime.fromisoformat(moment), seconds=True)
    except ValueError:
        return moment


def _ades_reason(facts: dict[str, str], lang: str) -> str:
    """Why strict AdES validation would differ, in the report's language; the validator's own words kept."""
    key = f"ades.{facts.get('reason', '')}"
    if key not in REPORT:
        return ""
    detail = str(facts.get("detail") or "")
    stale = REPORT("ades.no-proof-of-existence.stale", lang, detail=detail) if detail else ""
    return REPORT(key, lang, at=_local(str(facts.get("at") or "")), since=_local(str(facts.get("since") or "")),
                  detail=detail, stale=stale, renew=REPORT("ades.renew", lang))


def _validated(signature: dict[str, Any], lang: str) -> str:
    """When and on what basis a signature's trust was decided, and where strict AdES validation would differ."""
    basis = str(signature.get("validation_basis") or "")
    shown = REPORT(f"basis.{basis}", lang) if f"basis.{basis}" in REPORT else basis
    when = _local(str(signature.get("validation_time") or ""))
    text = f"{when} ({shown})" if basis else when
    difference = _ades_reason(signature.get("ades_reason") or {}, lang) or signature.get("ades_difference")
    return text + (f"; {REPORT('sig.ades', lang, reason=difference)}" if difference else "")


def render_html(report: VerifyReport, paths: Sequence[Path], *, fast: bool = False, fixity_only: bool = False,
                lang: str = DEFAULT_LANGUAGE, organisation: str = "", now: dt.datetime | None = None) -> str:
    """The whole report as one HTML document."""
    esc = html.escape
    t = REPORT
    moment = now or dt.datetime.now(dt.UTC)
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity != "error"]
    verdict = t("passed" if report.ok else "failed", lang)
    bags = report.details.get("bags", [])
    names = {str(b["bag"]): bag_display_name(b) for b in bags}
    yes, no = t("yes", lang), t("no", lang)

    bag_rows = []
    for b in bags:
        ok, result = _bag_result(str(b["bag"]), report.problems, lang)
        shown = names[str(b["bag"])]
        folder = "" if shown == b["bag"] else str(b["bag"])
        maker = t("bag.maker.dsd" if b["dsd"] else "bag.maker.other", lang)
        bag_rows.append(
            f"<tr class='{'ok' if ok else 'error'}'><td>{esc(shown)}</td><td><code>{esc(folder)}</code></td>"
            f"<td>{esc(str(b['bagit_version']))}</td><td>{esc(maker)}</td><td>{b['files']}</td>"
            f"<td>{esc(_human_size(int(b['bytes'])))}</td><td>{esc(result)}</td></tr>")
    archive_problems = [p for p in report.problems if not p.bag]
    if archive_problems:
        ok, result = _bag_result("", report.problems, lang)
        bag_rows.append(f"<tr class='{'ok' if ok else 'error'}'><td colspan='6'>{esc(t('archive.level', lang))}</td>"
                        f"<td>{esc(result)}</td></tr>")

    problem_rows = "\n".join(
        f"<tr class='{esc(p.severity)}'><td>{esc(t('severity.' + p.severity, lang) if p.severity in ('error', 'warning') else p.severity)}</td>"  # noqa: E501
        f"<td>{esc(names.get(p.bag, p.bag) or t('archive.level', lang))}</td><td>{esc(p.path)}</td>"
        f"<td><code>{esc(p.check)}</code></td><td>{esc(p.message)}</td></tr>" for p in report.problems)
    sig_rows = "\n".join(
        f"<tr><td>{esc(str(s['path']))}</td><td>{esc(str(s['signer']))}</td>"
        f"<td>{esc(_local(str(s['signing_time'])))}</td>"
        f"<td>{esc(str(s['level']))}</td>"
        f"<td>{yes if s['trusted'] else no}{' ' + esc(t('sig.demo', lang)) if s['demo'] else ''}</td>"
        f"<td>{yes if s['covers_current_file'] else esc(t('no.loud', lang))}</td>"
        f"<td>{esc(_validated(s, lang))}</td></tr>"
        for s in report.details.get("signatures", []))
    counts = "".join(
        f"<li>{esc(t('count.' + k, lang) if 'count.' + k in t else k.replace('_', ' '))}: "
        f"{esc(_human_size(v)) if k == 'bytes' else v}</li>" for k, v in ordered_counts(report.checked))
    shown_checks = sorted({p.check for p in report.problems})
    glossary = "".join(f"<dt><code>{esc(c)}</code></dt><dd>{esc(explain_check(c, lang))}</dd>" for c in shown_checks)
    checked = _items(CHECKED_FAST if fast else CHECKED_FIXITY if fixity_only else CHECKED_FULL, lang)
    not_checked = (_items(NOT_CHECKED_FAST, lang) if fast else _items(NOT_CHECKED_FIXITY, lang) if fixity_only
                   else "") + _items(NOT_CHECKED, lang)
    mode = "mode.fast" if fast else "mode.fixity-only" if fixity_only else "mode.full"
    targets = "".join(f"<li><code>{esc(str(p.resolve()))}</code></li>" for p in paths)
    none_row = f"<tr><td colspan='7'>{esc(t('none', lang))}</td></tr>"
    heading = esc(t("title", lang))
    org_line = f"<p class='org'>{esc(t('for', lang, organisation=organisation))}</p>" if organisation else ""
    when = t("when", lang, local=local_time_with_zone(moment), utc=utc_iso(moment), host=socket.gethostname(),
             version=__version__, mode=t(mode, lang))
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{heading} — {esc(verdict)}</title>
<style>
body{{font-family:sans-serif;margin:2em;color:#111}} table{{border-collapse:collapse;width:100%;margin:1em 0}}
td,th{{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top;font-size:90%}}
tr.error td{{background:#fde8e8}} tr.warning td{{background:#fff6d6}}
dt{{margin-top:.5em}} .org{{font-size:120%}}
.verdict{{font-size:150%;font-weight:bold;color:{'#106010' if report.ok else '#a01010'}}}
</style></head><body>
<h1>{heading}</h1>
{org_line}
<p class="verdict">{esc(t('verdict', lang, verdict=verdict, errors=len(errors), warnings=len(warnings)))}</p>
<p>{esc(when)}</p>
<h2>{esc(t('targets', lang))}</h2><ul>{targets}</ul><ul>{counts}</ul>
<h2>{esc(t('bags', lang))}</h2>
<table><tr><th>{esc(t('bag.dossier', lang))}</th><th>{esc(t('bag.folder', lang))}</th>
<th>{esc(t('bag.bagit', lang))}</th>
<th>{esc(t('bag.maker', lang))}</th><th>{esc(t('bag.files', lang))}</th><th>{esc(t('bag.size', lang))}</th>
<th>{esc(t('bag.result', lang))}</th></tr>
{"".join(bag_rows) or none_row}</table>
<h2>{esc(t('problems', lang))}</h2>
<table><tr><th>{esc(t('problem.severity', lang))}</th><th>{esc(t('problem.where', lang))}</th>
<th>{esc(t('problem.file', lang))}</th><th>{esc(t('problem.check', lang))}</th>
<th>{esc(t('problem.finding', lang))}</th></tr>
{problem_rows or none_row}</table>
{f"<h2>{esc(t('glossary', lang))}</h2><dl>{glossary}</dl>" if glossary else ""}
<h2>{esc(t('signatures', lang))}</h2>
<table><tr><th>{esc(t('sig.file', lang))}</th><th>{esc(t('sig.signer', lang))}</th><th>{esc(t('sig.time', lang))}</th>
<th>{esc(t('sig.level', lang))}</th><th>{esc(t('sig.trusted', lang))}</th><th>{esc(t('sig.covers', lang))}</th>
<th>{esc(t('sig.validated', lang))}</th></tr>
{sig_rows or none_row}</table>
{f"<p>{esc(t('basis.note', lang))}</p>" if sig_rows else ""}
<h2>{esc(t('checked', lang))}</h2><ul>{checked}</ul>
<h2>{esc(t('not_checked', lang))}</h2><ul>{not_checked}</ul>
<p>{esc(t('signoff', lang))}</p>
</body></html>
"""
