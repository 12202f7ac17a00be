"""`dsd timestamp renew --archive`: renewed documents as a new bag version, on the real local PKI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from pathlib import Path

import pytest

from dsd_cli.archive import bagio
from dsd_cli.archive.package import package_dossier
from dsd_cli.archive.record import load_record
from dsd_cli.errors import ExitCode
from dsd_cli.fsutil import sha256_file
from dsd_cli.models import ArchivedDocument, PageRef
from dsd_cli.profiles import load_profile
from dsd_cli.signing.archive_renewal import renew_archive_timestamps
from dsd_cli.signing.config import SignerConfig
from dsd_cli.signing.inspect import inspect_signatures
from dsd_cli.signing.sign import sign_pdf
from dsd_cli.signing.timestamps import documents_due
from dsd_cli.verify import VerifyOptions, verify_paths
from tests.signing.pki import PASSPHRASE, free_port
from tests.verify.pdfs import pdfa_like

PROFILE = load_profile()
SIGNED = {"SD/2024/0101": "B-LTA", "SD/2024/0102": "B-T"}


def _document(pdf: Path, dossier: str, batch: str) -> ArchivedDocument:
    return ArchivedDocument(dossier=dossier, doc_type="aanvraag", pdf=pdf, page_count=1,
                            sources=(PageRef(Path(f"/scans/{batch}.tif"), 0),), batch=batch)


@pytest.fixture
def signed_archive(pki, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """An archive with a B-LTA and a B-T signed PDF/A in two dossiers, and an unsigned PDF/A in the first."""
    settings = dataclasses.replace(PROFILE.signing, tsa_url=pki.tsa_url, trust_roots=(str(pki.root_pem),))
    archive, signed = tmp_path / "archive", {}
    for n, (dossier, level) in enumerate(SIGNED.items()):
        pdf = sign_pdf(pdfa_like(tmp_path / f"in{n}.pdf", title=f"Aanvraag {n}"), tmp_path / f"signed{n}.pdf",
                       SignerConfig(pkcs12=pki.p12["signer"]), settings, level=level, passphrase=PASSPHRASE).output
        signed[dossier] = pdf
        docs = [_document(pdf, dossier, f"b{n}")]
        if n == 0:
            docs.append(_document(pdfa_like(tmp_path / "unsigned.pdf", title="Brief"), dossier, "b9"))
        package_dossier(archive, dossier, docs, PROFILE)
    return archive, signed


def _errors(archive: Path, pki) -> list[str]:
    report = verify_paths([archive], VerifyOptions(trust_roots=(pki.root_pem,), require_signatures=False))
    return [f"{p.check} {p.path} {p.message}" for p in report.problems if p.severity == "error"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_renewal_writes_a_new_bag_version_that_verifies_and_keeps_every_signature(signed_archive, pki):
    archive, signed = signed_archive
    assert _errors(archive, pki) == []
    time.sleep(1.1)  # the new timestamps must be later than `before`, at the TSA's one-second resolution
    before = dt.datetime.now(dt.UTC)
    time.sleep(1.1)
    report = renew_archive_timestamps(archive, before, pki.tsa_url, trust_roots=[pki.root_pem])

    assert report.complete, report.failures
    assert {r.dossier for r in report.renewed} == set(SIGNED) and report.versions == dict.fromkeys(SIGNED, 2)
    assert [d for d, _ in report.unsigned] == ["SD/2024/0101"]
    for renewed in report.renewed:
        bag = next(b for b in archive.iterdir() if (b / "bagit.txt").is_file()
                   and load_record(b).dossier == renewed.dossier)
        pdf = bag / renewed.path
        old = signed[renewed.dossier].read_bytes()
        assert pdf.read_bytes().startswith(old) and sha256_file(pdf) == renewed.sha256 != renewed.previous_sha256
        with pki.offline():
            entries = inspect_signatures(pdf, [pki.root_pem])
        assert all(e.intact and e.trusted and e.covers_current_file for e in entries), entries
        assert sum(e.docts for e in entries) == (2 if SIGNED[renewed.dossier] == "B-LTA" else 1)
        # The earlier version's manifest still names the earlier file; the record says which bytes it was.
        earlier = bagio.read_manifest(bag / "versions" / "v0001" / "manifest-sha256.txt")
        assert earlier[renewed.path] == renewed.previous_sha256
        (entry,) = [d for d in load_record(bag).documents if d.path == renewed.path]
        assert [r.to_dict() for r in entry.revisions] == [{"sha256": renewed.previous_sha256, "size": len(old),
                                                           "until_version": 1, "replaced_by": "timestamp-renewal"}]
        assert entry.events[-1].type == "timestamp-renewal"
        mets = (bag / "metadata" / "mets.xml").read_text(encoding="utf-8")
        assert "timestamp-renewal" in mets and f'CHECKSUM="{renewed.sha256}"' in mets
        assert f'CHECKSUM="{renewed.previous_sha256}"' not in mets
    assert _errors(archive, pki) == []
    assert [d.path for d in documents_due(archive, before)] == [p for _, p in report.unsigned]
    audit = [json.loads(line) for line in (archive / "audit" / "audit-log.jsonl").read_text().splitlines()]
    assert sorted(e["dossier"] for e in audit if e["action"] == "timestamp-renewal") == sorted(SIGNED)

    # The pipeline giving the same signed document again (a re-run) changes nothing.
    dossier = "SD/2024/0101"
    again = package_dossier(archive, dossier, [_document(signed[dossier], dossier, "b0")], PROFILE)
    assert again.unchanged and again.version == 2


def test_a_tsa_that_is_down_leaves_every_bag_as_it_was(signed_archive, pki, tmp_path: Path, dsd):
    archive, _ = signed_archive
    before = _tree(archive)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = dsd("timestamp", "renew", "--archive", archive, "--before", tomorrow, "--tsa",
                 f"http://127.0.0.1:{free_port()}/tsr", "--trust", pki.root_pem, "--json")
    assert result.code == ExitCode.PARTIAL, result.stderr
    out = json.loads(result.stdout)
    assert out["renewed"] == [] and {f["dossier"] for f in out["failures"]} == set(SIGNED)
    assert all("timestamp authority" in f["reason"] for f in out["failures"]), out["failures"]
    after = _tree(archive)
    assert {k: v for k, v in after.items() if not k.startswith(".dsd/")} == \
        {k: v for k, v in before.items() if not k.startswith(".dsd/")}
    assert not [p for p in (archive / ".dsd" / "staging").iterdir()]


def test_the_cli_renews_one_dossier_and_refuses_mixed_arguments(signed_archive, pki, dsd):
    archive, _ = signed_archive
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = dsd("timestamp", "renew", "--archive", archive, "--before", tomorrow, "--dossier", "SD/2024/0102",
                 "--tsa", pki.tsa_url, "--trust", pki.root_pem, "--json")
    assert result.code == ExitCode.OK, result.stderr
    out = json.loads(result.stdout)
    assert out["versions"] == {"SD/2024/0102": 2} and [r["dossier"] for r in out["renewed"]] == ["SD/2024/0102"]
    shown = dsd("show", "SD/2024/0102", "--archive", archive)
    assert shown.code == ExitCode.OK and "timestamps renewed" in " ".join(shown.stdout.split()), shown.stdout
    assert dsd("timestamp", "renew", "--tsa", pki.tsa_url).code == ExitCode.USAGE
    assert dsd("timestamp", "renew", "--archive", archive, "-o", archive / "x.pdf").code == ExitCode.USAGE


def test_verify_names_a_renewed_document_that_was_rewritten_instead_of_updated(signed_archive, pki):
    from tests.verify.bags import rehash

    archive, _ = signed_archive
    report = renew_archive_timestamps(archive, dt.datetime.now(dt.UTC) + dt.timedelta(days=1), pki.tsa_url,
                                      trust_roots=[pki.root_pem], dossiers=["SD/2024/0102"])
    (renewed,) = report.renewed
    bag = next(b for b in archive.iterdir() if (b / "bagit.txt").is_file()
               and load_record(b).dossier == "SD/2024/0102")
    pdf = bag / renewed.path
    # A careful forger: the earlier bytes changed (one byte of the first revision), every manifest re-hashed.
    data = bytearray(pdf.read_bytes())
    data[200] ^= 0x01
    pdf.write_bytes(bytes(data))
    rehash(bag)
    problems = verify_paths([bag], VerifyOptions(trust_roots=(pki.root_pem,), require_signatures=False)).problems
    assert any(p.check == "record.revision" and p.path.endswith(renewed.path) for p in problems), problems
