"""dsd's own BagIt validator on bags built in the test: each tampering named (check + path), hostile paths reported
and never opened, RFC 8493 encodings honoured, --fast doing exactly what it says."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import bagit
import pytest

import dsd_cli.verify.hashing as hashing
from dsd_cli.verify import VerifyOptions, verify_paths
from tests.verify.bags import make_bag, rehash, retag

PAYLOAD = {"data/a.txt": b"alpha " * 200, "data/sub/b.bin": bytes(range(256)) * 40, "data/c.txt": b"gamma\n"}


def errors(path: Path, **options) -> set[tuple[str, str]]:
    report = verify_paths([path], VerifyOptions(workers=2, **options))
    return {(p.check, p.path) for p in report.problems if p.severity == "error"}


def checks(path: Path, severity: str = "error", **options) -> set[str]:
    report = verify_paths([path], VerifyOptions(workers=2, **options))
    return {p.check for p in report.problems if p.severity == severity}


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    return make_bag(tmp_path / "bag", PAYLOAD)


def test_a_clean_bag_verifies_without_any_finding(bag: Path):
    report = verify_paths([bag], VerifyOptions(workers=2))
    assert report.ok and report.problems == []
    assert report.checked["bags"] == 1 and report.checked["files"] == 3
    assert report.checked["bytes"] == sum(len(d) for d in PAYLOAD.values())


def test_bags_made_by_bagit_python_verify(tmp_path: Path):
    for version, algs in (("0.97", ["md5", "sha256"]), ("1.0", ["sha512"])):
        folder = tmp_path / f"bp-{version}"
        (folder / "x").mkdir(parents=True)
        (folder / "x" / "file.txt").write_text("content")
        made = bagit.make_bag(str(folder), checksums=algs)
        if version == "0.97":
            text = (folder / "bagit.txt").read_text().replace("1.0", "0.97")
            (folder / "bagit.txt").write_text(text)
            made = bagit.Bag(str(folder))
            made.save()
        report = verify_paths([folder], VerifyOptions(workers=1))
        assert report.ok and not report.problems, report.problems


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def edit_line(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("name", "tamper", "expected"), [
    ("byte flip", lambda b: flip(b / "data/a.txt"), {("bagit.checksum", "bag/data/a.txt")}),
    ("truncation", lambda b: (b / "data/sub/b.bin").write_bytes((b / "data/sub/b.bin").read_bytes()[:-1]),
     {("bagit.checksum", "bag/data/sub/b.bin"), ("bagit.payload-oxum", "bag/bag-info.txt")}),
    ("deletion", lambda b: (b / "data/c.txt").unlink(),
     {("bagit.missing-file", "bag/data/c.txt"), ("bagit.payload-oxum", "bag/bag-info.txt")}),
    ("extra file", lambda b: (b / "data/sub/new.txt").write_text("x"),
     {("bagit.unexpected-file", "bag/data/sub/new.txt")}),
    ("rename", lambda b: (b / "data/a.txt").rename(b / "data/A2.txt"),
     {("bagit.missing-file", "bag/data/a.txt"), ("bagit.unexpected-file", "bag/data/A2.txt")}),
    ("manifest line edited", lambda b: edit_line(b / "manifest-sha256.txt", "data/c.txt", "data/C.txt"),
     {("bagit.tag-checksum", "bag/manifest-sha256.txt"), ("bagit.missing-file", "bag/data/C.txt"),
      ("bagit.manifest-incomplete", "bag/data/c.txt")}),
    ("tag file edited", lambda b: (b / "bagit.txt").write_text("BagIt-Version: 1.0\n"
                                                                "Tag-File-Character-Encoding: UTF-8\n\n"),
     {("bagit.tag-checksum", "bag/bagit.txt"), ("bagit.declaration", "bag/bagit.txt")}),
    ("bag-info edited", lambda b: edit_line(b / "bag-info.txt", "Source-Organization: Test",
                                            "Source-Organization: Tost"),
     {("bagit.tag-checksum", "bag/bag-info.txt")}),
    ("Payload-Oxum wrong", lambda b: (edit_line(b / "bag-info.txt", "Payload-Oxum: ", "Payload-Oxum: 1"),
                                      retag(b)),
     {("bagit.payload-oxum", "bag/bag-info.txt")}),
])
def test_tampering_is_detected_and_named(bag: Path, name: str, tamper, expected):
    tamper(bag)
    found = errors(bag)
    assert expected <= found, (name, found)


def test_two_manifests_that_disagree(tmp_path: Path):
    bag = make_bag(tmp_path / "bag", PAYLOAD, tag_manifests=False)
    sha512 = bag / "manifest-sha512.txt"
    good = hashlib.sha512(PAYLOAD["data/a.txt"]).hexdigest()
    edit_line(sha512, good, hashlib.sha512(b"something else").hexdigest())
    report = verify_paths([bag], VerifyOptions(workers=2))
    (problem,) = [p for p in report.problems if p.severity == "error"]
    assert (problem.check, problem.path) == ("bagit.checksum", "bag/data/a.txt")
    assert "sha512" in problem.message and "disagree" in problem.message


def test_duplicate_manifest_entries(tmp_path: Path):
    bag = make_bag(tmp_path / "bag", PAYLOAD, tag_manifests=False)
    manifest = bag / "manifest-sha256.txt"
    line = next(x for x in manifest.read_text().splitlines() if x.endswith("data/c.txt"))
    manifest.write_text(manifest.read_text() + line + "\n")
    assert ("bagit.duplicate-entry", "bag/data/c.txt") in errors(bag)


ESCAPES = ["../outside.txt", "../bag2/data/x.txt", "data/../../outside.txt", "/etc/passwd", "~root/.profile",
           "C:/Windows/win.ini", "\\\\server\\share\\x.txt", "data/a\x00.txt", "..\\outside.txt"]


@pytest.mark.parametrize("entry", ESCAPES, ids=["dotdot", "sibling-prefix", "inner-dotdot", "absolute", "tilde",
                                                 "drive", "unc", "nul", "backslash-dotdot"])
@pytest.mark.parametrize("where", ["manifest-sha256.txt", "tagmanifest-sha256.txt", "fetch.txt"])
def test_escaping_paths_are_reported_and_never_opened(tmp_path: Path, monkeypatch, entry: str, where: str):
    bag = make_bag(tmp_path / "bag", PAYLOAD, tag_manifests=where == "tagmanifest-sha256.txt")
    (tmp_path / "outside.txt").write_text("outside")
    (tmp_path / "bag2" / "data").mkdir(parents=True)
    (tmp_path / "bag2" / "data" / "x.txt").write_text("sibling")
    line = f"{'0' * 64}  {entry}\n" if where != "fetch.txt" else f"https://example.org/x - {entry}\n"
    with open(bag / where, "a", encoding="utf-8") as handle:
        handle.write(line)
    opened: list[str] = []
    real = hashing.hash_file

    def recording(path, algorithms, on_bytes=None):
        opened.append(os.path.realpath(path))
        return real(path, algorithms, on_bytes)

    monkeypatch.setattr(hashing, "hash_file", recording)
    report = verify_paths([bag], VerifyOptions(workers=2))
    escapes = [p for p in report.problems if p.check == "bagit.path-escape"]
    assert escapes and escapes[0].path == f"bag/{where}" and not report.ok, report.problems
    assert opened and all(Path(p).is_relative_to(bag.resolve()) for p in opened), opened


def test_symbolic_links_out_of_the_bag_are_not_followed(tmp_path: Path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("not in the bag")
    bag = make_bag(tmp_path / "bag", {**PAYLOAD, "data/link.txt": b"not in the bag"})
    (bag / "data" / "link.txt").unlink()
    (bag / "data" / "link.txt").symlink_to(secret)
    opened: list[str] = []
    real = hashing.hash_file
    monkeypatch.setattr(hashing, "hash_file", lambda p, a, o=None: (opened.append(str(p)), real(p, a, o))[1])
    assert ("bagit.path-escape", "bag/data/link.txt") in errors(bag)
    assert not any("secret" in p or p.endswith("link.txt") for p in opened)
    # the payload folder itself as a link, and bag-info as a link out of the bag
    other = make_bag(tmp_path / "other", PAYLOAD, tag_manifests=False)
    os.rename(other / "data", tmp_path / "moved-data")
    (other / "data").symlink_to(tmp_path / "moved-data")
    assert ("bagit.path-escape", "other/data") in errors(other)
    (other / "bag-info.txt").unlink()
    (other / "bag-info.txt").symlink_to(secret)
    assert ("bagit.path-escape", "other/bag-info.txt") in errors(other)


def test_percent_encoded_and_unusual_names_round_trip(tmp_path: Path):
    names = {"data/line\nbreak.txt": b"1", "data/carriage\rreturn.txt": b"2", "data/100%.txt": b"3",
             "data/%250A literal.txt": b"4", "data/para\u2028sep\u0085.txt": b"5", "data/ trailing space .txt": b"6"}
    bag = make_bag(tmp_path / "bag", names)
    report = verify_paths([bag], VerifyOptions(workers=2))
    assert report.ok and not report.problems, report.problems
    # Before 1.0 there is no percent-encoding: the same manifests name files that do not exist.
    edit_line(bag / "bagit.txt", "1.0", "0.97")
    retag(bag)
    found = errors(bag)
    assert ("bagit.missing-file", "bag/data/line%0Abreak.txt") in found
    assert ("bagit.unexpected-file", "bag/data/line\nbreak.txt") in found
    assert ("bagit.missing-file", "bag/data/para\u2028sep\u0085.txt") not in found


def test_case_and_normalisation_twins_on_disk(tmp_path: Path):
    nfc, nfd = unicodedata.normalize("NFC", "data/café.txt"), unicodedata.normalize("NFD", "data/café.txt")
    bag = make_bag(tmp_path / "bag", {nfc: b"one", nfd: b"two", "data/Readme.txt": b"x", "data/README.txt": b"y"})
    report = verify_paths([bag], VerifyOptions(workers=2))
    twins = {p.path for p in report.problems if p.check == "bagit.case-collision"}
    assert report.ok and len(twins) == 2, report.problems


def test_declaration_rules(bag: Path):
    declaration = bag / "bagit.txt"
    for content in (b"\xef\xbb\xbfBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
                    b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n",
                    b"BagIt-Version: 1.0\n", b"BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n",
                    b"BagIt-Version: 1.0\nTag-File-Character-Encoding: KLINGON-8\n"):
        declaration.write_bytes(content)
        assert ("bagit.declaration", "bag/bagit.txt") in errors(bag), content
    declaration.unlink()
    assert ("bagit.declaration", "bag/bagit.txt") in errors(bag)  # still found as a bag by its manifests


def test_malformed_lines_and_unknown_algorithms(bag: Path):
    with open(bag / "manifest-sha256.txt", "a") as handle:
        handle.write("not-a-checksum data/a.txt\n" + "abc123  data/a.txt\n")
    (bag / "manifest-whirlpool.txt").write_text(f"{'0' * 128}  data/a.txt\n")
    found = errors(bag)
    assert ("bagit.malformed-line", "bag/manifest-sha256.txt") in found
    assert ("bagit.unknown-algorithm", "bag/manifest-whirlpool.txt") in found


def test_fetch_txt_entries(tmp_path: Path):
    bag = make_bag(tmp_path / "bag", PAYLOAD)
    (bag / "data" / "c.txt").unlink()
    (bag / "fetch.txt").write_text("https://example.org/c.txt 6 data/c.txt\n")
    retag(bag)
    report = verify_paths([bag], VerifyOptions(workers=2))
    assert ("bagit.fetch-pending", "bag/data/c.txt") in {(p.check, p.path) for p in report.problems}
    assert not any(p.check == "bagit.missing-file" for p in report.problems)


def test_fast_mode_checks_presence_and_oxum_only(bag: Path):
    flip(bag / "data" / "a.txt")
    assert checks(bag, fast=True) == set()  # a same-size change is invisible without hashing: documented
    assert ("bagit.checksum", "bag/data/a.txt") in errors(bag)
    (bag / "data" / "c.txt").unlink()
    assert {"bagit.missing-file", "bagit.payload-oxum"} <= checks(bag, fast=True)


def test_a_bag_verifies_after_a_careful_rehash_only_when_nothing_else_is_checked(bag: Path):
    """The limit of fixity: a re-hashed bag is consistent again. Only signatures (other tests) detect that."""
    (bag / "data" / "a.txt").write_bytes(b"replaced")
    rehash(bag)
    assert errors(bag) == set()


@pytest.mark.parametrize(("rel", "safe"), [
    ("data/a.txt", True), ("data/a..b.txt", True), (".hidden/x", True), ("data/~x", True), ("data/100%.txt", True),
    ("../x", False), ("data/../../x", False), ("/etc/passwd", False), ("~user/x", False), ("C:/x", False),
    ("c:x", False), ("\\\\server\\share", False), ("data/a\x00b", False), ("data\\..\\x", False), ("..", False),
])
def test_unsafe_reason(rel: str, safe: bool):
    from dsd_cli.verify.bagparse import unsafe_reason

    assert (unsafe_reason(rel) == "") is safe


def test_special_files_listed_in_a_manifest_are_never_opened(tmp_path: Path):
    """A FIFO would block a reader forever; a folder is not a file. Both are simply not payload files."""
    bag = make_bag(tmp_path / "bag", {**PAYLOAD, "data/pipe": b"", "data/folder": b""}, tag_manifests=False)
    (bag / "data" / "pipe").unlink()
    os.mkfifo(bag / "data" / "pipe")
    (bag / "data" / "folder").unlink()
    (bag / "data" / "folder").mkdir()
    found = errors(bag)
    assert {("bagit.missing-file", "bag/data/pipe"), ("bagit.missing-file", "bag/data/folder")} <= found


def test_an_archive_of_many_bags_gives_the_same_report_in_parallel(tmp_path: Path):
    archive = tmp_path / "archive"
    for i in range(7):
        make_bag(archive / f"bag{i}", {f"data/f{j}.bin": bytes([i, j]) * 3000 for j in range(3)})
    # one big bag among the small ones: its files are hashed in parallel, the small bags one thread per bag
    make_bag(archive / "big", {f"data/f{j}.bin": bytes([j]) * 400_000 for j in range(8)})
    flip(archive / "big" / "data" / "f7.bin")
    flip(archive / "bag3" / "data" / "f1.bin")
    (archive / "bag5" / "data" / "f0.bin").unlink()
    parallel = verify_paths([archive], VerifyOptions(workers=2))  # 7 bags >= 2 x workers: one thread per bag
    serial = verify_paths([archive], VerifyOptions(workers=1))
    assert parallel.problems == serial.problems and parallel.checked == serial.checked
    assert [(p.check, p.path) for p in parallel.problems if p.severity == "error"] == [
        ("bagit.checksum", "bag3/data/f1.bin"), ("bagit.checksum", "bag3/data/f1.bin"),
        ("bagit.missing-file", "bag5/data/f0.bin"), ("bagit.payload-oxum", "bag5/bag-info.txt"),
        ("bagit.checksum", "big/data/f7.bin"), ("bagit.checksum", "big/data/f7.bin")]


def test_a_name_changed_by_normalisation_is_named(tmp_path: Path):
    nfc = unicodedata.normalize("NFC", "data/café.txt")
    bag = make_bag(tmp_path / "bag", {**PAYLOAD, nfc: b"koffie"})
    (bag / nfc).rename(bag / unicodedata.normalize("NFD", nfc))
    found = errors(bag)
    assert ("bagit.name-mismatch", f"bag/{nfc}") in found
    assert ("bagit.unexpected-file", "bag/" + unicodedata.normalize("NFD", nfc)) in found


def test_an_oversized_declaration_is_not_read(bag: Path):
    (bag / "bagit.txt").write_bytes(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" + b" " * 10_000_000)
    assert ("bagit.declaration", "bag/bagit.txt") in errors(bag)
