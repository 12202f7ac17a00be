"""Dutch and French words of the key-figures report: titles, column heads and the meaning of codes.

Codes stay codes in JSON and CSV (scripts compare them); people read these labels in the HTML report and on the
terminal. A code without a label (a reason a newer dsd writes) is shown as it is.
"""

from __future__ import annotations

from dsd_cli.i18n import PAGE_LANGUAGES, language_label

LANGUAGES = ("nl", "fr")

_NL: dict[str, str] = {
    "title": "Kerncijfers van het digitale archief",
    "period": "Periode",
    "generated": "Opgemaakt op",
    "organisation": "Organisatie",
    "suppression": "Aantallen van 1 tot {n} dossiers of documenten staan er als “< {n}”: zo valt geen gezin te "
                   "herkennen. Waar één verborgen aantal uit het totaal af te leiden is, is ook een tweede verborgen.",
    "utc": "Dagen en weken zijn UTC-dagen en ISO-weken.",
    "archive": "Archief (stand nu)",
    "progress": "Voortgang van het project",
    "quality": "Kwaliteit van de herkenning (OCR)",
    "integrity": "Integriteit",
    "no_quality": "Nog geen kwaliteitsgegevens: de gearchiveerde documenten hebben nog geen kwaliteitsrecord per "
                  "pagina.",
    "no_journal": "Geen journaal: dit archief is niet met `dsd run` gevuld, de stroomcijfers ontbreken.",
    "no_verifications": "Nog geen geregistreerde verificatie: voer `dsd verify` uit op het archief.",
    "no_data": "Geen gegevens in deze periode.",
    "chart_of": "Grafiek",
    "table_of": "Tabel",
    "total": "Totaal",
    "last_rows": "de laatste {n}; alle in JSON en CSV",
    # figures
    "dossiers": "Dossiers", "documents": "Documenten", "pages": "Pagina’s", "bytes": "Omvang",
    "unit_bytes": "bytes",
    "bag_versions": "Bagversies", "legal_holds": "Dossiers onder juridische blokkering",
    "disposed_dossiers": "Vernietigde dossiers", "disposed_documents": "Vernietigde documenten",
    "unreadable_bags": "Bags met onleesbaar record",
    "pages_scanned": "Pagina’s gescand", "pages_archived": "Pagina’s gearchiveerd",
    "documents_archived": "Documenten gearchiveerd", "backlog_pages": "Wachtende pagina’s (nu)",
    "backlog_documents": "Wachtende documenten (nu)", "quarantined_items": "In quarantaine (stuks)",
    "quarantined_pages": "Pagina’s in quarantaine", "pages_dropped": "Weggelaten lege pagina’s",
    "separator_problem_pages": "Pagina’s zonder geldig scheidingsblad", "runs": "Verwerkingsrondes",
    "pages_per_hour": "Pagina’s per uur (mediaan)",
    "pages_with_quality": "Pagina’s met kwaliteitsrecord", "confidence_mean": "Gemiddelde herkenningszekerheid",
    "pages_flagged": "Pagina’s gemarkeerd voor herscan", "share_nld": "Aandeel Nederlands",
    "share_fra": "Aandeel Frans",
    "bags": "Bags", "bags_verified": "Geverifieerde bags", "never_verified": "Nooit geverifieerd",
    "last_verification": "Laatste verificatie", "unconfirmed_records": "Verificatierecords zonder bevestiging",
    "unsigned_documents": "Niet-ondertekende documenten",
    # tables
    "documents_by_type": "Documenten per type", "dossiers_by_rule": "Dossiers per bewaarregel",
    "dossiers_by_disposition": "Dossiers per bestemming", "dossiers_by_competence": "Dossiers per bevoegdheid",
    "dossiers_by_due_year": "Dossiers per jaar van vernietiging of selectie",
    "dossiers_by_versions": "Dossiers per aantal bagversies", "disposals_by_year": "Vernietigingen per jaar",
    "per_day": "Per dag", "per_week": "Per week", "runs_table": "Verwerkingsrondes",
    "backlog_by_state": "Wachtend werk per stap (nu)", "quarantine_by_reason": "Quarantaine per reden",
    "dropped_by_reason": "Weggelaten pagina’s per reden", "separator_problems": "Problemen met scheidingsbladen",
    "confidence_distribution": "Pagina’s per herkenningszekerheid", "flags": "Pagina’s per markering",
    "languages": "Pagina’s per taal", "verification_results": "Laatste verificatie per bag",
    "verification_months": "Bags per maand van laatste verificatie", "verifications": "Verificaties",
    "timestamps_due": "Tijdstempels te vernieuwen per jaar",
    # columns and keys
    "doc_type": "Type", "rule": "Bewaarregel", "disposition": "Bestemming", "competence": "Bevoegdheid",
    "year": "Jaar", "versions": "Versies", "day": "Dag", "week": "Week", "run": "Ronde", "status": "Status",
    "minutes": "Minuten", "state": "Stap", "reason": "Reden", "items": "Stuks", "bin": "Zekerheid (%)",
    "flag": "Markering", "language": "Taal", "share": "Aandeel (%)", "result": "Resultaat", "month": "Maand",
    "level": "Soort", "time": "Tijdstip", "rate": "Pagina’s per uur",
    "failed": "Mislukt", "ok": "In orde", "warnings": "Met waarschuwingen",
    # codes
    "B": "B — bewaren", "V": "V — vernietigen", "S": "S — selectie", "none": "geen", "no-date": "geen datum",
    "no-text": "zonder tekst",
    "flemish": "Vlaams", "federal": "federaal", "planned": "te herkennen", "ocred": "te ondertekenen",
    "ready": "in te pakken", "never": "nooit", "full": "volledig", "fast": "snel",
    "fixity": "alleen checksums",
    "no-timestamp": "zonder tijdstempel", "done": "klaar", "partial": "gedeeltelijk", "interrupted": "onderbroken",
    "running": "loopt", "blank": "leeg", "duplex-back": "lege achterzijde",
    "before-first-separator": "vóór het eerste scheidingsblad", "unknown-dossier": "onbekend dossier",
    "unknown-type": "onbekend documenttype", "unreadable-separator": "onleesbaar scheidingsblad",
    "generic-separator-without-dossier": "algemeen scheidingsblad zonder dossier",
    "zero-byte": "leeg bestand", "corrupt": "beschadigd bestand", "encrypted": "versleuteld bestand",
    "unsupported": "niet-ondersteund bestand", "too-large": "te groot bestand", "ocr-failed": "OCR mislukt",
    "ocr-timeout": "OCR te traag", "ocr-crashed": "OCR gecrasht", "pdfa-failed": "PDF/A mislukt",
    "tool-failed": "programma mislukt", "internal-error": "interne fout", "other": "andere",
    "truncated": "afgebroken bestand", "empty": "bestand zonder pagina’s", "unreadable": "onleesbaar bestand",
    "dangling-link": "koppeling die nergens heen wijst", "link-outside": "koppeling naar buiten de invoermap",
    "still-being-written": "bestand wordt nog geschreven", "checksum-mismatch": "controlegetal klopt niet",
    "missing-page": "ontbrekende pagina", "missing": "ontbrekend bestand",
    "worker-crashed": "verwerkingsproces gecrasht",
    "quality-flagged": "tegengehouden voor nazicht (kwaliteit)", "result-damaged": "OCR-resultaat beschadigd",
    "page-count-changed": "aantal pagina’s veranderd", "tesseract-failed": "Tesseract mislukt",
    "has-text": "heeft al tekst", "bad-manifest": "onbruikbaar manifest van de invoermap",
    "unsafe-path": "onveilig pad in de invoermap", "damaged": "beschadigde PDF",
    "low-confidence": "lage zekerheid", "few-words-for-ink": "weinig woorden voor de inkt",
    "uncertain-orientation": "onzekere oriëntatie", "high-skew": "scheef", "unknown-language": "onbekende taal",
    **{code: language_label(code, "nl") for code in PAGE_LANGUAGES},
}

_FR: dict[str, str] = {
    "title": "Chiffres clés de l’archive numérique",
    "period": "Période",
    "generated": "Établi le",
    "organisation": "Organisation",
    "suppression": "Les nombres de 1 à {n} dossiers ou documents sont indiqués « < {n} » : aucune famille ne peut "
                   "être reconnue. Quand un nombre masqué se déduirait du total, un second est masqué aussi.",
    "utc": "Les jours et semaines sont des jours UTC et des semaines ISO.",
    "archive": "Archive (situation actuelle)",
    "progress": "Avancement du projet",
    "quality": "Qualité de la reconnaissance (OCR)",
    "integrity": "Intégrité",
    "no_quality": "Pas encore de données de qualité : les documents archivés n’ont pas encore d’enregistrement de "
                  "qualité par page.",
    "no_journal": "Pas de journal : cette archive n’a pas été remplie par `dsd run`, les chiffres de flux manquent.",
    "no_verifications": "Aucune vérification enregistrée : lancez `dsd verify` sur l’archive.",
    "no_data": "Pas de données pour cette période.",
    "chart_of": "Graphique",
    "table_of": "Tableau",
    "total": "Total",
    "last_rows": "les {n} derniers ; tous en JSON et CSV",
    "dossiers": "Dossiers", "documents": "Documents", "pages": "Pages", "bytes": "Taille",
    "unit_bytes": "octets",
    "bag_versions": "Versions de sacs", "legal_holds": "Dossiers sous blocage juridique",
    "disposed_dossiers": "Dossiers détruits", "disposed_documents": "Documents détruits",
    "unreadable_bags": "Sacs à l’enregistrement illisible",
    "pages_scanned": "Pages numérisées", "pages_archived": "Pages archivées",
    "documents_archived": "Documents archivés", "backlog_pages": "Pages en attente (maintenant)",
    "backlog_documents": "Documents en attente (maintenant)", "quarantined_items": "En quarantaine (éléments)",
    "quarantined_pages": "Pages en quarantaine", "pages_dropped": "Pages blanches écartées",
    "separator_problem_pages": "Pages sans intercalaire valable", "runs": "Passages de traitement",
    "pages_per_hour": "Pages par heure (médiane)",
    "pages_with_quality": "Pages avec enregistrement de qualité", "confidence_mean": "Confiance moyenne",
    "pages_flagged": "Pages signalées pour renumérisation", "share_nld": "Part du néerlandais",
    "share_fra": "Part du français",
    "bags": "Sacs", "bags_verified": "Sacs vérifiés", "never_verified": "Jamais vérifiés",
    "last_verification": "Dernière vérification", "unconfirmed_records": "Enregistrements de vérification non "
                                                                          "confirmés",
    "unsigned_documents": "Documents non signés",
    "documents_by_type": "Documents par type", "dossiers_by_rule": "Dossiers par règle de conservation",
    "dossiers_by_disposition": "Dossiers par sort final", "dossiers_by_competence": "Dossiers par compétence",
    "dossiers_by_due_year": "Dossiers par année de destruction ou de sélection",
    "dossiers_by_versions": "Dossiers par nombre de versions", "disposals_by_year": "Destructions par année",
    "per_day": "Par jour", "per_week": "Par semaine", "runs_table": "Passages de traitement",
    "backlog_by_state": "Travail en attente par étape (maintenant)", "quarantine_by_reason": "Quarantaine par motif",
    "dropped_by_reason": "Pages écartées par motif", "separator_problems": "Problèmes d’intercalaires",
    "confidence_distribution": "Pages par confiance de reconnaissance", "flags": "Pages par signalement",
    "languages": "Pages par langue", "verification_results": "Dernière vérification par sac",
    "verification_months": "Sacs par mois de dernière vérification", "verifications": "Vérifications",
    "timestamps_due": "Horodatages à renouveler par année",
    "doc_type": "Type", "rule": "Règle", "disposition": "Sort final", "competence": "Compétence",
    "year": "Année", "versions": "Versions", "day": "Jour", "week": "Semaine", "run": "Passage",
    "status": "Statut", "minutes": "Minutes", "state": "Étape", "reason": "Motif", "items": "Éléments",
    "bin": "Confiance (%)", "flag": "Signalement", "language": "Langue", "share": "Part (%)", "result": "Résultat",
    "month": "Mois", "level": "Type", "time": "Moment", "rate": "Pages par heure",
    "failed": "Échec", "ok": "En ordre", "warnings": "Avec avertissements",
    "B": "B — conserver", "V": "V — détruire", "S": "S — sélection", "none": "aucune", "no-date": "pas de date",
    "no-text": "sans texte",
    "flemish": "flamande", "federal": "fédérale", "planned": "à reconnaître", "ocred": "à signer",
    "ready": "à emballer", "never": "jamais", "full": "complète", "fast": "rapide",
    "fixity": "sommes de contrôle seules",
    "no-timestamp": "sans horodatage", "done": "terminé", "partial": "partiel", "interrupted": "interrompu",
    "running": "en cours", "blank": "blanche", "duplex-back": "verso blanc",
    "before-first-separator": "avant le premier intercalaire", "unknown-dossier": "dossier inconnu",
    "unknown-type": "type de document inconnu", "unreadable-separator": "intercalaire illisible",
    "generic-separator-without-dossier": "intercalaire générique sans dossier",
    "zero-byte": "fichier vide", "corrupt": "fichier endommagé", "encrypted": "fichier chiffré",
    "unsupported": "fichier non pris en charge", "too-large": "fichier trop grand", "ocr-failed": "échec de l’OCR",
    "ocr-timeout": "OCR trop lent", "ocr-crashed": "plantage de l’OCR", "pdfa-failed": "échec PDF/A",
    "tool-failed": "échec d’un programme", "internal-error": "erreur interne", "other": "autres",
    "truncated": "fichier tronqué", "empty": "fichier sans pages", "unreadable": "fichier illisible",
    "dangling-link": "lien vers rien", "link-outside": "lien hors du dossier d’entrée",
    "still-being-written": "fichier en cours d’écriture", "checksum-mismatch": "somme de contrôle incorrecte",
    "missing-page": "page manquante", "missing": "fichier manquant", "worker-crashed": "plantage du processus",
    "quality-flagged": "retenu pour contrôle (qualité)", "result-damaged": "résultat de l’OCR endommagé",
    "page-count-changed": "nombre de pages modifié", "tesseract-failed": "échec de Tesseract",
    "has-text": "contient déjà du texte", "bad-manifest": "manifeste du dossier d’entrée inutilisable",
    "unsafe-path": "chemin dangereux dans le dossier d’entrée", "damaged": "PDF endommagé",
    "low-confidence": "confiance faible", "few-words-for-ink": "peu de mots pour l’encre",
    "uncertain-orientation": "orientation incertaine", "high-skew": "page de travers",
    "unknown-language": "langue inconnue",
    **{code: language_label(code, "fr") for code in PAGE_LANGUAGES},
}

_WORDS = {"nl": _NL, "fr": _FR}


class Labels:
    """Words in one language; document types take the profile's own labels."""

    def __init__(self, lang: str, type_labels: dict[str, str] | None = None) -> None:
        self.lang = lang if lang in _WORDS else "nl"
        self._words = _WORDS[self.lang]
        self._types = type_labels or {}

    def __call__(self, key: str, **fields: object) -> str:
        text = self._words.get(key, key)
        return text.format(**fields) if fields else text

    def code(self, column: str, value: str) -> str:
        """The label of a code in a key column (document types from the profile, other codes from this table)."""
        if column == "doc_type" and value in self._types:
            return self._types[value]
        return self._words.get(value, value)
