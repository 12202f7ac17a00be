"""Small PDFs made in the test: one that passes dsd's PDF/A checks, variants that break one rule each, and a
throw-away PKI to sign them with (cryptography + pyHanko, nothing from other test folders)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pikepdf
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pikepdf import Array, Dictionary, Name, Stream
from PIL import ImageCms

CONTENT = b"0.2 0.4 0.6 rg 100 100 200 300 re f\n"


def pdfa_like(path: Path, *, claim: bool = True, intent: bool = True, title: str = "Aanvraag") -> Path:
    """A one-page PDF that claims PDF/A-2b, has an sRGB output intent and consistent Info/XMP; no fonts."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].obj.Contents = Stream(pdf, CONTENT)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        if claim:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
    if intent:
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        pdf.Root.OutputIntents = Array([Dictionary(
            Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier="sRGB",
            DestOutputProfile=pdf.make_indirect(Stream(pdf, icc, N=3)))])
    pdf.save(path)
    return path


def modify(path: Path, change) -> Path:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    return path


def add_attachment(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["tool.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 pretend executable")


def add_javascript(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS="app.alert(1)"))


def add_launch(pdf: pikepdf.Pdf) -> None:
    annot = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 10, 10]), F=4,
                       A=Dictionary(S=Name.Launch, F="calc.exe"))
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(annot)])


def add_external_stream(pdf: pikepdf.Pdf) -> None:
    form = Stream(pdf, b"", Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 10, 10]),
                  F=Dictionary(Type=Name.Filespec, F="elsewhere.bin"))
    pdf.pages[0].obj.Resources = Dictionary(XObject=Dictionary(X1=pdf.make_indirect(form)))


def add_unembedded_font(pdf: pikepdf.Pdf) -> None:
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    pdf.pages[0].obj.Resources = Dictionary(Font=Dictionary(F1=pdf.make_indirect(font)))
    pdf.pages[0].obj.Contents = Stream(pdf, b"BT /F1 12 Tf 72 72 Td (Hallo) Tj ET\n")


def change_info_title(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo["/Title"] = "Something else"


def encrypt(path: Path, user: str = "") -> Path:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner-secret", user=user))
    return path


class TestPki:
    """A root CA and a signer certificate (ECDSA P-256), written as PEM files."""

    def __init__(self, folder: Path, name: str = "Verify Test") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Root")])
        self.ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
                        .public_key(self.ca_key.public_key()).serial_number(x509.random_serial_number())
                        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
                        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                       critical=True)
                        .sign(self.ca_key, hashes.SHA256()))
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = (x509.CertificateBuilder()
                     .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Signer")]))
                     .issuer_name(ca_name).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=300))
                     .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                                    critical=True)
                     .sign(self.ca_key, hashes.SHA256()))
        self.ca_pem = folder / "root.pem"
        self.ca_pem.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))
        self.cert_pem = folder / "signer.pem"
        self.cert_pem.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self.key_pem = folder / "signer-key.pem"
        self.key_pem.write_bytes(self.key.private_bytes(serialization.Encoding.PEM,
                                                        serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))

    def sign(self, path: Path) -> Path:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers

        signer = signers.SimpleSigner.load(str(self.key_pem), str(self.cert_pem), ca_chain_files=(str(self.ca_pem),))
        out = io.BytesIO()
        writer = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
        signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Signature1"), signer=signer, output=out)
        path.write_bytes(out.getvalue())
        return path


def add_named_print(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = Dictionary(S=Name.Named, N=Name.Print)
