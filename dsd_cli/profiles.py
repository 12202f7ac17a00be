"""Load and validate dsd profiles (TOML).

A profile says how one organisation archives: who it is, OCR languages, separator options, signing settings,
document types and the retention rules they follow. Loading is strict: an unknown key or a value of the wrong type
is a `ConfigError` that names the key (`ocr.langauges: unknown key`), because a typo in a retention rule must never
pass silently. Secrets (passphrases, PINs) never live in a profile.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsd_cli.errors import ConfigError

log = logging.getLogger(__name__)

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"
DEFAULT_PROFILE = "vlaanderen-ocmw"

TESSERACT_LANGUAGE = re.compile(r"^[a-z]{3}(_[a-z]+)?$")
DOC_TYPE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DISPOSITIONS = {"B": "keep (bewaren)", "V": "destroy (vernietigen)", "S": "sample (selectie)"}
TRIGGERS = ("dossier-closed", "dossier-opened", "document-date", "scan-date", "permanent")
COMPETENCES = ("flemish", "federal")
SIGNING_LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
CHECKSUMS = ("sha256", "sha512", "sha1", "md5")


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    version: str
    description: str = ""
    bagit_profile_identifier: str = ""
    """URI written to bag-info.txt as BagIt-Profile-Identifier."""


@dataclass(frozen=True)
class Organization:
    name: str
    address: str = ""
    identifier: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    language: str = "nl"
    """nl or fr: the default language of the documents dsd writes for people (reports, lists, METS labels)."""


OCR_ENGINES = ("tesseract", "ocrmypdf")
FLAGGED_DOCUMENTS = ("archive", "quarantine")


@dataclass(frozen=True)
class OcrSettings:
    engine: str = "tesseract"
    """'tesseract' (Tesseract's API, the scanned image kept as scanned) or 'ocrmypdf' (OCRmyPDF's pipeline)."""
    languages: tuple[str, ...] = ("nld", "fra")
    output_type: str = "pdfa-2"
    rotate_pages: bool = True
    deskew: bool = True
    rotate_threshold: float = 8.0
    """tesseract engine: a page is turned only when Tesseract's orientation confidence reaches this."""
    straighten_image: bool = False
    """tesseract engine: re-encode the page image straightened (losslessly, PNG) instead of keeping the scanner's
    bytes and absorbing the skew in the text layer's coordinates. Said so in the PREMIS event."""
    tessdata: str = ""
    """Folder with Tesseract's language data (*.traineddata); empty: TESSDATA_PREFIX or the system's."""
    clean: bool = False
    """ocrmypdf engine: unpaper. (The tesseract engine cleans noisy pages for recognition by itself.)"""
    optimize: int = 1
    """ocrmypdf engine: OCRmyPDF's --optimize."""
    timeout_seconds: int = 600


@dataclass(frozen=True)
class QaSettings:
    """Thresholds of the per-page quality flags, and what happens to a document with a flagged page."""

    flagged: str = "archive"
    """'archive': archived with its flags recorded; 'quarantine': held in quarantine for review."""
    min_confidence: float = 70.0
    """low-confidence: mean word confidence below this (on a page with min_words_for_confidence words)."""
    min_words_for_confidence: int = 5
    min_words_per_ink: float = 1500.0
    """few-words-for-ink: fewer words than ink share x this (a typed page has ~5000 words per unit of ink)."""
    min_ink: float = 0.004
    """Pages with less ink than this share of dark pixels count as (nearly) blank: not flagged for ink or
    orientation."""
    min_orientation_confidence: float = 1.5
    """uncertain-orientation: Tesseract's orientation confidence below this on a page with ink."""
    max_skew: float = 1.5
    """high-skew: residual skew (degrees) of the recognised lines above this."""
    min_language_share: float = 0.5
    """unknown-language: none of the profile's languages holds this share of the text."""
    min_words_for_language: int = 20


@dataclass(frozen=True)
class SeparatorSettings:
    readers: tuple[str, ...] = ("zxing", "zbar")
    raster_dpi: int = 200
    """Resolution at which PDF pages are rasterised for barcode reading."""
    drop_duplex_backs: bool = True
    """Drop a blank page directly after a separator sheet (its duplex back)."""
    drop_blank: bool = False
    """Drop every blank page."""
    blank_min_mark_mm: float = 5.0
    """A single mark at least this long (a signature, a stamp, a line) makes a page non-blank; shorter marks
    count only as a line of characters. Specks, punch holes, edge shadows and bleed-through never count."""
    dropped_pages_retention_days: int = 90
    """Days the images of dropped pages are kept in the archive's state folder; 0 keeps them until removed."""
    patch_t: bool = False
    """Accept PATCH-T sheets as generic separators (new document, same dossier)."""
    barcode_pattern: str = ""
    """Regular expression: a barcode whose text matches fully is a generic separator."""


@dataclass(frozen=True)
class SigningSettings:
    enabled: bool = True
    required: bool = True
    """`dsd verify` reports an unsigned archived PDF as a problem."""
    level: str = "B-B"
    reason: str = "Archived by dsd"
    location: str = ""
    tsa_url: str = ""
    pkcs12: str = ""
    """Path of a PKCS#12 key file. The passphrase comes from DSD_KEY_PASSPHRASE, a file or a prompt."""
    pkcs11_module: str = ""
    pkcs11_token: str = ""
    pkcs11_key: str = ""
    trust_roots: tuple[str, ...] = ()
    """PEM/DER certificate files trusted as roots when verifying."""


@dataclass(frozen=True)
class ArchiveSettings:
    checksums: tuple[str, ...] = ("sha256", "sha512")


@dataclass(frozen=True)
class StatsSettings:
    small_count_threshold: int = 5
    """`dsd stats` shows a count of dossiers or documents below this as "< N" (it could single out a family)."""
    timestamp_renewal_years: int = 5
    """`dsd stats` counts a document timestamp as due for renewal this many years after it was made."""


@dataclass(frozen=True)
class RetentionRule:
    id: str
    period_years: int
    trigger: str
    disposition: str
    competence: str
    description: str = ""


@dataclass(frozen=True)
class RetentionSettings:
    selection_list_version: str
    shipped_defaults: bool = False
    rules: tuple[RetentionRule, ...] = ()


@dataclass(frozen=True)
class DocumentType:
    code: str
    label_nl: str
    label_fr: str = ""
    retention_rule: str = ""


@dataclass(frozen=True)
class Profile:
    profile: ProfileInfo
    organization: Organization
    retention: RetentionSettings
    document_types: dict[str, DocumentType]
    ocr: OcrSettings = field(default_factory=OcrSettings)
    qa: QaSettings = field(default_factory=QaSettings)
    separators: SeparatorSettings = field(default_factory=SeparatorSettings)
    signing: SigningSettings = field(default_factory=SigningSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    stats: StatsSettings = field(default_factory=StatsSettings)
    source: Path | None = None

    @property
    def name(self) -> str:
        return self.profile.name

    def rule(self, rule_id: str) -> RetentionRule:
        for rule in self.retention.rules:
            if rule.id == rule_id:
                return rule
        raise ConfigError(f"retention rule {rule_id!r} is not defined in profile {self.name!r}")

    def rule_for_type(self, doc_type: str) -> RetentionRule:
        return self.rule(self.document_type(doc_type).retention_rule)

    def document_type(self, code: str) -> DocumentType:
        try:
            return self.document_types[code]
        except KeyError:
            known = ", ".join(sorted(self.document_types))
            raise ConfigError(
                f"document type {code!r} is not in profile {self.name!r}", hint=f"known types: {known}"
            ) from None


def _convert(value: Any, annotation: Any, where: str) -> Any:
    """Check `value` against a type annotation (str, int, float, bool, tuple[X, ...], dataclass)."""
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, got {type(value).__name__}")
        return _build(annotation, value, where)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_convert(v, item_type, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (types.UnionType, typing.Union):
        non_none = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _convert(value, non_none[0], where)
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported setting type {annotation!r}")  # pragma: no cover - dsd bug


def _build(cls: type, table: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        prefix = f"{where}." if where else ""
        names = ", ".join(prefix + k for k in unknown)
        raise ConfigError(f"unknown key{'s' if len(unknown) > 1 else ''} in profile: {names}",
                          hint=f"allowed in [{where or 'top level'}]: {', '.join(sorted(fields))}")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        key_where = f"{where}.{name}" if where else name
        if name in table:
            kwargs[name] = _convert(table[name], hints[name], key_where)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{key_where}: required key is missing")
    return cls(**kwargs)


DEPRECATED_KEYS = {
    ("separators", "blank_ink_ratio"): "blank pages are now told by their marks (separators.blank_min_mark_mm), "
                                       "not by a share of ink; the value is ignored",
}
"""Keys older profiles carry that dsd no longer uses: accepted with a warning, so an upgrade never stops a
scan server on a profile that was valid before."""


def _drop_deprecated(sections: dict[str, Any], source: Path | None) -> None:
    for (section, key), why in DEPRECATED_KEYS.items():
        table = sections.get(section)
        if isinstance(table, dict) and key in table:
            sections[section] = {k: v for k, v in table.items() if k != key}
            log.warning("%s: %s.%s is no longer used: %s; remove it from the profile",
                        source or "profile", section, key, why)


def parse_profile(data: dict[str, Any], source: Path | None = None) -> Profile:
    """Build a validated Profile from parsed TOML. Raises ConfigError naming the first bad key or value."""
    data = dict(data)
    raw_types = data.pop("document_types", None)
    if not isinstance(raw_types, dict) or not raw_types:
        raise ConfigError("document_types: at least one document type is required")
    sections = {k: v for k, v in data.items()}
    _drop_deprecated(sections, source)
    unknown = sorted(set(sections) - {"profile", "organization", "ocr", "separators", "signing", "archive",
                                      "retention", "qa", "stats"})
    if unknown:
        raise ConfigError(f"unknown section in profile: {', '.join(unknown)}")
    doc_types: dict[str, DocumentType] = {}
    for code, table in raw_types.items():
        if not DOC_TYPE_CODE.match(code):
            raise ConfigError(f"document_types.{code}: a type code is 1-40 lowercase letters, digits or '-'")
        if not isinstance(table, dict):
            raise ConfigError(f"document_types.{code}: expected a table")
        doc_types[code] = _build(DocumentType, {"code": code, **table}, f"document_types.{code}")
    built = {}
    for name, f in ((f.name, f) for f in dataclasses.fields(Profile)):
        if name in ("document_types", "source"):
            continue
        hint = typing.get_type_hints(Profile)[name]
        if name in sections:
            built[name] = _convert(sections[name], hint, name)
        elif f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"[{name}]: required section is missing")
    profile = Profile(document_types=doc_types, source=source, **built)
    _check_values(profile)
    return profile


def _check_values(p: Profile) -> None:
    if p.organization.language not in ("nl", "fr"):
        raise ConfigError(f"organization.language: {p.organization.language!r} is not nl or fr")
    for i, lang in enumerate(p.ocr.languages):
        if not TESSERACT_LANGUAGE.match(lang):
            raise ConfigError(f"ocr.languages[{i}]: {lang!r} is not a Tesseract language code such as 'nld'")
    if not p.ocr.languages:
        raise ConfigError("ocr.languages: at least one language is required")
    if p.ocr.output_type not in ("pdfa-1", "pdfa-2", "pdfa-3", "pdfa"):
        raise ConfigError(f"ocr.output_type: {p.ocr.output_type!r} is not one of pdfa-1, pdfa-2, pdfa-3")
    if p.ocr.engine not in OCR_ENGINES:
        raise ConfigError(f"ocr.engine: {p.ocr.engine!r} is not one of {', '.join(OCR_ENGINES)}")
    if p.qa.flagged not in FLAGGED_DOCUMENTS:
        raise ConfigError(f"qa.flagged: {p.qa.flagged!r} is not one of {', '.join(FLAGGED_DOCUMENTS)}")
    if p.ocr.tessdata and not Path(p.ocr.tessdata).expanduser().is_dir():
        raise ConfigError(f"ocr.tessdata: {p.ocr.tessdata!r} is not a folder")
    if not 0 <= p.ocr.optimize <= 3:
        raise ConfigError(f"ocr.optimize: {p.ocr.optimize} is not between 0 and 3")
    for i, reader in enumerate(p.separators.readers):
        if reader not in ("zxing", "zbar"):
            raise ConfigError(f"separators.readers[{i}]: {reader!r} is not 'zxing' or 'zbar'")
    if not p.separators.readers:
        raise ConfigError("separators.readers: at least one barcode reader is required")
    if not 72 <= p.separators.raster_dpi <= 600:
        raise ConfigError(f"separators.raster_dpi: {p.separators.raster_dpi} is not between 72 and 600")
    if not 1.0 <= p.separators.blank_min_mark_mm <= 50.0:
        raise ConfigError(f"separators.blank_min_mark_mm: {p.separators.blank_min_mark_mm} is not between 1 and 50")
    if p.separators.dropped_pages_retention_days < 0:
        raise ConfigError("separators.dropped_pages_retention_days: must not be negative")
    if p.separators.barcode_pattern:
        try:
            re.compile(p.separators.barcode_pattern)
        except re.error as exc:
            raise ConfigError(f"separators.barcode_pattern: not a valid regular expression ({exc})") from None
    if p.signing.level not in SIGNING_LEVELS:
        raise ConfigError(f"signing.level: {p.signing.level!r} is not one of {', '.join(SIGNING_LEVELS)}")
    for i, algo in enumerate(p.archive.checksums):
        if algo not in CHECKSUMS:
            raise ConfigError(f"archive.checksums[{i}]: {algo!r} is not one of {', '.join(CHECKSUMS)}")
    if "sha256" not in p.archive.checksums and "sha512" not in p.archive.checksums:
        raise ConfigError("archive.checksums: include sha256 or sha512")
    if not 2 <= p.stats.small_count_threshold <= 100:
        raise ConfigError(f"stats.small_count_threshold: {p.stats.small_count_threshold} is not between 2 and 100")
    if not 1 <= p.stats.timestamp_renewal_years <= 50:
        raise ConfigError(f"stats.timestamp_renewal_years: {p.stats.timestamp_renewal_years} is not between 1 and 50")
    seen: set[str] = set()
    for i, rule in enumerate(p.retention.rules):
        where = f"retention.rules[{i}] ({rule.id})"
        if rule.id in seen:
            raise ConfigError(f"{where}: duplicate rule id")
        seen.add(rule.id)
        if rule.disposition not in DISPOSITIONS:
            raise ConfigError(f"{where}.disposition: {rule.disposition!r} is not B, V or S")
        if rule.trigger not in TRIGGERS:
            raise ConfigError(f"{where}.trigger: {rule.trigger!r} is not one of {', '.join(TRIGGERS)}")
        if rule.competence not in COMPETENCES:
            raise ConfigError(f"{where}.competence: {rule.competence!r} is not flemish or federal")
        if rule.period_years < 0:
            raise ConfigError(f"{where}.period_years: must not be negative")
        if rule.trigger == "permanent" and rule.disposition != "B":
            raise ConfigError(f"{where}: a permanent rule must have disposition B (keep)")
    for code, doc_type in p.document_types.items():
        if doc_type.retention_rule and doc_type.retention_rule not in seen:
            raise ConfigError(f"document_types.{code}.retention_rule: rule {doc_type.retention_rule!r} "
                              "is not defined in [[retention.rules]]")


def load_profile(name_or_path: str | Path | None = None) -> Profile:
    """Load a profile by shipped name (`vlaanderen-ocmw`) or by path to a TOML file.

    Without an argument, `DSD_PROFILE` from the environment or the shipped default is used.
    """
    import os

    ref = str(name_or_path or os.environ.get("DSD_PROFILE") or DEFAULT_PROFILE)
    path = Path(ref)
    if not (path.suffix == ".toml" or path.exists()):
        path = PROFILES_DIR / f"{ref}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.toml")))
        raise ConfigError(f"profile not found: {ref}", hint=f"shipped profiles: {shipped}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_profile(data, source=path.resolve())
