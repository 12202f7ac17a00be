"""`dsd keys demo`: a clearly labelled demo CA and signing key for trying dsd out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.options import PassphraseFileOption
from dsd_cli.cli.output import JsonOption, info, print_json, warn

KEYS_HELP = """Signing keys: a labelled demo key for trying dsd out.

Real keys come from your certificate authority (PKCS#12 file or PKCS#11 token).

Exit codes: each command's --help lists its own; the full table is in dsd --help.

Examples:

  DSD_KEY_PASSPHRASE=... dsd keys demo -o demo-keys/

  dsd sign in.pdf -o out.pdf --key demo-keys/demo-signer.p12
"""

DEMO_HELP = """Create a demo CA and signing key, labelled DEMO.

A PKCS#12 key whose certificates say "DEMO — not for production".
The passphrase comes from DSD_KEY_PASSPHRASE, --passphrase-file or a prompt; never from the command line.

Exit codes: 0 written, 5 no passphrase (or its file cannot be read), 2 wrong command line (full table:
dsd --help).

Example:

  DSD_KEY_PASSPHRASE=... dsd keys demo -o demo-keys/ && dsd sign in.pdf -o out.pdf --key demo-keys/demo-signer.p12
"""

keys_app = typer.Typer(help=KEYS_HELP, no_args_is_help=True)


@keys_app.command("demo", help=DEMO_HELP)
def demo_command(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FOLDER",
                                         help="Folder to write the key and CA into.")],
    passphrase_file: PassphraseFileOption = None,
    json_output: JsonOption = False,
) -> None:
    from dsd_cli.secrets import read_secret, terminal_prompt
    from dsd_cli.signing.config import PASSPHRASE_ENV
    from dsd_cli.signing.keys import create_demo_pki

    secret = read_secret(env_var=PASSPHRASE_ENV, file=passphrase_file, question="passphrase for the demo key",
                         prompter=terminal_prompt)
    assert secret is not None
    key = create_demo_pki(output, passphrase=secret)
    if json_output:
        print_json({"pkcs12": str(key.pkcs12), "ca_certificate": str(key.ca_certificate), "demo": True})
    else:
        info(f"wrote {key.pkcs12} and {key.ca_certificate}")
    warn("this is a DEMO key — signatures made with it are not for production")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
