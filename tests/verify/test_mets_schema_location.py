"""A dossier bag's metadata/mets.xml validates against the METS schema alone: its xsi:schemaLocation names every
schema it uses (METS, and PREMIS for the objects, events and agents inside it), so a validator that starts from
the METS schema and follows the document's own schema locations needs nothing else. The schemas come from
../shared/schemas through an lxml Resolver; nothing is fetched."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tests.conftest import SHARED

SCHEMAS = SHARED / "schemas"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
METS, PREMIS = "http://www.loc.gov/METS/", "http://www.loc.gov/premis/v3"
LOCAL = {"mets.xsd": "mets.xsd", "xlink.xsd": "xlink.xsd", "premis.xsd": "premis-v3.xsd",
         "premis-v3.xsd": "premis-v3.xsd"}
"""The file names published schema locations end in -> the copy in ../shared/schemas."""


class _Local(etree.Resolver):
    def resolve(self, url, pubid, context):
        name = LOCAL.get(Path(url).name)
        return self.resolve_filename(str(SCHEMAS / name), context) if name else None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    parser.resolvers.add(_Local())
    return parser


def schema_named_by(document: etree._ElementTree) -> etree.XMLSchema:
    """The METS schema plus every schema the document's xsi:schemaLocation names (and none it does not)."""
    pairs = document.getroot().get(XSI, "").split()
    named = dict(zip(pairs[::2], pairs[1::2], strict=True))
    assert named.get(METS), "the document does not name the METS schema"
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{url}"/>' for ns, url in named.items())
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), _parser(), base_url=SCHEMAS.as_uri() + "/"))


def test_bag_mets_validates_against_the_schemas_it_names(signed_archive: Path):
    for mets_file in sorted(signed_archive.glob("*/metadata/mets.xml")):
        document = etree.parse(str(mets_file), _parser())
        schema = schema_named_by(document)
        assert schema.validate(document), f"{mets_file}: {schema.error_log}"
        assert document.getroot().find(f".//{{{PREMIS}}}object") is not None  # PREMIS was validated too


def test_without_premis_in_schema_location_the_same_mets_fails(signed_archive: Path):
    """What the issue found: METS alone cannot resolve the PREMIS types (xsi:type="premis:file") inside it."""
    mets_file = next(signed_archive.glob("*/metadata/mets.xml"))
    document = etree.parse(str(mets_file), _parser())
    document.getroot().set(XSI, f"{METS} http://www.loc.gov/standards/mets/mets.xsd")
    schema = schema_named_by(document)
    assert not schema.validate(document)
    assert "premis" in str(schema.error_log).lower()
