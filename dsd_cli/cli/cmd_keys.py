"""`dsd keys demo`: a clearly labelled demo CA and signing key for trying dsd out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.output import info, warn
from dsd_cli.secrets import read_secret, terminal_prompt
from dsd_cli.signing.config import PASSPHRASE_ENV

keys_app = typer.Typer(help="Signing keys.", no_args_is_help=True)

DEMO_HELP = """Create a demo CA and signing key (PKCS#12) — clearly labelled "DEMO — not for production".

The passphrase comes from DSD_KEY_PASSPHRASE, --passphrase-file or a prompt; never from the command line.

Example:

  DSD_KEY_PASSPHRASE=... dsd keys demo -o demo-keys/ && dsd sign in.pdf -o out.pdf --key demo-keys/demo-signer.p12
"""


@keys_app.command("demo", help=DEMO_HELP)
def demo_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the key and CA into.")],
    passphrase_file: Annotated[Path | None, typer.Option("--passphrase-file")] = None,
) -> None:
    from dsd_cli.signing.keys import create_demo_pki

    secret = read_secret(env_var=PASSPHRASE_ENV, file=passphrase_file, question="passphrase for the demo key",
                         prompter=terminal_prompt)
    assert secret is not None
    key = create_demo_pki(output, passphrase=secret)
    info(f"wrote {key.pkcs12} and {key.ca_certificate}")
    warn("this is a DEMO key — signatures made with it are not for production")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
