"""Documents for people are in Dutch, or French on request (--lang, or the profile's organization.language): the
auditor's verification report, retention due lists, the separator sheet's footer, METS labels."""

from __future__ import annotations

import dataclasses
import json
import re
from html import escape as html_escape
from html import unescape as html_unescape
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from lxml import etree

from dsd_cli.archive.package import package_dossier
from dsd_cli.errors import ExitCode, UsageError
from dsd_cli.i18n import Catalog, check_language, document_language, local_time, utc_iso
from dsd_cli.profiles import PROFILES_DIR, load_profile
from dsd_cli.verify.report_words import CHECKS
from tests.archive.conftest import NOW, make_document
from tests.conftest import run_dsd


def _report(archive: Path, tmp_path: Path, *extra: str) -> tuple[str, dict]:
    html_file = tmp_path / "report.html"
    result = run_dsd("verify", archive, "--report", html_file, "--json", *extra)
    assert result.code == ExitCode.PROBLEMS_FOUND, result.stderr  # the test PDFs are no PDF/A
    return html_file.read_text(encoding="utf-8"), json.loads(result.stdout)


def test_the_report_is_dutch_names_dossiers_and_judges_each_bag_on_every_check(archive: Path, tmp_path: Path):
    html, report = _report(archive, tmp_path)
    assert '<html lang="nl">' in html and "Verificatierapport" in html and "NIET GESLAAGD" in html
    assert "Archief van OCMW Voorbeeldstad" in html
    for bag in report["details"]["bags"]:
        assert bag["ok"] is True, "fixity alone finds nothing wrong in these bags"
        errors = sum(1 for p in report["problems"] if p["bag"] == bag["bag"] and p["severity"] == "error")
        assert errors, "but the PDFs are not PDF/A"
        dossier = bag["bag"].replace("~2F", "/")
        row = re.search(rf"<tr class='(\w+)'><td>{re.escape(dossier)}</td><td><code>{re.escape(bag['bag'])}</code>"
                        rf".*?<td>([^<]*)</td></tr>", html)
        assert row, f"{dossier} is not named as people write it"
        assert row.group(1) == "error" and row.group(2).startswith(f"{errors} fout(en)"), row.group(0)
    shown = {p["check"] for p in report["problems"]}
    for check in shown:
        explained = re.search(rf"<dt><code>{re.escape(check)}</code></dt><dd>([^<]+)</dd>", html)
        assert explained and explained.group(1) != check, f"{check} is not explained"
    assert "docs/" not in html and "verification.md" not in html, "no pointer to files the auditor lacks"
    when = r"Geverifieerd op \d{4}-\d\d-\d\d \d\d:\d\d (CET|CEST) \(UTC \d{4}-\d\d-\d\dT[\d:]+\+00:00\)"
    assert re.search(when, html), "local time for people, UTC for the record"


def test_the_report_in_french(archive: Path, tmp_path: Path):
    html, _ = _report(archive, tmp_path, "--lang", "fr")
    assert '<html lang="fr">' in html and "Rapport de vérification" in html and "ÉCHEC" in html
    assert "Archives de OCMW Voorbeeldstad" in html and "Déclaration de ce qui a été contrôlé" in html
    assert "erreur(s)" in html and "fout" not in html and "Verificatierapport" not in html
    assert html_escape(CHECKS("pdfa.identification", "fr")) in html


def test_the_profile_language_is_the_default(archive: Path, tmp_path: Path):
    profile = tmp_path / "fr.toml"
    profile.write_text((PROFILES_DIR / "vlaanderen-ocmw.toml").read_text().replace(
        'name = "OCMW Voorbeeldstad"', 'name = "CPAS de Bruxelles-Exemple"\nlanguage = "fr"', 1))
    html, _ = _report(archive, tmp_path, "--profile", profile)
    assert '<html lang="fr">' in html and "Archives de CPAS de Bruxelles-Exemple" in html
    due = run_dsd("retention", "due", "--archive", archive, "--on", "2026-02-01", "--profile", profile, "--csv")
    assert due.stdout.splitlines()[0].startswith("dossier,répertoire,règle,sort final")
    bad = profile.read_text().replace('language = "fr"', 'language = "en"')
    profile.write_text(bad)
    refused = run_dsd("retention", "due", "--archive", archive, "--profile", profile)
    assert refused.code == ExitCode.CONFIG and "organization.language" in refused.stderr


def test_due_lists_in_dutch_and_french(archive: Path):
    dutch = run_dsd("retention", "due", "--archive", archive, "--on", "2026-12-31")
    assert dutch.code == ExitCode.OK, dutch.stderr
    assert "OCMW Voorbeeldstad — dossiers met een verstreken bewaartermijn op 2026-12-31" in dutch.stdout
    assert "V — vernietigen; federaal (toelating van het Rijksarchief)" in dutch.stdout
    assert "destroy" not in dutch.stdout and "(vernietigen)" not in dutch.stdout, "no English with Dutch in brackets"
    french = run_dsd("retention", "due", "--archive", archive, "--on", "2026-12-31", "--lang", "fr")
    assert "S — sélection (conserver un échantillon) ; fédéral" in french.stdout and "échéance" in french.stdout
    assert run_dsd("retention", "due", "--archive", archive, "--lang", "en").code == ExitCode.USAGE
    csv_fr = run_dsd("retention", "due", "--archive", archive, "--on", "2026-02-01", "--csv", "--lang", "fr").stdout
    listed = archive.parent / "liste.csv"
    listed.write_text(csv_fr.replace("SD/2015/0003,SD~2F2015~2F0003", "#").split("\n#")[0] + "\n", encoding="utf-8")
    dry = run_dsd("retention", "dispose", "--archive", archive, "--list", listed, "--approval", "A/1", "--on",
                  "2026-02-01", "--json")
    assert dry.code == ExitCode.OK, dry.stdout + dry.stderr
    assert [d["dossier"] for d in json.loads(dry.stdout)["dossiers"]] == ["SD/2015/0002", "SD/2015/0001"], \
        "a French list is read back"


@pytest.mark.parametrize("lang, footer, subject", [
    ("nl", "dsd-scheidingsblad — vóór het document inscannen", "Scheidingsbladen om vóór elk document in te scannen"),
    ("fr", "feuille de séparation dsd — à scanner devant le document",
     "Feuilles de séparation à scanner devant chaque document")])
def test_sheet_footer(tmp_path: Path, lang: str, footer: str, subject: str):
    out = tmp_path / "sheet.pdf"
    result = run_dsd("sheets", "--dossier", "SD/2024/0001", "--type", "aanvraag", "-o", out, "--lang", lang)
    assert result.code == ExitCode.OK, result.stderr
    pdf = pypdfium2.PdfDocument(str(out))
    text = pdf[0].get_textpage().get_text_range()
    pdf.close()
    assert footer in text and "separator sheet" not in text
    with pikepdf.open(out) as sheet:  # what a viewer's document properties show
        info = {str(k): str(v) for k, v in sheet.docinfo.items()}
    assert info["/Subject"] == subject and info["/Author"] == "OCMW Voorbeeldstad", info
    assert "anonymous" not in info.values() and "unspecified" not in info.values()


def _mets_labels(bag: Path) -> dict[str, str]:
    root = etree.parse(str(bag / "metadata" / "mets.xml")).getroot()
    ns = {"mets": "http://www.loc.gov/METS/"}
    return {"root": root.get("LABEL"), "status": root.find("mets:metsHdr", ns).get("RECORDSTATUS"),
            "files": root.find("mets:fileSec/mets:fileGrp", ns).get("USE"),
            "structure": root.find("mets:structMap", ns).get("LABEL")}


@pytest.mark.parametrize("lang, files, status", [("nl", "Archiefdocumenten", "versie 1"),
                                                 ("fr", "Documents d'archives", "version 1")])
def test_mets_labels_in_the_organisations_language(tmp_path: Path, lang: str, files: str, status: str):
    base = load_profile()
    profile = dataclasses.replace(base, organization=dataclasses.replace(base.organization, language=lang))
    doc = make_document(tmp_path, "brief", "briefwisseling", dossier="SD/2024/0009")
    result = package_dossier(tmp_path / "archive", "SD/2024/0009", [doc], profile, now=NOW)
    assert _mets_labels(result.bag) == {"root": "Dossier SD/2024/0009", "status": status, "files": files,
                                        "structure": "Dossier"}


def test_catalogs_need_every_language_and_times_read_right():
    with pytest.raises(ValueError, match="fr"):
        Catalog({"x": {"nl": "alleen Nederlands"}})
    with pytest.raises(UsageError):
        check_language("en")
    assert document_language(None, "fr") == "fr" and document_language("nl", "fr") == "nl"
    assert local_time(NOW) == "2026-11-24 11:00" and utc_iso(NOW) == "2026-11-24T10:00:00+00:00"
    summer = NOW.replace(month=7)
    assert local_time(summer) == "2026-07-24 12:00"


def test_the_report_says_when_and_on_what_basis_each_signature_was_trusted(tmp_path: Path):
    import pikepdf

    env = {"DSD_KEY_PASSPHRASE": "demo-pass-for-tests"}
    assert run_dsd("keys", "demo", "-o", tmp_path / "keys", env=env).code == ExitCode.OK
    plain = tmp_path / "brief.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(plain)
    signed = tmp_path / "brief.signed.pdf"
    made = run_dsd("sign", plain, "-o", signed, "--key", tmp_path / "keys" / "demo-signer.p12", env=env)
    assert made.code == ExitCode.OK, made.stderr
    html_file = tmp_path / "report.html"
    run_dsd("verify", signed, "--report", html_file)
    html = html_file.read_text(encoding="utf-8")
    assert "gevalideerd op (basis)" in html and "(demosleutel van dsd)" in html
    assert "Vertrouwen wordt offline beoordeeld" in html
    # Signing and validation times in Brussels time, the reason strict AdES differs in the report's language.
    local = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|CEST)"
    assert re.search(rf"<td>{local}</td><td>B-B</td>", html), "signing time as people read it"
    assert re.search(rf"<td>{local} \(demosleutel van dsd\); strikte AdES-validatie: demovertrouwen", html)
    assert "+00:00 (" not in html and "demo trust: the chain" not in html
    run_dsd("verify", signed, "--report", html_file, "--lang", "fr")
    french = html_file.read_text(encoding="utf-8")
    assert re.search(rf"<td>{local} \(clé de démonstration dsd\); validation AdES stricte : confiance de "
                     "démonstration", french)
    assert "demo trust: the chain" not in french


def test_every_reason_strict_ades_differs_reads_in_both_languages():
    from dsd_cli.signing import basis
    from dsd_cli.verify.html_report import _ades_reason

    at, since = "2027-06-21T10:00:00+00:00", "2026-11-24T10:00:00+00:00"
    detail = "OCSP response for 'Signer' [produced 2026-11-24] is not fresh"  # the validator's words, kept
    reasons = (basis.DEMO_CHAIN, basis.NOT_CHECKED, basis.NEWEST_DOCTS, basis.NO_PROOF, basis.STALE)
    for reason in reasons:
        facts = basis.AdesDifference(reason, at, detail, since).facts()
        english = basis.AdesDifference(reason, at, detail, since).text()
        for lang in ("nl", "fr"):
            shown = _ades_reason(facts, lang)
            assert shown and shown != english, (reason, lang)
            if reason in (basis.NEWEST_DOCTS, basis.NO_PROOF, basis.STALE):
                assert detail in shown and "2027-06-21 12:00:00 CEST" in shown, shown
            if reason == basis.NO_PROOF:
                assert "2026-11-24 11:00:00 CET" in shown and "dsd timestamp renew" in shown, shown
    assert _ades_reason({"reason": "newer-reason"}, "nl") == "", "an unknown reason falls back to the English text"


def test_what_was_counted_is_named_in_the_report_language():
    from dsd_cli.findings import CHECKED_COUNTS, VerifyReport
    from dsd_cli.verify.html_report import render_html
    from dsd_cli.verify.report_words import REPORT

    report = VerifyReport(ok=True, checked={key: 1 for key in reversed(CHECKED_COUNTS)})
    for lang in ("nl", "fr"):
        html = render_html(report, [], lang=lang)
        counts = html.split(REPORT("targets", lang), 1)[1].split("<h2>", 1)[0]
        shown = [html_unescape(name) for name in re.findall(r"<li>([^<:]+): ", counts)]
        assert shown == [REPORT(f"count.{key}", lang) for key in CHECKED_COUNTS], "every count named, in order"
        assert not {"inventories", "inventoried dossiers", "index disposals", "bytes"} & set(shown)


def test_a_fixity_only_report_says_so(archive: Path, tmp_path: Path):
    html_file = tmp_path / "report.html"
    result = run_dsd("verify", archive, "--fixity-only", "--report", html_file, "--lang", "fr")
    assert result.code == ExitCode.OK, result.stdout + result.stderr
    html = html_file.read_text(encoding="utf-8")
    assert "RÉUSSI" in html and "intégrité seule" in html and "INTÉGRITÉ SEULE : aucun contrôle des signatures" in html
    assert "structure PDF/A" not in html, "the statement lists only what was checked"


def test_the_qa_report_writes_figures_and_languages_as_its_readers_do(tmp_path: Path):
    from dsd_cli.ocr.qa import PageQuality, QaListing, to_html

    record = {"page": 2, "flags": ["high-skew"], "confidence_mean": 87.5, "confidence_p10": 61.25, "words": 140,
              "text_lines": 22, "orientation": 0, "orientation_confidence": 12.3, "skew_residual": -0.04,
              "language": "fra", "ink": 0.0091}
    page = PageQuality("SD/2024/0001", "doc-0001", "aanvraag", tmp_path / "absent.pdf", record)
    listing = QaListing(pages=[page], measured=3, unmeasured_documents=0)
    dutch, french = to_html(listing, "nl"), to_html(listing, "fr")
    for html, language in ((dutch, "Frans"), (french, "français")):
        cells = re.findall(r"<td>([^<]*)</td>", html)
        assert {"87,5", "61,25", "0° (12,3)", "-0,04°", "0,0091", language} <= set(cells), cells
        assert "fra" not in cells and "87.5" not in cells
