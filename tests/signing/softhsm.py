"""A fresh SoftHSM2 token in a temp folder, with a private key and certificates imported under one label."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


def init_token(folder: Path, *, label: str, pin: str, key_pem: Path, certs: list[tuple[str, str, Path]]) -> Path:
    """Create token `label` under `folder`; import `key_pem` as 'signer' (id 01) and each (label, id, DER file).

    Tokens made in the same `folder` share one config file (returned): point SOFTHSM2_CONF at it before the first
    PKCS#11 use in a process — the module reads it once per process.
    """
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin",
                    "87654321"], check=True, env=env, capture_output=True)
    subprocess.run(["softhsm2-util", "--import", str(key_pem), "--token", label, "--label", "signer", "--id", "01",
                    "--pin", pin], check=True, env=env, capture_output=True)
    for cert_label, cert_id, der in certs:
        subprocess.run(["pkcs11-tool", "--module", str(SOFTHSM), "--token-label", label, "--login", "--pin", pin,
                        "--write-object", str(der), "--type", "cert", "--label", cert_label, "--id", cert_id],
                       check=True, env=env, capture_output=True)
    return conf
