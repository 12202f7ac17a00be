"""`dsd sign`: a PAdES signature on one PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dsd_cli.cli.options import KeyOption, PassphraseFileOption, TrustOption, TsaOption
from dsd_cli.cli.output import JsonOption, ProfileOption, info, print_json, warn

SIGN_HELP = """Sign a PDF with a PAdES signature.

An incremental update: a PDF/A stays PDF/A.
Keys: a PKCS#12 file (--key) or a PKCS#11 token (--pkcs11-module, --token, --key-label). The passphrase or PIN
comes from DSD_KEY_PASSPHRASE / DSD_PKCS11_PIN, --passphrase-file, or a prompt — never from the command line.
Levels: B-B, B-T (needs --tsa), B-LT, B-LTA.

Exit codes: 0 signed, 4 the PDF cannot be used, 5 no key or a bad profile, 7 signing or timestamping failed
(passphrase, token, certificate, TSA), 2 wrong command line (full table: dsd --help).

Examples:

  dsd sign doc.pdf -o doc.signed.pdf --key signer.p12

  dsd sign doc.pdf -o doc.lta.pdf --key signer.p12 --level B-LTA --tsa http://tsa.example/tsr --trust root.pem

  dsd sign doc.pdf -o doc.signed.pdf --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --token archief --key-label sign
"""


def register(app: typer.Typer) -> None:
    @app.command("sign", help=SIGN_HELP)
    def sign_command(
        source: Annotated[Path, typer.Argument(help="PDF to sign.", metavar="PDF")],
        output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="Signed PDF to write.")],
        key: KeyOption = None,
        pkcs11_module: Annotated[Path | None, typer.Option("--pkcs11-module", metavar="LIBRARY",
                                                           help="PKCS#11 module (.so) of the token.")] = None,
        token: Annotated[str, typer.Option("--token", metavar="LABEL", help="PKCS#11 token label.")] = "",
        key_label: Annotated[str, typer.Option("--key-label", metavar="LABEL", help="PKCS#11 key label.")] = "",
        passphrase_file: PassphraseFileOption = None,
        level: Annotated[str | None, typer.Option("--level", metavar="LEVEL", help="B-B, B-T, B-LT or B-LTA.")
                         ] = None,
        tsa: TsaOption = None,
        trust: TrustOption = None,
        profile: ProfileOption = None,
        json_output: JsonOption = False,
    ) -> None:
        import dataclasses

        from dsd_cli.cli.inputs import input_file
        from dsd_cli.errors import ConfigError
        from dsd_cli.profiles import load_profile
        from dsd_cli.signing.config import load_signer_config
        from dsd_cli.signing.sign import sign_pdf

        input_file(source, "PDF")
        prof = load_profile(profile)
        config = load_signer_config(prof, key=key, pkcs11_module=pkcs11_module, token=token, key_label=key_label,
                                    passphrase_file=passphrase_file)
        if config is None:
            raise ConfigError("no signing key: give --key or a PKCS#11 token, or configure one in the profile")
        settings = dataclasses.replace(prof.signing, tsa_url=tsa) if tsa else prof.signing
        if trust:
            settings = dataclasses.replace(settings, trust_roots=(*map(str, trust), *settings.trust_roots))
        result = sign_pdf(source, output, config, settings, level=level)
        if json_output:
            print_json({"output": str(result.output), "level": result.level, "signer": result.signer,
                        "field": result.field_name, "demo": result.demo})
        else:
            info(f"signed {result.output} ({result.level}) as {result.signer}")
        if result.demo:
            warn("signed with a DEMO key — not for production")
