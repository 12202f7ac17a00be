"""`dsd export` and `dsd decrypt`: a bag of selected documents for sending, and opening it on the other side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.output import JsonOption, out_console, print_json
from dsd_cli.errors import UsageError

EXPORT_HELP = """Export selected documents as a BagIt bag, optionally zipped or tarred and encrypted with age.

Select by dossier, document type, document date (--since/--until) or a repeatable sample of dossiers; criteria
combine. The documents are copied byte for byte (signatures stay intact); the bag has an index (CSV and HTML,
Dutch or French) and provenance, never dsd's journal and never other dossiers' documents.

--format e-ark puts an E-ARK SIP (CSIP 2.2.0 / SIP 2.2.0: METS.xml, PREMIS, a representation with the
documents) in the bag's data/ folder, for transfer to an e-depot.

Examples:

  dsd export --archive /srv/archive --dossier SD/2019/0456 -o export-0456

  dsd export --archive /srv/archive --type medisch --since 2019-01-01 --until 2019-12-31 -o medisch.zip --zip

  dsd export --archive /srv/archive --sample 20 --seed 7 -o sample.zip.age --encrypt-to age1...

  dsd export --archive /srv/archive --dossier SD/2019/0456 --format e-ark -o sip-0456.zip --zip
"""

DECRYPT_HELP = """Decrypt an age-encrypted export with the recipient's key file (as `age-keygen` writes it).

A wrong key, a changed byte or a truncated file fails and writes nothing.

Example:

  dsd decrypt sample.zip.age -o sample.zip --identity key.txt && unzip sample.zip && dsd verify sample
"""


def register(app: typer.Typer) -> None:
    @app.command("export", help=EXPORT_HELP)
    def export_command(
        archive: Annotated[Path, typer.Option("--archive", "-a", help="Archive folder.")],
        output: Annotated[Path, typer.Option("--output", "-o", help="The bag folder, or the file to write.")],
        dossier: Annotated[list[str] | None, typer.Option("--dossier", help="Dossier number (repeatable).")] = None,
        doc_type: Annotated[list[str] | None, typer.Option("--type", help="Document type (repeatable).")] = None,
        since: Annotated[str | None, typer.Option("--since", help="Documents dated on or after (YYYY-MM-DD).")] = None,
        until: Annotated[str | None, typer.Option("--until", help="Documents dated on or before (YYYY-MM-DD).")] = None,
        sample: Annotated[int | None, typer.Option("--sample", help="A random sample of N dossiers.")] = None,
        seed: Annotated[int | None, typer.Option("--seed", help="Seed of the sample (to repeat it).")] = None,
        zip_: Annotated[bool, typer.Option("--zip", help="Write one zip file.")] = False,
        tar: Annotated[bool, typer.Option("--tar", help="Write one tar file.")] = False,
        encrypt_to: Annotated[list[str] | None, typer.Option(
            "--encrypt-to", help="age public key (age1…) to encrypt for (repeatable); implies --zip unless --tar.")
        ] = None,
        lang: Annotated[str, typer.Option("--lang", help="Language of the index: nl or fr.")] = "nl",
        export_format: Annotated[str, typer.Option(
            "--format", help="bag (documents, index and provenance) or e-ark (an E-ARK SIP inside the bag).")
        ] = "bag",
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.export.run import run_export
        from dsd_cli.export.select import Criteria
        from dsd_cli.retention.due import parse_day

        if zip_ and tar:
            raise UsageError("choose one of --zip and --tar")
        criteria = Criteria(dossiers=tuple(dossier or ()), types=tuple(doc_type or ()),
                            since=parse_day(since, "--since") if since else None,
                            until=parse_day(until, "--until") if until else None, sample=sample, seed=seed)
        outcome = run_export(archive, criteria, output, fmt="zip" if zip_ else "tar" if tar else None,
                             encrypt_to=tuple(encrypt_to or ()), lang=lang, export_format=export_format)
        if json_output:
            print_json({"output": str(outcome.output), "kind": outcome.kind, "format": outcome.export_format,
                        "sha256": outcome.sha256,
                        "dossiers": outcome.result.dossiers, "documents": outcome.result.documents,
                        "bytes": outcome.result.bytes})
            return
        out_console.print(f"exported {outcome.result.documents} document(s) of {outcome.result.dossiers} dossier(s) "
                          f"to {outcome.output} ({outcome.export_format}, {outcome.kind})", highlight=False)

    @app.command("decrypt", help=DECRYPT_HELP)
    def decrypt_command(
        file: Annotated[Path, typer.Argument(help="The encrypted file (.age).")],
        output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the decrypted file.")],
        identity: Annotated[Path, typer.Option("--identity", "-i", help="age key file of the recipient.")],
        json_output: JsonOption = False,
    ) -> None:
        from dsd_cli.export.package import decrypt

        written = decrypt(file, output, identity)
        if json_output:
            print_json({"output": str(written)})
            return
        out_console.print(f"decrypted to {written}", highlight=False)
