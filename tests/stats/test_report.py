"""The HTML report: one self-contained file whose charts headless Chromium really draws, and that prints on A4."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from tests.conftest import run_dsd
from tests.stats.conftest import StatsOutputs

WIDTH = 1280
BAR_BLUE = (0x00, 0x72, 0xB2)
MEASURE = """<script>
addEventListener("load", () => {
  const rects = [...document.querySelectorAll("figure")].map(f => {
    const svg = f.querySelector("svg.chart");
    const r = svg ? svg.getBoundingClientRect() : null;
    return {id: f.id, chart: r ? [r.left + scrollX, r.top + scrollY, r.width, r.height] : null};
  });
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({height: document.documentElement.scrollHeight, figures: rects});
  document.body.appendChild(out);
});
</script>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Debian's Chromium, headless, with every network feature it has switched off and a fresh profile."""
    profile = tmp_path / f"chromium-{len(list(tmp_path.glob('chromium-*')))}"
    profile.mkdir()
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--force-device-scale-factor=1", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def report(stats_outputs: StatsOutputs) -> tuple[Path, dict]:
    return stats_outputs.reports["nl"], stats_outputs.json["nl"]


def test_the_report_is_one_self_contained_file(report: tuple[Path, dict]):
    text = report[0].read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="nl">' in text
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "src=", "url(http", "@font-face"):
        assert forbidden not in text.lower(), forbidden
    # The only URLs are the XML namespace names of the inline SVG charts (names, never fetched).
    assert set(re.findall(r'([\w:]+)="https?://', text)) <= {"xmlns", "xmlns:xlink"}
    assert "OCMW Voorbeeldstad" in text and '<span id="period">' in text
    assert "@page { size: A4" in text and "@media print" in text
    svgs = re.findall(r"<svg\b.*?</svg>", text, re.S)
    assert len(svgs) >= 12
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), "ids of different charts must not collide"


def test_chromium_draws_every_chart(report: tuple[Path, dict], tmp_path: Path):
    path, stats = report
    measured_page = tmp_path / "measured.html"
    measured_page.write_text(path.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                             encoding="utf-8")
    dom = chromium(tmp_path, f"--window-size={WIDTH},1000", "--dump-dom", measured_page.as_uri()).stdout
    layout = json.loads(re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"'))
    charts = [f for f in layout["figures"] if f["chart"]]
    drawn_svgs = re.findall(r'<svg\b[^>]*class="chart".*?</svg>', dom, re.S)
    assert len(drawn_svgs) == len(charts) >= 12
    for svg in drawn_svgs:
        paths = re.findall(r'<path\b[^>]*\bd="([^"]+)"', svg)
        assert len(paths) >= 3 and all(p.strip() for p in paths)
        assert 'role="img"' in svg and "aria-label=" in svg

    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--window-size={WIDTH},{layout['height']}", f"--screenshot={shot}", path.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (WIDTH, layout["height"])
    drawn_bars = 0
    for figure in charts:
        left, top, width, height = (round(v) for v in figure["chart"])
        assert width > 300 and height > 100, figure
        area = image.crop((left, top, left + width, top + height))
        colours = area.getcolors(maxcolors=1 << 20)
        white = sum(n for n, c in colours if min(c) > 245)
        assert white < 0.97 * width * height, f"{figure['id']}: the chart area is blank"
        assert len(colours) > 8, figure["id"]
        name = figure["id"].removeprefix("t-")
        values = [v for row in _rows(stats, name) for v in list(row.values())[1:2]]
        if any(isinstance(v, int) and v > 0 for v in values):
            blue = sum(n for n, c in colours if all(abs(a - b) < 30 for a, b in zip(c, BAR_BLUE, strict=True)))
            assert blue > 40, f"{figure['id']}: no bars drawn"
            drawn_bars += 1
    assert drawn_bars >= 10


def _rows(stats: dict, name: str) -> list[dict]:
    for section in ("archive", "progress", "quality", "integrity"):
        if name in stats[section]["tables"]:
            return stats[section]["tables"][name]
    raise KeyError(name)


def test_the_report_prints_on_a4(report: tuple[Path, dict], tmp_path: Path):
    pdf = tmp_path / "report.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report[0].as_uri())
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) >= 4  # one section per page at least
        for page in doc.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            assert abs((x1 - x0) - 595.3) < 2 and abs((y1 - y0) - 841.9) < 2, "A4 portrait"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kerncijfers van het digitale archief" in text and "Documenten per type" in text


def test_french_on_request(stats_outputs: StatsOutputs):
    text = stats_outputs.text["html-fr"]
    assert '<html lang="fr">' in text and "Chiffres clés de l’archive numérique" in text
    assert "Documents par type" in text and "Identité et séjour" in text and "Kerncijfers" not in text
    assert "Pages archivées" in stats_outputs.text["csv-fr/figures.csv"]
    assert "Identité et séjour" in stats_outputs.text["csv-fr/documents_by_type.csv"]
    assert "Chiffres clés" in stats_outputs.text["terminal-fr"]
    # When it was made as people in Brussels read it, with UTC for the record; French spacing before a colon.
    moment = r"\d{4}-\d\d-\d\d \d\d:\d\d (CET|CEST) \(UTC \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\)"
    assert re.search(rf"<strong>Établi le\u202f:</strong> {moment}</p>", text), "local time, French colon"
    assert re.search(rf"<strong>Opgemaakt op:</strong> {moment}</p>", stats_outputs.text["html-nl"])


def test_quarantine_reasons_and_small_sizes_in_the_reports_language(tmp_path: Path):
    """Every reason `dsd run` may quarantine an input for has a label: the report never shows dsd's English code."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "leeg.pdf").write_bytes(b"")
    (inbox / "link.pdf").symlink_to(tmp_path / "nothing-here.pdf")
    scan = io.BytesIO()
    Image.effect_noise((800, 1100), 60).convert("L").save(scan, "JPEG", quality=90)
    (inbox / "half.jpg").write_bytes(scan.getvalue()[: len(scan.getvalue()) // 3])
    run = run_dsd("run", inbox, "--archive", tmp_path / "archive", "--json")
    reasons = {q["reason"] for q in json.loads(run.stdout)["quarantine"]}
    assert {"zero-byte", "dangling-link", "truncated"} <= reasons, run.stdout + run.stderr
    expected = {"nl": ("leeg bestand", "koppeling die nergens heen wijst", "afgebroken bestand", "0 bytes"),
                "fr": ("fichier vide", "lien vers rien", "fichier tronqué", "0 octets")}
    for lang, words in expected.items():
        report = tmp_path / f"stats-{lang}.html"
        made = run_dsd("stats", "--archive", tmp_path / "archive", "--report", report, "--lang", lang)
        assert made.code == 0, made.stderr
        text = report.read_text(encoding="utf-8")
        assert all(word in text for word in words), (lang, words)
        shown = set(re.findall(r"<th scope=\"row\">([^<]*)</th>", text))
        assert not shown & {"zero-byte", "dangling-link", "truncated"}, shown
    assert "0 bytes" not in (tmp_path / "stats-fr.html").read_text(encoding="utf-8")


def test_every_reason_dsd_run_quarantines_for_has_a_label():
    """The reasons are read from the code that decides them (intake, splitting, OCR, tools, signing, the run), so a
    new reason without a Dutch and French label fails here rather than show as a code in the report."""
    import ast

    import dsd_cli
    from dsd_cli.stats.labels import Labels

    root = Path(dsd_cli.__file__).parent
    sources = [root / "scan" / "ingest.py", root / "scan" / "split.py", root / "archive" / "splitdir.py",
               root / "signing" / "sign.py", root / "pipeline" / "run.py", *sorted((root / "ocr").glob("*.py")),
               *sorted((root / "tools").glob("*.py"))]
    reasons: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "reason" and isinstance(node.value, ast.Constant):
                reasons.add(node.value.value)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "_quarantine" and \
                    isinstance(node.args[1], ast.Constant):
                reasons.add(node.args[1].value)
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "reason" and \
                    isinstance(node.value, ast.Constant):
                reasons.add(node.value.value)  # reason = "unknown-dossier"
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple) and \
                    isinstance(node.value, ast.Tuple):  # context, reason, detail = None, "unknown-dossier", ...
                for target, value in zip(node.targets[0].elts, node.value.elts, strict=False):
                    if getattr(target, "id", "") == "reason" and isinstance(value, ast.Constant):
                        reasons.add(value.value)
    assert {"zero-byte", "before-first-separator", "unknown-dossier", "worker-crashed", "bad-manifest"} <= reasons, \
        reasons
    for lang in ("nl", "fr"):
        unlabelled = {r for r in reasons if isinstance(r, str) and Labels(lang).code("reason", r) == r}
        assert not unlabelled, (lang, unlabelled)
