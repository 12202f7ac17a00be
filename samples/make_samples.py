"""Regenerate the sample scan batch in samples/scans/ (deterministic).

    .venv/bin/python samples/make_samples.py

Three kinds of scanner output, as a social service's scanners write them:
  scans/2024-11-04-balie.tif      a multi-page greyscale TIFF (front desk scanner, 200 dpi, deflate)
  scans/scanner-export.pdf        a scanner PDF of JPEG pages (archive project, 200 dpi)
  scans/losse-paginas/            single pages as PNG and JPEG files (a phone or flatbed)
Separator sheets are real `dsd sheets` output, rasterised with a slight skew and scanner noise; one is followed by
its blank duplex back. Letters are Dutch and French; an energy invoice carries an EPC payment QR code,
which must not split anything. Also writes register.csv and expected.json (what a correct
split must find, and one distinctive word per page to look for in the OCR text).
"""

from __future__ import annotations

import datetime
import io
import json
import random
import textwrap
from pathlib import Path

import img2pdf
import pikepdf
import pypdfium2
import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from dsd_cli.profiles import load_profile
from dsd_cli.sheets.render import SheetSpec, write_sheets

HERE = Path(__file__).resolve().parent
SCANS = HERE / "scans"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
DPI = 200
A4 = (int(8.27 * DPI), int(11.69 * DPI))

REGISTER = [
    ("SD/2024/0001", "Familie Janssens", "Team Inkomen", "2024-01-15", "", "no"),
    ("SD/2024/0002", "Mevrouw Dubois", "Team Wonen", "2023-05-02", "2024-10-31", "no"),
    ("BB-2023-117", "Familie El Amrani", "Schuldbemiddeling", "2023-02-01", "2024-06-30", "yes"),
    ("SD/2024/0003", "De heer Maes", "Team Wonen", "2024-03-11", "", "no"),
]

# (dossier, type, pages: list of (keyword, letter text))
LETTERS = {
    "aanvraag": [("leefloonaanvraag", "Betreft: leefloonaanvraag\n\nGeachte mevrouw, geachte heer,\n\nHierbij vraag "
                  "ik een leefloon aan voor mijn gezin. Sinds september ben ik werkloos en mijn uitkering is nog "
                  "niet toegekend. Ik voeg mijn identiteitskaart en de laatste rekeninguittreksels toe.\n\n"
                  "Met vriendelijke groeten,\nAnna Janssens"),
                 ("gezinssamenstelling", "Bijlage: gezinssamenstelling\n\nIn het gezin wonen twee volwassenen en "
                  "drie kinderen. De oudste zoon volgt een opleiding in het volwassenenonderwijs. Er zijn geen "
                  "andere inkomsten dan het kindergeld.")],
    "inkomen": [("loonbrief", "Loonbrief oktober 2024\n\nBrutoloon: 1.845,20 EUR\nBedrijfsvoorheffing: 210,44 EUR\n"
                 "Nettoloon: 1.512,08 EUR\n\nWerkgever: Schoonmaakbedrijf Noord bv, Industrieweg 12."),
                ("groeipakket", "Overzicht groeipakket\n\nVoor de drie kinderen wordt maandelijks een groeipakket "
                 "uitbetaald. Het startbedrag en de schooltoeslag zijn inbegrepen. Wijzigingen in de "
                 "gezinssituatie moeten binnen de maand gemeld worden.")],
    "schuldbemiddeling": [("afbetalingsplan", "Voorstel van afbetalingsplan\n\nDe schuldbemiddelaar stelt voor om "
                           "maandelijks 150 EUR af te lossen aan de schuldeisers, verdeeld volgens de omvang van de "
                           "schulden. De energieleverancier gaat akkoord met een spreiding over achttien maanden.")],
    "briefwisseling": [("recommandée", "Objet : lettre recommandée\n\nMadame,\n\nNous accusons réception de votre "
                        "demande d'aide au logement. Votre dossier sera examiné par le comité spécial du service "
                        "social lors de sa prochaine séance. Veuillez agréer nos salutations distinguées."),
                       ("allocations", "Annexe : relevé des allocations familiales\n\nLes allocations sont versées "
                        "chaque mois sur le compte de la bénéficiaire. Le montant tient compte de la situation "
                        "familiale déclarée au service social.")],
    "beslissing": [("goedgekeurd", "Beslissing van het Bijzonder Comité voor de Sociale Dienst\n\nHet comité heeft "
                    "de aanvraag tot huurwaarborg goedgekeurd. Het bedrag wordt rechtstreeks aan de verhuurder "
                    "betaald. Tegen deze beslissing kan beroep worden aangetekend bij de arbeidsrechtbank.")],
    "energie": [("energiefactuur", "Energiefactuur november 2024\n\nVoorschotfactuur elektriciteit en aardgas "
                 "voor het adres Kerkstraat 5. Te betalen bedrag: 96,40 EUR. Gebruik de QR-code hieronder om te "
                 "betalen met uw bankapp.")],
    "medisch": [("geneesmiddelen", "Medisch attest\n\nOndergetekende, huisarts, verklaart dat de patiënt "
                 "wegens een chronische aandoening dagelijks geneesmiddelen nodig heeft. De kosten worden "
                 "geraamd op 45 EUR per maand.")],
    "huisvesting": [("huurcontract", "Huurcontract sociale woning\n\nTussen de sociale huisvestingsmaatschappij en "
                     "de huurder wordt een huurovereenkomst gesloten voor de woning gelegen aan de Lindenlaan 8. "
                     "De maandelijkse huurprijs bedraagt 412 EUR."),
                    ("plaatsbeschrijving", "Plaatsbeschrijving bij intrede\n\nDe woonkamer, keuken en badkamer "
                     "zijn in goede staat. In de slaapkamer is een kleine vochtvlek opgemerkt aan het plafond.")],
}


def scanned(image: Image.Image, rng: random.Random, skew: float) -> Image.Image:
    """Make a clean page look scanned: slight skew, paper tone, blur and specks."""
    page = image.convert("L").rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    page = page.point(lambda v: int(v * 0.92 + 12))
    draw = ImageDraw.Draw(page)
    for _ in range(60):
        x, y = rng.randrange(page.width), rng.randrange(page.height)
        draw.point((x, y), fill=rng.randrange(90, 200))
    return page


EPC_QR = "BCD\n002\n1\nSCT\nGEBABEBB\nVoorbeeld Energie nv\nBE71096123456769\nEUR96.40\n\n\nFactuur 2024/1187"


def letter(keyword: str, text: str, rng: random.Random) -> Image.Image:
    page = Image.new("L", A4, 255)
    if keyword == "energiefactuur":
        buffer = io.BytesIO()
        segno.make(EPC_QR, error="m").save(buffer, kind="png", scale=7, border=4)
        code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
        page.paste(code, (A4[0] - code.width - 160, A4[1] - code.height - 260))
    draw = ImageDraw.Draw(page)
    head = ImageFont.truetype(str(FONT_BOLD), 34)
    body = ImageFont.truetype(str(FONT), 30)
    draw.text((160, 140), "Sociaal Huis Voorbeeldstad", font=head, fill=0)
    draw.text((160, 190), "Marktplein 1, 9999 Voorbeeldstad", font=body, fill=60)
    y = 380
    for paragraph in text.split("\n"):
        for line in textwrap.wrap(paragraph, 62) or [""]:
            draw.text((160, y), line, font=body, fill=0)
            y += 46
    return scanned(page, rng, rng.uniform(-1.2, 1.2))


def sheet(dossier: str, doc_type: str, rng: random.Random, work: Path) -> Image.Image:
    pdf_path = work / "sheet.pdf"
    write_sheets([SheetSpec(dossier, doc_type)], pdf_path, load_profile())
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    image = ImageOps.grayscale(pdf[0].render(scale=DPI / 72).to_pil())
    pdf.close()
    pdf_path.unlink()
    return scanned(image, rng, rng.uniform(-2.5, 2.5))


def blank_back(rng: random.Random) -> Image.Image:
    return scanned(Image.new("L", A4, 255), rng, 0)


def build() -> dict:
    rng = random.Random(2024)
    SCANS.mkdir(exist_ok=True)
    for old in SCANS.rglob("*"):
        if old.is_file():
            old.unlink()
    expected: dict = {"batches": []}

    def pages_for(dossier: str, doc_type: str, back: bool = False) -> tuple[list[Image.Image], dict]:
        images = [sheet(dossier, doc_type, rng, SCANS)]
        if back:
            images.append(blank_back(rng))
        letters = LETTERS[doc_type]
        images += [letter(k, t, rng) for k, t in letters]
        return images, {"dossier": dossier, "type": doc_type, "pages": len(letters),
                        "keywords": [k for k, _ in letters]}

    # 1. multi-page TIFF from the front desk
    tiff_docs = [pages_for("SD/2024/0001", "aanvraag", back=True), pages_for("SD/2024/0001", "inkomen"),
                 pages_for("BB-2023-117", "schuldbemiddeling"), pages_for("BB-2023-117", "energie")]
    # 32 grey levels: looks the same and reads the same, but deflate halves the file (samples/ stays small)
    frames = [ImageOps.posterize(img, 5) for images, _ in tiff_docs for img in images]
    frames[0].save(SCANS / "2024-11-04-balie.tif", save_all=True, append_images=frames[1:],
                   compression="tiff_adobe_deflate", dpi=(DPI, DPI))
    expected["batches"].append({"file": "2024-11-04-balie.tif", "pages": len(frames), "dropped": 1,
                                "documents": [d for _, d in tiff_docs]})

    # 2. scanner PDF with JPEG pages
    pdf_docs = [pages_for("SD/2024/0002", "briefwisseling"), pages_for("SD/2024/0002", "beslissing")]
    jpegs = []
    for images, _ in pdf_docs:
        for image in images:
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=70, dpi=(DPI, DPI))
            jpegs.append(buffer.getvalue())
    scanned_at = datetime.datetime(2024, 11, 4, 10, 30, tzinfo=datetime.UTC)  # fixed: the file is reproducible
    with pikepdf.open(io.BytesIO(img2pdf.convert(jpegs, creationdate=scanned_at, moddate=scanned_at))) as pdf:
        del pdf.trailer.ID  # img2pdf's random file identifier
        pdf.save(SCANS / "scanner-export.pdf", deterministic_id=True)
    expected["batches"].append({"file": "scanner-export.pdf", "pages": len(jpegs), "dropped": 0,
                                "documents": [d for _, d in pdf_docs]})

    # 3. a folder of single pages (PNG for the sheet, JPEG for the letters)
    folder = SCANS / "losse-paginas"
    folder.mkdir(exist_ok=True)
    images, doc = pages_for("SD/2024/0003", "huisvesting")
    more, doc2 = pages_for("SD/2024/0003", "medisch")
    images += more
    for number, image in enumerate(images, start=1):
        if number in (1, len(images) - len(more) + 1):  # separator sheets as PNG, letters as JPEG
            image.save(folder / f"pagina-{number}.png", dpi=(DPI, DPI), optimize=True)
        else:
            image.save(folder / f"pagina-{number}.jpg", quality=70, dpi=(DPI, DPI))
    expected["batches"].append({"file": "losse-paginas/", "pages": len(images), "dropped": 0,
                                "documents": [doc, doc2]})

    register = HERE / "register.csv"
    register.write_text("dossier,client,team,opened,closed,legal_hold\n" +
                        "".join(",".join(row) + "\n" for row in REGISTER), encoding="utf-8")
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return expected


if __name__ == "__main__":
    result = build()
    pages = sum(b["pages"] for b in result["batches"])
    size = sum(p.stat().st_size for p in SCANS.rglob("*") if p.is_file())
    print(f"wrote {SCANS} ({pages} pages, {size / 1e6:.1f} MB)")
