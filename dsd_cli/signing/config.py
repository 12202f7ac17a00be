"""Which key signs, and where its secret comes from. Never the secret itself: it is read when signing starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dsd_cli.errors import ConfigError
from dsd_cli.profiles import Profile
from dsd_cli.secrets import Prompter, read_secret, terminal_prompt

PASSPHRASE_ENV = "DSD_KEY_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret
PIN_ENV = "DSD_PKCS11_PIN"


@dataclass(frozen=True)
class SignerConfig:
    pkcs12: Path | None = None
    pkcs11_module: Path | None = None
    pkcs11_token: str = ""
    pkcs11_key: str = ""
    passphrase_file: Path | None = None
    """File holding the PKCS#12 passphrase or the token PIN (else the environment, else a prompt)."""
    demo: bool = False

    @property
    def description(self) -> str:
        if self.pkcs12 is not None:
            return f"PKCS#12 {self.pkcs12.name}" + (" (DEMO key — not for production)" if self.demo else "")
        return f"PKCS#11 token {self.pkcs11_token!r} key {self.pkcs11_key!r}"


def load_signer_config(profile: Profile, *, key: Path | None = None, pkcs11_module: Path | None = None,
                       token: str = "", key_label: str = "", passphrase_file: Path | None = None,
                       env: Mapping[str, str] = os.environ) -> SignerConfig | None:
    """The configured key: command line first, then the environment (DSD_KEY), then the profile. None if none.

    A PKCS#12 file that does not exist, or a PKCS#11 module without token and key labels, is a ConfigError.
    """
    s = profile.signing
    module = pkcs11_module or (Path(s.pkcs11_module) if s.pkcs11_module else None)
    if key is None and module is None:
        key = Path(env["DSD_KEY"]) if env.get("DSD_KEY") else (_from_profile(profile, s.pkcs12) if s.pkcs12 else None)
    if key is not None:
        if not key.is_file():
            raise ConfigError(f"signing key not found: {key}")
        return SignerConfig(pkcs12=key, passphrase_file=passphrase_file)
    if module is not None:
        token, key_label = token or s.pkcs11_token, key_label or s.pkcs11_key
        if not token or not key_label:
            raise ConfigError("a PKCS#11 key needs a token label and a key label")
        return SignerConfig(pkcs11_module=module, pkcs11_token=token, pkcs11_key=key_label,
                            passphrase_file=passphrase_file)
    return None


def _from_profile(profile: Profile, value: str) -> Path:
    """A path written in a profile: relative paths are relative to the profile file's folder."""
    path = Path(value).expanduser()
    if not path.is_absolute() and profile.source is not None:
        path = profile.source.parent / path
    return path


def resolve_passphrase(signer: SignerConfig, prompter: Prompter | None = terminal_prompt) -> bytes | None:
    """Read the secret once, before workers start (they cannot prompt)."""
    env_var = PASSPHRASE_ENV if signer.pkcs12 is not None else PIN_ENV
    question = "passphrase of the signing key" if signer.pkcs12 is not None else "PIN of the signing token"
    return read_secret(env_var=env_var, file=signer.passphrase_file, question=question, prompter=prompter)
