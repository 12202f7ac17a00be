"""The words of the auditor's HTML verification report, in Dutch and French (see dsd_cli.i18n).

CHECKS explains each check name a report can show, so the report stands on its own: an auditor does not have dsd's
documentation. A check without an entry of its own is explained by its family (`bagit.`, `pdfa.`, ...).
"""

from __future__ import annotations

from dsd_cli.i18n import Catalog

REPORT = Catalog({
    "title": {"nl": "Verificatierapport", "fr": "Rapport de vérification"},
    "passed": {"nl": "GESLAAGD", "fr": "RÉUSSI"},
    "failed": {"nl": "NIET GESLAAGD", "fr": "ÉCHEC"},
    "verdict": {"nl": "{verdict}: {errors} fout(en), {warnings} waarschuwing(en)",
                "fr": "{verdict} : {errors} erreur(s), {warnings} avertissement(s)"},
    "for": {"nl": "Archief van {organisation}", "fr": "Archives de {organisation}"},
    "when": {"nl": "Geverifieerd op {local} (UTC {utc}) op de computer {host} met dsd {version} ({mode}).",
             "fr": "Vérifié le {local} (UTC {utc}) sur l'ordinateur {host} avec dsd {version} ({mode})."},
    "mode.full": {"nl": "volledige controle", "fr": "contrôle complet"},
    "mode.fast": {"nl": "snelle controle: aanwezigheid en Payload-Oxum, geen checksums",
                  "fr": "contrôle rapide : présence et Payload-Oxum, sans sommes de contrôle"},
    "mode.fixity-only": {"nl": "alleen integriteit: elke checksum, geen controle van PDF's, handtekeningen of "
                               "profielregels",
                         "fr": "intégrité seule : chaque somme de contrôle, sans contrôle des PDF, des signatures "
                               "ni des règles du profil"},
    "targets": {"nl": "Wat werd geverifieerd", "fr": "Ce qui a été vérifié"},
    "bags": {"nl": "Dossiers en andere bags", "fr": "Dossiers et autres sacs (bags)"},
    "bag.dossier": {"nl": "dossier", "fr": "dossier"},
    "bag.folder": {"nl": "map", "fr": "répertoire"},
    "bag.bagit": {"nl": "BagIt-versie", "fr": "version BagIt"},
    "bag.maker": {"nl": "gemaakt door", "fr": "créé par"},
    "bag.maker.dsd": {"nl": "dsd", "fr": "dsd"},
    "bag.maker.other": {"nl": "ander programma", "fr": "autre logiciel"},
    "bag.files": {"nl": "bestanden", "fr": "fichiers"},
    "bag.size": {"nl": "grootte", "fr": "taille"},
    "bag.result": {"nl": "resultaat (alle controles)", "fr": "résultat (tous les contrôles)"},
    "bag.ok": {"nl": "in orde", "fr": "conforme"},
    "bag.ok.warnings": {"nl": "in orde, {warnings} waarschuwing(en)", "fr": "conforme, {warnings} avertissement(s)"},
    "bag.failed": {"nl": "{errors} fout(en), {warnings} waarschuwing(en)",
                   "fr": "{errors} erreur(s), {warnings} avertissement(s)"},
    "archive.level": {"nl": "(het archief zelf)", "fr": "(les archives elles-mêmes)"},
    "problems": {"nl": "Bevindingen", "fr": "Constatations"},
    "problem.severity": {"nl": "ernst", "fr": "gravité"},
    "problem.where": {"nl": "dossier of bag", "fr": "dossier ou sac"},
    "problem.file": {"nl": "bestand", "fr": "fichier"},
    "problem.check": {"nl": "controle", "fr": "contrôle"},
    "problem.finding": {"nl": "bevinding (technische melding)", "fr": "constatation (message technique)"},
    "severity.error": {"nl": "fout", "fr": "erreur"},
    "severity.warning": {"nl": "waarschuwing", "fr": "avertissement"},
    "signatures": {"nl": "Handtekeningen", "fr": "Signatures"},
    "sig.file": {"nl": "bestand", "fr": "fichier"},
    "sig.signer": {"nl": "ondertekenaar", "fr": "signataire"},
    "sig.time": {"nl": "tijdstip van ondertekening", "fr": "moment de la signature"},
    "sig.level": {"nl": "niveau", "fr": "niveau"},
    "sig.trusted": {"nl": "vertrouwd", "fr": "de confiance"},
    "sig.demo": {"nl": "(demosleutel)", "fr": "(clé de démonstration)"},
    "sig.covers": {"nl": "dekt het huidige bestand", "fr": "couvre le fichier actuel"},
    "sig.validated": {"nl": "gevalideerd op (basis)", "fr": "validé au (base)"},
    "basis.current-time": {"nl": "huidige tijd", "fr": "heure actuelle"},
    "basis.timestamp": {"nl": "tijdstempel van de handtekening", "fr": "horodatage de la signature"},
    "basis.document-timestamp": {"nl": "documenttijdstempel", "fr": "horodatage de document"},
    "basis.demo-trust": {"nl": "demosleutel van dsd", "fr": "clé de démonstration dsd"},
    "basis.note": {
        "nl": "Vertrouwen wordt offline beoordeeld, telkens op een tijdstip en een basis: 'huidige tijd' — de keten "
              "van certificaten is gecontroleerd op het moment van verificatie; 'tijdstempel van de handtekening' — "
              "op het tijdstip dat die tijdstempel bewijst, met de intrekkingsgegevens die in het bestand zijn "
              "ingesloten (B-LT); 'documenttijdstempel' — op het tijdstip van de documenttijdstempel die die "
              "gegevens dekt en dus bewijst dat ze toen bestonden (B-LTA); 'demosleutel van dsd' — de keten eindigt "
              "bij de demo-CA van dsd (alleen voor demo-archieven). Waar een strikte AdES-validatie (ETSI EN 319 "
              "102-1) anders zou oordelen, staat de reden erbij.",
        "fr": "La confiance est évaluée hors ligne, chaque fois à un moment et sur une base : « heure actuelle » — la "
              "chaîne de certificats est contrôlée au moment de la vérification ; « horodatage de la signature » — "
              "au moment que cet horodatage prouve, avec les données de révocation incorporées dans le fichier "
              "(B-LT) ; « horodatage de document » — au moment de l'horodatage de document qui couvre ces données "
              "et prouve donc qu'elles existaient alors (B-LTA) ; « clé de démonstration dsd » — la chaîne aboutit à "
              "l'autorité de démonstration de dsd (archives de démonstration seulement). Là où une validation AdES "
              "stricte (ETSI EN 319 102-1) jugerait autrement, la raison est indiquée."},
    "sig.ades": {"nl": "strikte AdES-validatie: {reason}", "fr": "validation AdES stricte : {reason}"},
    "none": {"nl": "geen", "fr": "aucun"},
    "yes": {"nl": "ja", "fr": "oui"},
    "no": {"nl": "nee", "fr": "non"},
    "no.loud": {"nl": "NEE", "fr": "NON"},
    "glossary": {"nl": "Uitleg bij de controles in dit rapport", "fr": "Explication des contrôles de ce rapport"},
    "checked": {"nl": "Verklaring van wat werd gecontroleerd", "fr": "Déclaration de ce qui a été contrôlé"},
    "not_checked": {"nl": "Wat niet werd gecontroleerd", "fr": "Ce qui n'a pas été contrôlé"},
    "signoff": {"nl": "Voor akkoord: ______________________ (naam, functie, datum)",
                "fr": "Pour accord : ______________________ (nom, fonction, date)"},
    # what was counted (dsd_cli.findings.CHECKED_COUNTS)
    "count.bags": {"nl": "bags", "fr": "sacs (bags)"},
    "count.files": {"nl": "bestanden", "fr": "fichiers"},
    "count.bytes": {"nl": "totale grootte", "fr": "taille totale"},
    "count.pdfs": {"nl": "PDF-bestanden", "fr": "fichiers PDF"},
    "count.signatures": {"nl": "handtekeningen en documenttijdstempels",
                         "fr": "signatures et horodatages de document"},
    "count.audit_logs": {"nl": "auditlogboeken", "fr": "journaux d'audit"},
    "count.inventories": {"nl": "archiefinventarissen", "fr": "inventaires des archives"},
    "count.inventoried_dossiers": {"nl": "dossiers in de inventaris", "fr": "dossiers de l'inventaire"},
    "count.index_disposals": {"nl": "vernietigingen nagekeken in de zoekindex",
                              "fr": "destructions contrôlées dans l'index de recherche"},
    # why strict AdES validation would differ (dsd_cli.signing.basis.AdesDifference)
    "ades.demo-trust": {
        "nl": "demovertrouwen: de keten eindigt bij de demo-CA van dsd die de handtekening zelf meedraagt, en die "
              "vertrouwt een strikte AdES-validatie niet (INDETERMINATE, geen certificaatketen naar een vertrouwd "
              "basiscertificaat)",
        "fr": "confiance de démonstration : la chaîne aboutit à l'autorité de démonstration de dsd que la signature "
              "porte elle-même, à laquelle une validation AdES stricte ne se fie pas (INDETERMINATE, aucune chaîne "
              "de certificats vers une racine de confiance)"},
    "ades.revocation-not-checked": {
        "nl": "intrekking niet gecontroleerd: het bestand bevat geen intrekkingsgegevens en dsd verifieert offline; "
              "een strikte AdES-validatie eist intrekkingsgegevens voor elk certificaat van de keten "
              "(INDETERMINATE)",
        "fr": "révocation non contrôlée : le fichier n'incorpore aucune donnée de révocation et dsd vérifie hors "
              "ligne ; une validation AdES stricte exige des données de révocation pour chaque certificat de la "
              "chaîne (INDETERMINATE)"},
    "ades.newest-document-timestamp": {
        "nl": "de nieuwste documenttijdstempel kan op {at} niet gevalideerd worden ({detail}): {renew}",
        "fr": "le plus récent horodatage de document ne peut pas être validé au {at} ({detail}) : {renew}"},
    "ades.no-proof-of-existence": {
        "nl": "gevalideerd op het tijdstip van de eigen tijdstempel ({since}) met intrekkingsgegevens die daarna "
              "werden ingesloten, en geen documenttijdstempel bewijst dat die gegevens vóór {at} bestonden{stale}; "
              "{renew}",
        "fr": "validée au moment de son propre horodatage ({since}) avec des données de révocation incorporées "
              "après lui, et aucun horodatage de document ne prouve que ces données existaient avant le "
              "{at}{stale} ; {renew}"},
    "ades.no-proof-of-existence.stale": {"nl": " (dan zijn ze niet meer actueel: {detail})",
                                         "fr": " (elles ne sont alors plus à jour : {detail})"},
    "ades.stale-revocation-data": {
        "nl": "de ingesloten intrekkingsgegevens zijn op {at} niet meer actueel ({detail}); strikte AdES-validatie: "
              "INDETERMINATE",
        "fr": "les données de révocation incorporées ne sont plus à jour au {at} ({detail}) ; validation AdES "
              "stricte : INDETERMINATE"},
    "ades.renew": {
        "nl": "een strikte AdES-validatie heeft dus geen bewijs dat de ingesloten intrekkingsgegevens al eerder "
              "bestonden (INDETERMINATE); een nieuwe documenttijdstempel (dsd timestamp renew) lost dat op",
        "fr": "une validation AdES stricte n'a donc aucune preuve que les données de révocation incorporées "
              "existaient plus tôt (INDETERMINATE) ; un nouvel horodatage de document (dsd timestamp renew) comble "
              "cette lacune"},
})

CHECKED_FULL = Catalog({
    "structure": {
        "nl": "BagIt-structuur: verklaring, codering en versie; elke regel van elk manifest, tagmanifest, fetch.txt "
              "en bag-info.txt (vorm, dubbele regels, paden die buiten de bag zouden leiden — gemeld, nooit gevolgd)",
        "fr": "Structure BagIt : déclaration, codage et version ; chaque ligne de chaque manifeste, manifeste de "
              "balises, fetch.txt et bag-info.txt (forme, doublons, chemins menant hors du sac — signalés, jamais "
              "suivis)"},
    "completeness": {
        "nl": "volledigheid: elk bestand in data/ staat in elk manifest en elk vermeld bestand is aanwezig; "
              "namen die alleen in hoofdletters of Unicode-normalisatie verschillen; Payload-Oxum",
        "fr": "complétude : chaque fichier de data/ figure dans chaque manifeste et chaque fichier cité est "
              "présent ; noms ne différant que par la casse ou la normalisation Unicode ; Payload-Oxum"},
    "fixity": {
        "nl": "integriteit: elke checksum van elk manifest en tagmanifest werd herberekend (elk bestand één keer "
              "gelezen)",
        "fr": "intégrité : chaque somme de contrôle de chaque manifeste et manifeste de balises a été recalculée "
              "(chaque fichier lu une fois)"},
    "signatures": {
        "nl": "handtekeningen (PAdES): ongewijzigde ondertekende bytes, dat elke handtekening het huidige bestand "
              "dekt (ook geen bytes na %%EOF, geen verwijderde handtekeningen), vertrouwen in de opgegeven "
              "basiscertificaten, bereikt niveau (B-B, B-T, B-LT, B-LTA) en tijdstip",
        "fr": "signatures (PAdES) : octets signés inchangés, chaque signature couvre le fichier actuel (aucun octet "
              "après %%EOF, aucune signature supprimée), confiance dans les certificats racines donnés, niveau "
              "atteint (B-B, B-T, B-LT, B-LTA) et moment"},
    "pdfa": {
        "nl": "PDF/A-structuur: XMP-identificatie, output intent, ingesloten lettertypen, geen versleuteling, geen "
              "JavaScript of verboden acties, geen ingesloten bestanden, geen externe inhoud, overeenkomst "
              "Info/XMP",
        "fr": "structure PDF/A : identification XMP, output intent, polices incorporées, pas de chiffrement, pas "
              "de JavaScript ni d'actions interdites, pas de fichiers incorporés, pas de contenu externe, accord "
              "Info/XMP"},
    "profile": {
        "nl": "regels van het dsd-profiel: verplichte en niet-herhaalde velden in bag-info, bewaartermijnen en "
              "data volgens de regels van het profiel, verplichte manifesten en dekking door de tagmanifesten, "
              "METS goed gevormd (zonder DTD) en met elk bestand beschreven met dezelfde SHA-256",
        "fr": "règles du profil dsd : champs obligatoires et non répétés dans bag-info, délais de conservation et "
              "dates selon les règles du profil, manifestes requis et couverture par les manifestes de balises, "
              "METS bien formé (sans DTD) décrivant chaque fichier avec le même SHA-256"},
    "audit": {
        "nl": "het auditlogboek van het archief (hashketen): de eerste gebroken, gewijzigde of ontbrekende regel",
        "fr": "le journal d'audit des archives (chaîne de hachage) : la première entrée rompue, modifiée ou "
              "manquante"},
})

CHECKED_FAST = Catalog({
    "structure": {
        "nl": "BagIt-verklaring en manifesten (vorm, dubbele regels, paden die buiten de bag zouden leiden — nooit "
              "gevolgd)",
        "fr": "déclaration BagIt et manifestes (forme, doublons, chemins menant hors du sac — jamais suivis)"},
    "completeness": {
        "nl": "volledigheid: elk bestand vermeld, elk vermeld bestand aanwezig; Payload-Oxum (aantal bytes en "
              "bestanden)",
        "fr": "complétude : chaque fichier cité, chaque fichier cité présent ; Payload-Oxum (nombre d'octets et de "
              "fichiers)"},
    "audit": {"nl": "het auditlogboek van het archief (hashketen)",
              "fr": "le journal d'audit des archives (chaîne de hachage)"},
})

CHECKED_FIXITY = Catalog({
    "structure": CHECKED_FULL._entries["structure"],
    "completeness": CHECKED_FULL._entries["completeness"],
    "fixity": CHECKED_FULL._entries["fixity"],
    "audit": CHECKED_FULL._entries["audit"],
})

NOT_CHECKED_FIXITY = Catalog({
    "other": {"nl": "ALLEEN INTEGRITEIT: geen controle van handtekeningen, PDF/A, METS of profielregels",
              "fr": "INTÉGRITÉ SEULE : aucun contrôle des signatures, du PDF/A, du METS ni des règles du profil"},
})

NOT_CHECKED = Catalog({
    "pdfa": {
        "nl": "volledige PDF/A-conformiteit (kleurruimten tegenover de output intent, transparantie, elke "
              "operator van de inhoud, details van het XMP-schema): gebruik daarvoor veraPDF",
        "fr": "la conformité PDF/A complète (espaces colorimétriques et output intent, transparence, chaque "
              "opérateur du contenu, détails du schéma XMP) : utilisez veraPDF"},
    "revocation": {
        "nl": "de intrekkingsstatus van certificaten op het moment van verificatie: alleen de gegevens die in de "
              "bestanden zijn ingesloten (B-LT en hoger) worden gebruikt, er wordt niets opgehaald",
        "fr": "le statut de révocation des certificats au moment de la vérification : seules les données "
              "incorporées dans les fichiers (B-LT et plus) sont utilisées, rien n'est téléchargé"},
    "paper": {"nl": "of het archief elk bestaand papieren document bevat",
              "fr": "si les archives contiennent chaque document papier existant"},
})

NOT_CHECKED_FAST = Catalog({
    "checksums": {
        "nl": "SNELLE CONTROLE: er werden geen checksums berekend — een gewijzigd bestand van dezelfde grootte "
              "wordt NIET opgemerkt",
        "fr": "CONTRÔLE RAPIDE : aucune somme de contrôle n'a été calculée — un fichier modifié de même taille "
              "n'est PAS détecté"},
    "other": {"nl": "SNELLE CONTROLE: geen controle van handtekeningen, PDF/A, METS of profielregels",
              "fr": "CONTRÔLE RAPIDE : aucun contrôle des signatures, du PDF/A, du METS ni des règles du profil"},
})

CHECKS = Catalog({
    # families: for a check without an entry of its own
    "bagit": {"nl": "BagIt-structuur, volledigheid of integriteit van een bag (RFC 8493)",
              "fr": "structure, complétude ou intégrité d'un sac BagIt (RFC 8493)"},
    "archive": {"nl": "inhoud van de archiefmap buiten de bags", "fr": "contenu du dossier d'archives hors des sacs"},
    "audit": {"nl": "het auditlogboek van het archief, een hashketen waarin elke regel naar de vorige verwijst",
              "fr": "le journal d'audit des archives, une chaîne de hachage où chaque entrée renvoie à la précédente"},
    "profile": {"nl": "regels van het dsd-profiel waaronder de bag gemaakt werd",
                "fr": "règles du profil dsd sous lequel le sac a été créé"},
    "record": {"nl": "de beschrijving van de documenten van een dossier (metadata/documents.json)",
               "fr": "la description des documents d'un dossier (metadata/documents.json)"},
    "mets": {"nl": "de METS-beschrijving van het dossier (metadata/mets.xml)",
             "fr": "la description METS du dossier (metadata/mets.xml)"},
    "signature": {"nl": "een elektronische handtekening (PAdES) in een PDF",
                  "fr": "une signature électronique (PAdES) dans un PDF"},
    "pdfa": {"nl": "een regel van PDF/A, de norm voor PDF's die bewaard moeten blijven (ISO 19005)",
             "fr": "une règle PDF/A, la norme des PDF destinés à être conservés (ISO 19005)"},
    "pdf": {"nl": "de leesbaarheid van een PDF", "fr": "la lisibilité d'un PDF"},
    # checks
    "bagit.declaration": {"nl": "bagit.txt ontbreekt of is niet de verklaring die BagIt voorschrijft",
                          "fr": "bagit.txt manque ou n'est pas la déclaration prescrite par BagIt"},
    "bagit.encoding": {"nl": "een tagbestand is niet geldig in de opgegeven tekencodering",
                       "fr": "un fichier de balises n'est pas valide dans le codage déclaré"},
    "bagit.bom": {"nl": "een tagbestand begint met een byte order mark",
                  "fr": "un fichier de balises commence par une marque d'ordre des octets"},
    "bagit.no-manifest": {"nl": "de bag heeft geen manifest met checksums", "fr": "le sac n'a aucun manifeste"},
    "bagit.unknown-algorithm": {"nl": "een manifest gebruikt een onbekend checksumalgoritme",
                                "fr": "un manifeste utilise un algorithme de somme de contrôle inconnu"},
    "bagit.malformed-line": {"nl": "een regel van een manifest, fetch.txt of bag-info.txt heeft niet de juiste vorm",
                             "fr": "une ligne d'un manifeste, de fetch.txt ou de bag-info.txt est mal formée"},
    "bagit.path-escape": {"nl": "een pad of symbolische koppeling zou buiten de bag leiden (nooit gevolgd)",
                          "fr": "un chemin ou un lien symbolique mènerait hors du sac (jamais suivi)"},
    "bagit.path-outside-payload": {"nl": "een manifest vermeldt een bestand buiten data/",
                                   "fr": "un manifeste cite un fichier hors de data/"},
    "bagit.duplicate-entry": {"nl": "een bestand staat twee keer in hetzelfde manifest",
                              "fr": "un fichier figure deux fois dans le même manifeste"},
    "bagit.missing-file": {"nl": "een bestand dat in het manifest staat, ontbreekt",
                           "fr": "un fichier cité dans le manifeste manque"},
    "bagit.unexpected-file": {"nl": "een bestand in data/ dat in geen enkel manifest staat (toegevoegd)",
                              "fr": "un fichier de data/ qui ne figure dans aucun manifeste (ajouté)"},
    "bagit.name-mismatch": {"nl": "een bestand bestaat alleen onder een naam met andere hoofdletters of accenten",
                            "fr": "un fichier n'existe que sous un nom à casse ou accents différents"},
    "bagit.manifest-incomplete": {"nl": "een bestand staat in het ene manifest en niet in het andere",
                                  "fr": "un fichier figure dans un manifeste et pas dans l'autre"},
    "bagit.checksum": {"nl": "de inhoud van een bestand is gewijzigd: de checksum verschilt van het manifest",
                       "fr": "le contenu d'un fichier a changé : sa somme de contrôle diffère du manifeste"},
    "bagit.tag-checksum": {"nl": "een tagbestand (bag-info, manifest, METS) is gewijzigd",
                           "fr": "un fichier de balises (bag-info, manifeste, METS) a changé"},
    "bagit.missing-tag-file": {"nl": "een tagbestand uit het tagmanifest ontbreekt",
                               "fr": "un fichier du manifeste de balises manque"},
    "bagit.payload-oxum": {"nl": "het aantal bytes en bestanden (Payload-Oxum) klopt niet",
                           "fr": "le nombre d'octets et de fichiers (Payload-Oxum) ne correspond pas"},
    "bagit.unreadable": {"nl": "een bestand kan niet gelezen worden", "fr": "un fichier ne peut pas être lu"},
    "bagit.no-payload-folder": {"nl": "de map data/ ontbreekt", "fr": "le répertoire data/ manque"},
    "bagit.case-collision": {"nl": "twee namen verschillen alleen in hoofdletters of accenten: niet veilig te "
                                   "kopiëren naar Windows of macOS",
                             "fr": "deux noms ne diffèrent que par la casse ou les accents : copie non sûre vers "
                                   "Windows ou macOS"},
    "bagit.normalization-twin": {"nl": "een manifest vermeldt een pad onder twee Unicode-schrijfwijzen",
                                 "fr": "un manifeste cite un chemin sous deux formes Unicode"},
    "bagit.symlink": {"nl": "een bestand is een symbolische koppeling binnen de bag",
                      "fr": "un fichier est un lien symbolique à l'intérieur du sac"},
    "bagit.md5sum-format": {"nl": "een gewoonte van md5sum (het teken *) wordt getolereerd",
                            "fr": "une habitude de md5sum (le signe *) est tolérée"},
    "bagit.relative-path": {"nl": "een pad begint met ./ (getolereerd)", "fr": "un chemin commence par ./ (toléré)"},
    "bagit.system-file-missing": {"nl": "een vermeld systeembestand (.DS_Store, Thumbs.db) ontbreekt",
                                  "fr": "un fichier système cité (.DS_Store, Thumbs.db) manque"},
    "bagit.fetch-pending": {"nl": "een bestand staat in fetch.txt en werd nog niet opgehaald",
                            "fr": "un fichier figure dans fetch.txt et n'a pas encore été récupéré"},
    "archive.symlink": {"nl": "een symbolische koppeling in de archiefmap (niet gevolgd)",
                        "fr": "un lien symbolique dans le dossier d'archives (non suivi)"},
    "archive.stray-file": {"nl": "een bestand in de archiefmap buiten elke bag",
                           "fr": "un fichier dans le dossier d'archives hors de tout sac"},
    "archive.not-a-bag": {"nl": "een map in het archief is geen bag",
                          "fr": "un répertoire des archives n'est pas un sac"},
    "archive.empty": {"nl": "er werden geen bags gevonden", "fr": "aucun sac n'a été trouvé"},
    "audit.malformed": {"nl": "het auditlogboek kan niet gelezen worden", "fr": "le journal d'audit est illisible"},
    "audit.broken-chain": {"nl": "de hashketen van het auditlogboek is gebroken",
                           "fr": "la chaîne de hachage du journal d'audit est rompue"},
    "audit.edited-entry": {"nl": "een regel van het auditlogboek werd gewijzigd",
                           "fr": "une entrée du journal d'audit a été modifiée"},
    "audit.missing-entry": {"nl": "een regel van het auditlogboek ontbreekt",
                            "fr": "une entrée du journal d'audit manque"},
    "profile.required-field": {"nl": "een verplicht veld ontbreekt in bag-info.txt",
                               "fr": "un champ obligatoire manque dans bag-info.txt"},
    "profile.repeated-field": {"nl": "een veld dat één keer mag voorkomen, staat er meermaals",
                               "fr": "un champ unique figure plusieurs fois"},
    "profile.date": {"nl": "een datum in bag-info.txt is geen datum als 2026-01-31",
                     "fr": "une date de bag-info.txt n'est pas une date comme 2026-01-31"},
    "profile.retention": {"nl": "bewaartermijn, bestemming of vervaldatum volgen niet uit de regels van het profiel",
                          "fr": "délai, sort final ou échéance ne découlent pas des règles du profil"},
    "profile.mismatch": {"nl": "het opgegeven profiel is niet het profiel dat de bag noemt",
                         "fr": "le profil donné n'est pas celui que nomme le sac"},
    "profile.unknown": {"nl": "het profiel dat de bag noemt, is hier niet geïnstalleerd",
                        "fr": "le profil nommé par le sac n'est pas installé ici"},
    "profile.identifier": {"nl": "BagIt-Profile-Identifier hoort niet bij de profielversie van de bag",
                           "fr": "BagIt-Profile-Identifier ne correspond pas à la version du profil du sac"},
    "profile.bagit-version": {"nl": "een dsd-bag moet BagIt 1.0 zijn", "fr": "un sac dsd doit être en BagIt 1.0"},
    "profile.fetch": {"nl": "een dsd-bag mag geen fetch.txt hebben", "fr": "un sac dsd ne peut pas avoir de fetch.txt"},
    "profile.manifests": {"nl": "een manifest voor een algoritme van het profiel ontbreekt",
                          "fr": "un manifeste d'un algorithme du profil manque"},
    "profile.tag-coverage": {"nl": "een tagbestand is door geen tagmanifest beschermd",
                             "fr": "un fichier de balises n'est protégé par aucun manifeste de balises"},
    "profile.tag-file": {"nl": "metadata/documents.json is geen leesbare JSON",
                         "fr": "metadata/documents.json n'est pas du JSON lisible"},
    "mets.missing": {"nl": "metadata/mets.xml ontbreekt", "fr": "metadata/mets.xml manque"},
    "mets.malformed": {"nl": "METS is geen goed gevormde XML of bevat een DOCTYPE",
                       "fr": "le METS n'est pas du XML bien formé ou contient un DOCTYPE"},
    "mets.undescribed-file": {"nl": "een bestand wordt in METS niet beschreven",
                              "fr": "un fichier n'est pas décrit dans le METS"},
    "mets.checksum": {"nl": "de checksum in METS verschilt van het manifest",
                      "fr": "la somme de contrôle du METS diffère du manifeste"},
    "mets.missing-file": {"nl": "METS beschrijft een bestand dat niet in de bag staat",
                          "fr": "le METS décrit un fichier absent du sac"},
    "mets.duplicate-file": {"nl": "METS beschrijft een bestand twee keer", "fr": "le METS décrit un fichier deux fois"},
    "signature.invalid": {"nl": "de handtekening is ongeldig: ondertekende bytes gewijzigd, verkeerde waarde of "
                                "een handtekening verwijderd",
                          "fr": "la signature n'est pas valide : octets signés modifiés, valeur fausse ou signature "
                                "supprimée"},
    "signature.modified": {"nl": "het bestand werd na de handtekening gewijzigd: de handtekening dekt het huidige "
                                 "bestand niet",
                           "fr": "le fichier a été modifié après la signature : elle ne couvre pas le fichier actuel"},
    "signature.untrusted": {"nl": "de ondertekenaar leidt niet naar een vertrouwd basiscertificaat, of een "
                                  "certificaat is ingetrokken",
                            "fr": "le signataire ne mène pas à un certificat racine de confiance, ou un certificat "
                                  "est révoqué"},
    "signature.demo-trust": {"nl": "ondertekend met de demosleutel van dsd: het document is ongewijzigd sinds dsd "
                                   "het ondertekende, maar dit zegt niet wie ondertekende",
                             "fr": "signé avec la clé de démonstration de dsd : le document est inchangé depuis la "
                                   "signature, sans dire qui a signé"},
    "signature.missing": {"nl": "het profiel eist een handtekening en de PDF heeft er geen",
                          "fr": "le profil exige une signature et le PDF n'en a pas"},
    "signature.level": {"nl": "de handtekening haalt het niveau van het profiel niet (bijvoorbeeld een "
                              "verwijderde tijdstempel)",
                        "fr": "la signature n'atteint pas le niveau du profil (par exemple un horodatage supprimé)"},
    "pdf.unreadable": {"nl": "de PDF kan niet gelezen worden", "fr": "le PDF ne peut pas être lu"},
    "pdfa.file-structure": {"nl": "de PDF begint niet met %PDF- of er staan gegevens na het laatste %%EOF",
                            "fr": "le PDF ne commence pas par %PDF- ou des données suivent le dernier %%EOF"},
    "pdfa.identification": {"nl": "de PDF zegt niet (correct) welk deel van PDF/A hij volgt",
                            "fr": "le PDF n'indique pas (correctement) quelle partie de PDF/A il suit"},
    "pdfa.output-intent": {"nl": "het kleurprofiel (output intent) ontbreekt of is niet dat van PDF/A",
                           "fr": "le profil de couleur (output intent) manque ou n'est pas celui de PDF/A"},
    "pdfa.encrypted": {"nl": "de PDF is versleuteld", "fr": "le PDF est chiffré"},
    "pdfa.embedded-file": {"nl": "de PDF bevat ingesloten bestanden", "fr": "le PDF contient des fichiers incorporés"},
    "pdfa.javascript": {"nl": "de PDF bevat JavaScript", "fr": "le PDF contient du JavaScript"},
    "pdfa.action": {"nl": "de PDF bevat een actie die PDF/A verbiedt", "fr": "le PDF contient une action que PDF/A "
                                                                             "interdit"},
    "pdfa.external-content": {"nl": "de PDF verwijst naar inhoud buiten het bestand",
                              "fr": "le PDF renvoie à un contenu hors du fichier"},
    "pdfa.fonts": {"nl": "een gebruikt lettertype is niet ingesloten",
                   "fr": "une police utilisée n'est pas incorporée"},
    "pdfa.metadata-mismatch": {"nl": "de documentinformatie (Info) en de XMP-metadata spreken elkaar tegen",
                               "fr": "les informations du document (Info) et les métadonnées XMP se contredisent"},
    "pdfa.profile-part": {"nl": "de PDF volgt een ander deel van PDF/A dan het profiel voorschrijft",
                          "fr": "le PDF suit une autre partie de PDF/A que celle que prescrit le profil"},
})


def explain_check(check: str, lang: str) -> str:
    """What a check name means, for a reader without dsd's documentation."""
    if check in CHECKS:
        return CHECKS(check, lang)
    family = check.split(".", 1)[0]
    return CHECKS(family, lang) if family in CHECKS else check
