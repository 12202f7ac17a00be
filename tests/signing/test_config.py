"""Which key signs: command line, then DSD_KEY, then the profile; never a secret in the configuration."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dsd_cli.errors import ConfigError
from dsd_cli.profiles import load_profile
from dsd_cli.signing.config import load_signer_config, resolve_passphrase


def _profile(tmp_path: Path, **signing):
    base = load_profile()
    return dataclasses.replace(base, signing=dataclasses.replace(base.signing, **signing),
                               source=tmp_path / "profile.toml")


def test_no_key_anywhere_is_none(tmp_path: Path):
    assert load_signer_config(_profile(tmp_path), env={}) is None


def test_precedence_cli_then_env_then_profile(tmp_path: Path):
    for name in ("cli.p12", "env.p12", "prof.p12"):
        (tmp_path / name).write_bytes(b"x")
    profile = _profile(tmp_path, pkcs12="prof.p12")  # relative to the profile file
    assert load_signer_config(profile, env={}).pkcs12 == tmp_path / "prof.p12"
    env = {"DSD_KEY": str(tmp_path / "env.p12")}
    assert load_signer_config(profile, env=env).pkcs12 == tmp_path / "env.p12"
    chosen = load_signer_config(profile, key=tmp_path / "cli.p12", env=env)
    assert chosen.pkcs12 == tmp_path / "cli.p12" and not chosen.demo


def test_missing_key_file_and_incomplete_token_are_config_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_signer_config(_profile(tmp_path), key=tmp_path / "nope.p12", env={})
    with pytest.raises(ConfigError, match="token label"):
        load_signer_config(_profile(tmp_path, pkcs11_module="/usr/lib/softhsm/libsofthsm2.so"), env={})
    config = load_signer_config(_profile(tmp_path, pkcs11_module="/m.so", pkcs11_token="t", pkcs11_key="k"), env={})
    assert (config.pkcs11_module, config.pkcs11_token, config.pkcs11_key, config.pkcs12) == (Path("/m.so"), "t",
                                                                                              "k", None)


def test_secret_sources(tmp_path: Path, monkeypatch):
    (tmp_path / "k.p12").write_bytes(b"x")
    secret_file = tmp_path / "secret"
    secret_file.write_bytes(b"from-file\n")
    config = load_signer_config(_profile(tmp_path), key=tmp_path / "k.p12", passphrase_file=secret_file, env={})
    assert resolve_passphrase(config, prompter=None) == b"from-file"
    config = load_signer_config(_profile(tmp_path), key=tmp_path / "k.p12", env={})
    monkeypatch.setenv("DSD_KEY_PASSPHRASE", "from-env")
    assert resolve_passphrase(config, prompter=None) == b"from-env"
    monkeypatch.delenv("DSD_KEY_PASSPHRASE")
    assert resolve_passphrase(config, prompter=lambda q: "typed") == b"typed"
    with pytest.raises(ConfigError):
        resolve_passphrase(config, prompter=None)
