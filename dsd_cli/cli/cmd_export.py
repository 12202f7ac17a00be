"""`dsd export` and `dsd decrypt`: a bag of selected documents for sending, and opening it on the other side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.options import ArchiveOption, LangOption
from dsd_cli.cli.output import JsonOption, ProfileOption, print_json, result_line

EXPORT_HELP = """Export selected documents as a bag, zip, tar or E-ARK SIP.

A BagIt bag, optionally zipped or tarred and encrypted with age.
Select by dossier, document type, document date (--since/--until) or a repeatable sample of dossiers; criteria
combine. The documents are copied byte for byte (signatures stay intact); the bag has an index (CSV and HTML,
Dutch or French with --lang) and provenance, never dsd's journal and never other dossiers' documents.

--format e-ark puts an E-ARK SIP (CSIP 2.2.0 / SIP 2.2.0: METS.xml, PREMIS, a representation with the
documents) in the bag's data/ folder, for transfer to an e-depot.

Exit codes: 0 exported, 2 wrong command line (or the output exists), 4 a bad recipient key, 8 the archive is in
use, 9 no such archive or dossier (full table: dsd --help).

Examples:

  dsd export --archive /srv/archive --dossier SD/2019/0456 -o export-0456

  dsd export --archive /srv/archive --type medisch --since 2019-01-01 --until 2019-12-31 -o medisch.zip --zip

  dsd export --archive /srv/archive --sample 20 --seed 7 -o sample.zip.age --encrypt-to age1...

  dsd export --archive /srv/archive --dossier SD/2019/0456 --format e-ark -o sip-0456.zip --zip --lang fr
"""

DECRYPT_HELP = """Decrypt an age-encrypted export with the recipient's key.

The key file is what `age-keygen` writes.
A wrong key, a changed byte or a truncated file fails and writes nothing.

Exit codes: 0 decrypted, 4 the file or key cannot be used (wrong key, changed or truncated file), 2 wrong command
line (full table: dsd --help).

Example:

  dsd decrypt sample.zip.age -o sample.zip --identity key.txt && unzip sample.zip && dsd verify sample
"""


def register(app: typer.Typer) -> None:
    @app.command("export", help=EXPORT_HELP)
    def export_command(
        archive: ArchiveOption,
        output: Annotated[Path, typer.Option("--output", "-o", metavar="FOLDER|FILE",
                                             help="The bag folder, or the file to write.")],
        dossier: Annotated[list[str] | None, typer.Option("--dossier", "-d", metavar="DOSSIER",
                                                          help="Dossier number (repeatable).")] = None,
        doc_type: Annotated[list[str] | None, typer.Option("--type", "-t", metavar="TYPE",
                                                           help="Document type (repeatable).")] = None,
        since: Annotated[str | None, typer.Option("--since", metavar="DATE",
                                                  help="Documents dated on or after (YYYY-MM-DD).")] = None,
        until: Annotated[str | None, typer.Option("--until", metavar="DATE",
                                                  help="Documents dated on or before (YYYY-MM-DD).")] = None,
        sample: Annotated[int | None, typer.Option("--sample", metavar="N", help="A random sample of N dossiers.")
                          ] = None,
        seed: Annotated[int | None, typer.Option("--seed", metavar="NUMBER", help="Seed of the sample (to repeat it).")
                        ] = None,
        zip_: Annotated[bool, typer.Option("--zip", help="Write one zip file.")] = False,
        tar: Annotated[bool, typer.Option("--tar", help="Write one tar file.")] = False,
        encrypt_to: Annotated[list[str] | None, typer.Option(
            "--encrypt-to", metavar="AGE-KEY",
            help="age public key (age1…) to encrypt for (repeatable); implies --zip unless --tar.")] = None,
        lang: LangOption = None,
        profile: ProfileOption = None,
        export_format: Annotated[str, typer.Option(
            "--format", metavar="bag|e-ark", help="bag (documents, index and provenance) or e-ark (an E-ARK SIP "
                                                  "inside the bag).")] = "bag",
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import existing_archive
        from dsd_cli.errors import UsageError
        from dsd_cli.export.run import run_export
        from dsd_cli.export.select import Criteria
        from dsd_cli.i18n import document_language
        from dsd_cli.profiles import load_profile
        from dsd_cli.retention.due import parse_day

        if zip_ and tar:
            raise UsageError("choose one of --zip and --tar")
        lang = document_language(lang, load_profile(profile).organization.language)
        criteria = Criteria(dossiers=tuple(dossier or ()), types=tuple(doc_type or ()),
                            since=parse_day(since, "--since") if since else None,
                            until=parse_day(until, "--until") if until else None, sample=sample, seed=seed)
        outcome = run_export(existing_archive(archive), criteria, output, fmt="zip" if zip_ else "tar" if tar else None,
                             encrypt_to=tuple(encrypt_to or ()), lang=lang, export_format=export_format)
        if json_output:
            print_json({"output": str(outcome.output), "kind": outcome.kind, "format": outcome.export_format,
                        "sha256": outcome.sha256,
                        "dossiers": outcome.result.dossiers, "documents": outcome.result.documents,
                        "bytes": outcome.result.bytes})
            return
        result_line(f"exported {outcome.result.documents} document(s) of {outcome.result.dossiers} dossier(s) "
                    f"to {outcome.output} ({outcome.export_format}, {outcome.kind})")

    @app.command("decrypt", help=DECRYPT_HELP)
    def decrypt_command(
        file: Annotated[Path, typer.Argument(help="The encrypted file (.age).", metavar="FILE")],
        output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE",
                                             help="Where to write the decrypted file.")],
        identity: Annotated[Path, typer.Option("--identity", "-i", metavar="KEY-FILE",
                                               help="age key file of the recipient.")],
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.cli.inputs import input_file
        from dsd_cli.export.package import decrypt

        written = decrypt(input_file(file, "encrypted file"), output, input_file(identity, "key file"))
        if json_output:
            print_json({"output": str(written)})
            return
        result_line(f"decrypted to {written}")
