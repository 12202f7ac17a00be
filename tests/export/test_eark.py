"""`dsd export --format e-ark`: an E-ARK SIP inside the export bag, checked against the METS and PREMIS schemas, the
mandatory requirements of E-ARK CSIP 2.2.0 and SIP 2.2.0 (the METS profiles E-ARK-CSIP-v2-2-0.xml and
E-ARK-SIP-v2-2-0.xml of the DILCIS Board), its own file references, and `dsd verify`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from dsd_cli.errors import ExitCode
from dsd_cli.export.eark.mets import SIP_PROFILE
from dsd_cli.export.eark.sip import SCHEMA_FILES, SCHEMAS
from dsd_cli.export.run import run_export
from dsd_cli.export.select import Criteria
from tests.conftest import run_dsd
from tests.export.conftest import bag_errors, tree_bytes

SHARED_SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "schemas"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"mets": "http://www.loc.gov/METS/", "xlink": "http://www.w3.org/1999/xlink",
      "csip": "https://DILCIS.eu/XML/METS/CSIPExtensionMETS", "sip": "https://DILCIS.eu/XML/METS/SIPExtensionMETS",
      "premis": "http://www.loc.gov/premis/v3", "dsdx": "https://dsd.example.org/ns/export-index/1"}
SELECTED = ("SD/2015/0001", "SD/2015/0003")

# Requirements as the profiles state them, written like their Schematron rules: (id, context, test). Every context
# must match at least one element (dsd uses each of these elements) and the test must hold for each match.
# MUST requirements, the SHOULDs dsd meets, and the conditional MUSTs of the elements dsd writes. Not listed:
# rightsMD (CSIP45-57, MAY: not written), the package-level content division without representation METS
# (CSIP101-104, 119: dsd uses the representation division of CSIP105-112), contact person and preservation
# agents (SIP21-31, MAY), file format attributes (SIP32-35, MAY: the formats are in PREMIS).
M = "/mets:mets"
HDR = f"{M}/mets:metsHdr"
SOFTWARE = f"{HDR}/mets:agent[@ROLE='CREATOR'][@TYPE='OTHER'][@OTHERTYPE='SOFTWARE']"
DMD_REF = f"{M}/mets:dmdSec/mets:mdRef"
AMD_REF = f"{M}/mets:amdSec/mets:digiprovMD/mets:mdRef"
GRP = f"{M}/mets:fileSec/mets:fileGrp"
FILE = f"{GRP}/mets:file"
CSIP_DIV = f"{M}/mets:structMap[@LABEL='CSIP']/mets:div"
REP_DIV = f"{CSIP_DIV}/mets:div[starts-with(@LABEL, 'Representations/')]"
CHECKED = ("@MIMETYPE", "@SIZE", "@CREATED", "@CHECKSUM", "@CHECKSUMTYPE")

COMMON = [
    ("CSIP1", M, "@OBJID"), ("CSIP2", M, "@TYPE = 'Other'"),  # 'Other' of the CSIP content category vocabulary
    ("CSIP3", f"{M}[@TYPE='Other']", "@csip:OTHERTYPE"),
    ("CSIP4", M, "@csip:CONTENTINFORMATIONTYPE"),
    ("CSIP5", f"{M}[@csip:CONTENTINFORMATIONTYPE='OTHER']", "@csip:OTHERCONTENTINFORMATIONTYPE"),
    ("CSIP6", M, "@PROFILE"), ("SIP1", M, "@LABEL"), ("SIP2", M, f"@PROFILE = '{SIP_PROFILE}'"),
    ("CSIP117", M, "count(mets:metsHdr) = 1"), ("CSIP7", HDR, "@CREATEDATE"), ("CSIP8", HDR, "@LASTMODDATE"),
    ("CSIP9", HDR, "@csip:OAISPACKAGETYPE"), ("SIP4", HDR, "@csip:OAISPACKAGETYPE = 'SIP'"),
    ("SIP3", HDR, "@RECORDSTATUS = 'NEW'"), ("CSIP10", HDR, "mets:agent"),
    ("CSIP11-13", HDR, "count(mets:agent[@ROLE='CREATOR'][@TYPE='OTHER'][@OTHERTYPE='SOFTWARE']) = 1"),
    ("CSIP14", SOFTWARE, "count(mets:name) = 1"), ("CSIP15", SOFTWARE, "count(mets:note) = 1"),
    ("CSIP16", SOFTWARE, "mets:note/@csip:NOTETYPE = 'SOFTWARE VERSION'"),
    ("SIP9-12", HDR, "mets:agent[@ROLE='ARCHIVIST'][@TYPE='ORGANIZATION' or @TYPE='INDIVIDUAL']/mets:name"),
    ("SIP15-18", HDR, "count(mets:agent[@ROLE='CREATOR'][@TYPE='ORGANIZATION' or @TYPE='INDIVIDUAL']/mets:name) = 1"),
    ("SIP10-11,16-17", f"{HDR}/mets:agent", "@ROLE and @TYPE and count(mets:name) = 1"),
    ("CSIP58", M, "count(mets:fileSec) = 1"), ("CSIP59", f"{M}/mets:fileSec", "@ID"),
    ("CSIP114", f"{M}/mets:fileSec", "mets:fileGrp[starts-with(@USE, 'Representations')]"),
    ("CSIP62", f"{GRP}[starts-with(@USE, 'Representations')]", "@csip:CONTENTINFORMATIONTYPE"),
    ("CSIP63", f"{GRP}[@csip:CONTENTINFORMATIONTYPE='OTHER']", "@csip:OTHERCONTENTINFORMATIONTYPE"),
    ("CSIP64", GRP, "@USE"), ("CSIP65", GRP, "@ID"), ("CSIP66", GRP, "mets:file"), ("CSIP67", FILE, "@ID"),
    *((f"CSIP{n}", FILE, test) for n, test in zip(range(68, 73), CHECKED, strict=True)),
    ("CSIP76", FILE, "count(mets:FLocat) = 1"), ("CSIP77", f"{FILE}/mets:FLocat", "@LOCTYPE = 'URL'"),
    ("CSIP78", f"{FILE}/mets:FLocat", "@xlink:type = 'simple'"), ("CSIP79", f"{FILE}/mets:FLocat", "@xlink:href"),
    ("CSIP80", M, "mets:structMap"), ("CSIP81-82", M, "count(mets:structMap[@TYPE='PHYSICAL'][@LABEL='CSIP']) = 1"),
    ("CSIP83", f"{M}/mets:structMap[@LABEL='CSIP']", "@ID"),
    ("CSIP84", f"{M}/mets:structMap[@LABEL='CSIP']", "count(mets:div) = 1"), ("CSIP85", CSIP_DIV, "@ID"),
    ("CSIP88,90", CSIP_DIV, "count(mets:div[@LABEL='Metadata']) = 1"),
    ("CSIP89", f"{CSIP_DIV}/mets:div[@LABEL='Metadata']", "@ID"),
]
PACKAGE = [
    ("CSIPSTR2", M, "@OBJID = $folder"),
    ("CSIP17", M, "mets:dmdSec"), ("CSIP18", f"{M}/mets:dmdSec", "@ID"), ("CSIP19", f"{M}/mets:dmdSec", "@CREATED"),
    ("CSIP20", f"{M}/mets:dmdSec", "@STATUS = 'CURRENT'"), ("CSIP21", f"{M}/mets:dmdSec", "count(mets:mdRef) = 1"),
    ("CSIP22", DMD_REF, "@LOCTYPE = 'URL'"), ("CSIP23", DMD_REF, "@xlink:type = 'simple'"),
    ("CSIP24", DMD_REF, "@xlink:href"), ("CSIP25", DMD_REF, "@MDTYPE"),
    *((f"CSIP{n}", DMD_REF, test) for n, test in zip(range(26, 31), CHECKED, strict=True)),
    ("CSIP31", M, "count(mets:amdSec) = 1"), ("CSIP32", f"{M}/mets:amdSec", "mets:digiprovMD"),
    ("CSIP33", f"{M}/mets:amdSec/mets:digiprovMD", "@ID"),
    ("CSIP34", f"{M}/mets:amdSec/mets:digiprovMD", "@STATUS = 'CURRENT'"),
    ("CSIP35", f"{M}/mets:amdSec/mets:digiprovMD", "count(mets:mdRef) = 1"),
    ("CSIP36", AMD_REF, "@LOCTYPE = 'URL'"), ("CSIP37", AMD_REF, "@xlink:type = 'simple'"),
    ("CSIP38", AMD_REF, "@xlink:href"), ("CSIP39", AMD_REF, "@MDTYPE = 'PREMIS'"),
    *((f"CSIP{n}", AMD_REF, test) for n, test in zip(range(40, 45), CHECKED, strict=True)),
    ("CSIP60", f"{M}/mets:fileSec", "mets:fileGrp[@USE='Documentation']"),
    ("CSIP113", f"{M}/mets:fileSec", "mets:fileGrp[@USE='Schemas']"),
    ("CSIP91", f"{CSIP_DIV}/mets:div[@LABEL='Metadata']", "@ADMID"),
    ("CSIP92", f"{CSIP_DIV}/mets:div[@LABEL='Metadata']", "@DMDID"),
    ("CSIP93,95", CSIP_DIV, "count(mets:div[@LABEL='Documentation']) = 1"),
    ("CSIP94", f"{CSIP_DIV}/mets:div[@LABEL='Documentation']", "@ID"),
    ("CSIP96,116", f"{CSIP_DIV}/mets:div[@LABEL='Documentation']", "mets:fptr/@FILEID"),
    ("CSIP97,99", CSIP_DIV, "count(mets:div[@LABEL='Schemas']) = 1"),
    ("CSIP98", f"{CSIP_DIV}/mets:div[@LABEL='Schemas']", "@ID"),
    ("CSIP100,118", f"{CSIP_DIV}/mets:div[@LABEL='Schemas']", "mets:fptr/@FILEID"),
    ("CSIP105", CSIP_DIV, "mets:div[starts-with(@LABEL, 'Representations/')]"), ("CSIP106", REP_DIV, "@ID"),
    ("CSIP108", f"{REP_DIV}/mets:mptr", "@xlink:title"), ("CSIP109", REP_DIV, "count(mets:mptr) = 1"),
    ("CSIP110", f"{REP_DIV}/mets:mptr", "@xlink:href"), ("CSIP111", f"{REP_DIV}/mets:mptr", "@xlink:type = 'simple'"),
    ("CSIP112", f"{REP_DIV}/mets:mptr", "@LOCTYPE = 'URL'"),
]
REPRESENTATION = [
    ("CSIP1", M, "@OBJID = $folder"),  # the representation METS names the representation folder
    # Its preservation metadata in its own metadata/ folder (CSIPSTR13), by mdRef from amdSec (CSIP31-44).
    ("CSIP31", M, "count(mets:amdSec) = 1"), ("CSIP32", f"{M}/mets:amdSec", "mets:digiprovMD"),
    ("CSIP34", f"{M}/mets:amdSec/mets:digiprovMD", "@STATUS = 'CURRENT'"), ("CSIP39", AMD_REF, "@MDTYPE = 'PREMIS'"),
    ("CSIPSTR13", AMD_REF, "starts-with(@xlink:href, 'metadata/')"),
    *((f"CSIP{n}", AMD_REF, test) for n, test in zip(range(40, 45), CHECKED, strict=True)),
    ("CSIP91", f"{CSIP_DIV}/mets:div[@LABEL='Metadata']", "@ADMID"),
    ("CSIP4", M, "@csip:CONTENTINFORMATIONTYPE"),  # mandatory for representation METS
    ("CSIP101,103", CSIP_DIV, "count(mets:div[@LABEL='Representations']) = 1"),
    ("CSIP102", f"{CSIP_DIV}/mets:div[@LABEL='Representations']", "@ID"),
    ("CSIP104,119", f"{CSIP_DIV}/mets:div[@LABEL='Representations']", "mets:fptr/@FILEID"),
]


def _schema(*names: str) -> etree.XMLSchema:
    """Schemas from ../shared/schemas; mets.xsd imports XLink from an http URL, resolved to the local copy."""
    assert SHARED_SCHEMAS.is_dir(), f"{SHARED_SCHEMAS} is missing: the tests need ../shared beside the repository"

    class Local(etree.Resolver):
        def resolve(self, url, pubid, context):
            local = SHARED_SCHEMAS / Path(url).name
            return self.resolve_filename(str(local), context) if local.is_file() else None

    namespaces = {"mets.xsd": NS["mets"], "premis-v3.xsd": NS["premis"]}
    imports = "".join(f'<xs:import namespace="{namespaces[n]}" schemaLocation="{(SHARED_SCHEMAS / n).as_uri()}"/>'
                      for n in names)
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    parser.resolvers.add(Local())
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=SHARED_SCHEMAS.as_uri() + "/"))


def _parse(path: Path) -> etree._ElementTree:
    tree = etree.parse(str(path), etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False))
    assert tree.docinfo.doctype == "", "dsd never writes a DOCTYPE"
    return tree


def _sip(bag: Path) -> Path:
    (sip,) = (bag / "data").iterdir()
    return sip


def _violations(tree: etree._ElementTree, rules: list[tuple[str, str, str]], folder: str) -> list[str]:
    found = []
    for req, context, test in rules:
        nodes = tree.xpath(context, namespaces=NS)
        if not nodes:
            found.append(f"{req}: nothing matches {context}")
        found += [f"{req}: {test} fails at {tree.getpath(n)}" for n in nodes
                  if not n.xpath(f"boolean({test})", namespaces=NS, folder=folder)]
    return found


def _references(mets: Path) -> list[tuple[Path, etree._Element]]:
    """Every file a METS document points to (FLocat, mdRef, mptr), resolved against the METS folder."""
    tree = _parse(mets)
    found = []
    for node in tree.xpath("//mets:FLocat | //mets:mdRef | //mets:mptr", namespaces=NS):
        href = node.get(f"{{{NS['xlink']}}}href")
        assert href and not href.startswith("/") and "://" not in href, f"{href!r} is not a relative path"
        target = (mets.parent / href).resolve()
        holder = node if node.tag.endswith("mdRef") else node.getparent()
        found.append((target, holder))
    return found


@pytest.fixture
def sip_bag(archive: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out" / "sip-export"
    result = run_export(archive, Criteria(dossiers=SELECTED), out, export_format="e-ark")
    assert result.export_format == "e-ark" and result.result.documents == 4
    return out


def test_the_sip_index_says_the_selection_in_its_language(archive: Path, tmp_path: Path):
    out = tmp_path / "sip-fr"
    run_export(archive, Criteria(dossiers=SELECTED, until=dt.date(2030, 1, 1)), out, export_format="e-ark",
               lang="fr")
    page = (_sip(out) / "documentation" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "dossiers SD/2015/0001 SD/2015/0003; datés du … au 2030-01-01" in page
    assert "dated" not in page
    described = etree.parse(str(_sip(out) / "metadata" / "descriptive" / "index.xml")).getroot().get("criteria")
    assert described == "dossiers SD/2015/0001 SD/2015/0003; dated … to 2030-01-01", "the metadata stays as is"


def test_mets_and_premis_validate_against_their_schemas(sip_bag: Path):
    sip = _sip(sip_bag)
    mets = _schema("mets.xsd")
    for path in (sip / "METS.xml", sip / "representations" / "rep1" / "METS.xml"):
        assert mets.validate(_parse(path)), f"{path.name}: {mets.error_log}"
    premis = _schema("premis-v3.xsd")
    for path in (sip / "metadata/preservation/premis.xml",
                 sip / "representations/rep1/metadata/preservation/premis.xml"):
        assert premis.validate(_parse(path)), f"{path}: {premis.error_log}"
    for path in (sip / "METS.xml", sip / "representations" / "rep1" / "METS.xml"):  # PREMIS named with METS
        locations = _parse(path).getroot().get(f"{{{XSI}}}schemaLocation").split()
        named = dict(zip(locations[::2], locations[1::2], strict=True))
        assert (path.parent / named[NS["premis"]]).resolve() == (sip / "schemas" / "premis-v3.xsd").resolve()
        assert (path.parent / named[NS["mets"]]).resolve() == (sip / "schemas" / "mets.xsd").resolve()
    index_schema = etree.XMLSchema(_parse(sip / "schemas" / "dsd-export-index-1.xsd"))
    assert index_schema.validate(_parse(sip / "metadata/descriptive/index.xml")), index_schema.error_log
    for name in ("mets.xsd", "xlink.xsd", "premis-v3.xsd"):  # the copies dsd ships are the published ones
        assert (sip / "schemas" / name).read_bytes() == (SHARED_SCHEMAS / name).read_bytes()
    assert sorted(p.name for p in (sip / "schemas").iterdir()) == sorted(SCHEMA_FILES)


def test_every_mandatory_csip_and_sip_requirement_is_met(sip_bag: Path):
    sip = _sip(sip_bag)
    assert sip.name.startswith("uuid-") and all(c.isalnum() or c == "-" for c in sip.name), \
        "the package folder name is its OBJID: safe characters, no dossier number"
    root = _parse(sip / "METS.xml")
    assert _violations(root, COMMON + PACKAGE, sip.name) == []
    rep = _parse(sip / "representations" / "rep1" / "METS.xml")
    assert _violations(rep, COMMON + REPRESENTATION, "rep1") == []
    for tree in (root, rep):  # the namespace declarations the profiles ask for on the root element
        assert {k: v for k, v in tree.getroot().nsmap.items() if k in NS} == {
            k: NS[k] for k in ("mets", "xlink", "csip", "sip")}
    for tree in (root, rep):  # every ID unique in its document, every ID reference resolves
        ids = tree.xpath("//@ID")
        assert len(ids) == len(set(ids))
        refs = [v for a in ("FILEID", "ADMID", "DMDID") for attr in tree.xpath(f"//@{a}") for v in attr.split()]
        refs += tree.xpath("//mets:mptr/@xlink:title", namespaces=NS)
        assert refs and set(refs) <= set(ids)
    for div in root.xpath(REP_DIV, namespaces=NS):  # CSIP107: the division's label is its file group's USE
        (group,) = root.xpath("//mets:fileGrp[@ID = $id]", namespaces=NS,
                              id=div.xpath("string(mets:mptr/@xlink:title)", namespaces=NS))
        assert div.get("LABEL") == group.get("USE") == "Representations/rep1"
    # The structural requirements CSIPSTR1-16 that apply: one root folder, METS.xml, metadata/, representations/.
    for rel in ("METS.xml", "metadata/descriptive", "metadata/preservation", "representations/rep1/METS.xml",
                "representations/rep1/data", "representations/rep1/metadata/preservation/premis.xml", "schemas",
                "documentation"):
        assert (sip / rel).exists(), rel
    # A requirement that is not met is found: the check can fail.
    root.getroot().attrib.pop("PROFILE")
    assert {v.split(":")[0] for v in _violations(root, COMMON + PACKAGE, sip.name)} == {"CSIP6", "SIP2"}


def test_every_referenced_file_exists_with_its_size_and_checksum(sip_bag: Path):
    sip = _sip(sip_bag)
    referenced = set()
    for mets in (sip / "METS.xml", sip / "representations" / "rep1" / "METS.xml"):
        for target, holder in _references(mets):
            assert target.is_file() and target.resolve().is_relative_to(sip.resolve()), target
            referenced.add(target)
            if holder.get("SIZE") is None:  # an mptr: the representation METS is also a file of a fileGrp
                continue
            data = target.read_bytes()
            assert int(holder.get("SIZE")) == len(data), target
            assert holder.get("CHECKSUMTYPE") == "SHA-256"
            assert holder.get("CHECKSUM") == hashlib.sha256(data).hexdigest(), target
    everything = {p.resolve() for p in sip.rglob("*") if p.is_file()}
    assert everything - referenced == {(sip / "METS.xml").resolve()}, "every other file is described in METS"
    premis = _parse(sip / "metadata/preservation/premis.xml")
    for obj in premis.xpath("//premis:object", namespaces=NS):
        rel = obj.xpath("string(premis:objectIdentifier/premis:objectIdentifierValue)", namespaces=NS)
        data = (sip / rel).read_bytes()
        assert obj.xpath("string(.//premis:fixity[premis:messageDigestAlgorithm='SHA-256']/premis:messageDigest)",
                         namespaces=NS) == hashlib.sha256(data).hexdigest()
        assert obj.xpath("number(.//premis:size)", namespaces=NS) == len(data)
    events = premis.xpath("//premis:eventType/text()", namespaces=NS)
    assert {"capture", "ocr", "signing", "packaging", "fixity check", "information package creation"} <= set(events)


def test_exactly_the_selected_documents_byte_for_byte(sip_bag: Path, archive: Path):
    sip = _sip(sip_bag)
    data = sip / "representations" / "rep1" / "data"
    exported = {p.relative_to(data).as_posix(): p.read_bytes() for p in data.rglob("*") if p.is_file()}
    wanted = {}
    for bag in (archive / "SD~2F2015~2F0001", archive / "SD~2F2015~2F0003"):
        for rel, content in tree_bytes(bag / "data" / "documents").items():
            wanted[f"{bag.name}/{rel}"] = content
    assert exported == wanted
    everything = b"\x00".join(tree_bytes(sip_bag).values())
    for bag in archive.glob("SD*"):
        if bag.name in {"SD~2F2015~2F0001", "SD~2F2015~2F0003"}:
            continue
        for content in tree_bytes(bag / "data" / "documents").values():
            assert content not in everything, f"a document of {bag.name} leaked into the export"
        assert bag.name.encode() not in everything
    index = _parse(sip / "metadata/descriptive/index.xml")
    assert index.xpath("//dsdx:dossier/@id", namespaces=NS) == list(SELECTED)
    assert sorted(index.xpath("//dsdx:document/@file", namespaces=NS)) == sorted(
        f"representations/rep1/data/{rel}" for rel in wanted)


def test_dsd_verify_accepts_the_bag_also_zipped(sip_bag: Path, archive: Path, tmp_path: Path):
    assert bag_errors(sip_bag) == []
    info = (sip_bag / "bag-info.txt").read_text()
    assert f"External-Identifier: {_sip(sip_bag).name}" in info and "Export-Format: e-ark" in info
    assert "Export-Source-Bag: SD/2015/0001 bag SD~2F2015~2F0001 version 1" in info
    zipped = run_export(archive, Criteria(dossiers=SELECTED), tmp_path / "sip.zip", fmt="zip", export_format="e-ark")
    with zipfile.ZipFile(zipped.output) as zf:
        zf.extractall(tmp_path / "unzipped")
    assert bag_errors(tmp_path / "unzipped" / "sip") == []
    # A changed byte in the SIP's METS is found.
    mets = _sip(tmp_path / "unzipped" / "sip") / "METS.xml"
    mets.write_bytes(mets.read_bytes().replace(b"RECORDSTATUS=\"NEW\"", b"RECORDSTATUS=\"OLD\""))
    assert [p.check for p in bag_errors(tmp_path / "unzipped" / "sip")]


def test_cli_export_e_ark_and_unknown_format(signed_archive, tmp_path: Path):
    out = tmp_path / "sip.zip"
    done = run_dsd("export", "--archive", signed_archive.archive, "--dossier", signed_archive.dossier,
                   "--format", "e-ark", "-o", out, "--zip", "--json")
    assert done.code == ExitCode.OK, done.stderr
    answer = json.loads(done.stdout)
    assert answer["format"] == "e-ark" and answer["kind"] == "zip" and answer["documents"] == 1
    with zipfile.ZipFile(out) as zf:
        zf.extractall(tmp_path / "x")
    verified = run_dsd("verify", tmp_path / "x" / "sip", "--trust", signed_archive.ca_certificate)
    assert verified.code == ExitCode.OK, verified.stdout + verified.stderr
    assert _sip(tmp_path / "x" / "sip").joinpath("METS.xml").is_file()
    folder = run_dsd("export", "--archive", signed_archive.archive, "--dossier", signed_archive.dossier,
                     "--format", "e-ark", "-o", tmp_path / "sip-folder")
    assert folder.code == ExitCode.OK and "e-ark" in folder.stdout
    assert run_dsd("verify", tmp_path / "sip-folder", "--trust", signed_archive.ca_certificate).code == ExitCode.OK
    wrong = run_dsd("export", "--archive", signed_archive.archive, "--dossier", signed_archive.dossier,
                    "--format", "mets", "-o", tmp_path / "wrong")
    assert wrong.code == ExitCode.USAGE and "--format" in wrong.stderr
    assert not (tmp_path / "wrong").exists()
    assert "--format e-ark" in run_dsd("export", "--help").stdout
    log = [json.loads(line) for line in (signed_archive.archive / "audit" / "audit-log.jsonl").read_text().splitlines()]
    assert [e["detail"]["format"] for e in log if e["action"] == "export"] == ["e-ark", "e-ark"]
    assert SCHEMAS.is_dir()
