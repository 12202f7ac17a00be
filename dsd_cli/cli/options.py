"""Options that several commands share, so they have one name, one metavar and one meaning everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ArchiveOption = Annotated[Path, typer.Option("--archive", "-a", metavar="FOLDER", help="Archive folder.")]
RegisterOption = Annotated[Path | None, typer.Option(
    "--register", metavar="FILE", help="Dossier register CSV (dossier numbers, client names, dates).")]
WorkersOption = Annotated[int, typer.Option("--workers", "-w", metavar="N", min=0,
                                            help="Parallel workers (0: one per core).")]
KeyOption = Annotated[Path | None, typer.Option(
    "--key", metavar="FILE", envvar="DSD_KEY",
    help="PKCS#12 signing key (passphrase: DSD_KEY_PASSPHRASE, --passphrase-file or a prompt).")]
PassphraseFileOption = Annotated[Path | None, typer.Option(
    "--passphrase-file", metavar="FILE", help="File holding the passphrase (instead of DSD_KEY_PASSPHRASE or a "
                                              "prompt; never on the command line).")]
TrustOption = Annotated[list[Path] | None, typer.Option(
    "--trust", metavar="CERT", help="Trusted root certificate, PEM or DER (repeat for several).")]
TsaOption = Annotated[str | None, typer.Option("--tsa", metavar="URL", help="RFC 3161 timestamp authority URL.")]
LangOption = Annotated[str | None, typer.Option(
    "--lang", metavar="nl|fr", help="Language of the document for people: nl or fr (default: the profile's "
                                    "organization.language, nl in the shipped profile).")]
ClusterOption = Annotated[
    str | None, typer.Option("--cluster", metavar="ADDRESS", envvar="DSD_CLUSTER", show_envvar=True,
                             help="Dask scheduler to OCR on: tls://host:8786 (tcp:// on this machine only). "
                                  "Default: the profile's [cluster] address, else this machine's processes.")]
InsecureClusterOption = Annotated[
    bool, typer.Option("--insecure-cluster", help="Allow plain tcp:// to another machine (unencrypted, "
                                                  "unauthenticated: a trusted network only).")]
DossierFilterOption = Annotated[str | None, typer.Option("--dossier", "-d", metavar="DOSSIER",
                                                        help="Only this dossier.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV on stdout (instead of a table).")]
HtmlReportOption = Annotated[Path | None, typer.Option("--report", metavar="FILE",
                                                       help="Write an HTML report with thumbnails.")]


def one_listing_format(json_output: bool, csv_output: bool) -> None:
    """--json and --csv both print the whole result on stdout: only one of them can."""
    if json_output and csv_output:
        from dsd_cli.errors import UsageError

        raise UsageError("choose one of --json and --csv")
