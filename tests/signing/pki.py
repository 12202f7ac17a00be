"""A real test PKI on 127.0.0.1: certomancer's Animator serves CA certificates, CRLs, OCSP and a TSA over HTTP.

Root CA → intermediate CA → signers (good, revoked, expired); the root also issues the TSA. The intermediate has an
OCSP responder and both CAs publish CRLs; every URL in the certificates points at the loopback port chosen first.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

ARCH = "dsd-test"
KEYS = ("root", "interm", "interm-ocsp", "tsa", "signer", "signer-revoked", "signer-expired")
PASSPHRASE = b"pki-test-pass"

CONFIG = """
external-url-prefix: "http://127.0.0.1:{port}"
keysets:
  dsd-test:
    keys:
{keys}
pki-architectures:
  dsd-test:
    keyset: dsd-test
    entity-defaults:
      country-name: BE
      organization-name: dsd test PKI
    entities:
      root: {{common-name: dsd Test Root CA}}
      interm: {{common-name: dsd Test Intermediate CA}}
      interm-ocsp: {{common-name: dsd Test OCSP responder}}
      tsa: {{common-name: dsd Test TSA}}
      signer: {{common-name: Sociaal Huis Testdorp archief}}
      signer-revoked: {{common-name: Revoked Signer}}
      signer-expired: {{common-name: Expired Signer}}
    certs:
      root:
        subject: root
        issuer: root
        validity: {{valid-from: "2000-01-01T00:00:00+0000", valid-to: "2500-01-01T00:00:00+0000"}}
        extensions:
          - {{id: basic_constraints, critical: true, value: {{ca: true}}}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
      interm:
        issuer: root
        validity: {{valid-from: "2000-01-01T00:00:00+0000", valid-to: "2400-01-01T00:00:00+0000"}}
        extensions:
          - {{id: basic_constraints, critical: true, value: {{ca: true, path-len-constraint: 0}}}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
      interm-ocsp:
        issuer: interm
        validity: {{valid-from: "2000-01-01T00:00:00+0000", valid-to: "2400-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - {{id: extended_key_usage, critical: true, value: [ocsp_signing]}}
          - id: ocsp_no_check
      tsa:
        issuer: root
        validity: {{valid-from: "2000-01-01T00:00:00+0000", valid-to: "2400-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - {{id: extended_key_usage, critical: true, value: [time_stamping]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
      signer:
        issuer: interm
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2400-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, non_repudiation]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [interm]}}}}
          - id: authority_information_access
            smart-value: {{schema: aia-urls, params: {{ocsp-responder-names: [interm]}}}}
      signer-revoked:
        template: signer
        subject: signer-revoked
        subject-key: signer-revoked
        revocation: {{revoked-since: "2021-01-01T00:00:00+0000", reason: key_compromise}}
      signer-expired:
        template: signer
        subject: signer-expired
        subject-key: signer-expired
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2022-01-01T00:00:00+0000"}}
    services:
      ocsp:
        interm: {{for-issuer: interm, responder-cert: interm-ocsp, signing-key: interm-ocsp}}
      crl-repo:
        root: {{for-issuer: root, signing-key: root, simulated-update-schedule: "P90D"}}
        interm: {{for-issuer: interm, signing-key: interm, simulated-update-schedule: "P30D"}}
      cert-repo:
        root: {{for-issuer: root, publish-issued-certs: yes}}
        interm: {{for-issuer: interm, publish-issued-certs: yes}}
      time-stamping:
        tsa: {{signing-key: tsa, signing-cert: tsa}}
"""


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # keep test output clean
        pass


def free_port() -> int:
    """A free loopback port below the ephemeral range: while the PKI is offline, no outgoing connection (of this
    or another test process) can take its port, so it can start again on the same one."""
    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(10000, max(10001, low))
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free loopback port for the test PKI")


@dataclass
class TestPki:
    """The running PKI: where its TSA and root are, signer key files, and a switch to take it offline."""

    folder: Path
    port: int
    animator: Animator
    root_pem: Path
    tsa_url: str
    p12: dict[str, Path] = field(default_factory=dict)
    server: BaseWSGIServer | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        for _ in range(50):  # the port may still be held for a moment by the server just stopped
            try:
                self.server = make_server("127.0.0.1", self.port, self.animator, threaded=True,
                                          request_handler=_QuietHandler)
                break
            except (OSError, SystemExit):
                time.sleep(0.05)
        else:
            raise OSError(f"the test PKI cannot listen on port {self.port} again")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def answering(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    @contextlib.contextmanager
    def offline(self) -> Iterator[None]:
        """Stop the servers: nothing can be fetched while the block runs (then they start again)."""
        self.stop()
        deadline = time.monotonic() + 5
        while self.answering():
            assert time.monotonic() < deadline, "the test PKI still answers after it was stopped"
            time.sleep(0.05)
        try:
            yield
        finally:
            self.start()


def build_pki(folder: Path) -> TestPki:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    for name in KEYS:
        key = ec.generate_private_key(ec.SECP256R1())
        (folder / f"{name}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    keys = "\n".join(f"      {name}:\n        path: {name}.key.pem" for name in KEYS)
    config = CertomancerConfig.from_yaml(CONFIG.format(port=port, keys=keys), key_search_dir=str(folder))
    arch = config.get_pki_arch(ARCH)
    root_pem = folder / "root.pem"
    from asn1crypto import pem

    root_pem.write_bytes(pem.armor("CERTIFICATE", arch.get_cert("root").dump()))
    pki = TestPki(folder=folder, port=port, animator=Animator(AnimatorArchStore(config.pki_archs),
                                                              with_web_ui=False),
                  root_pem=root_pem, tsa_url=arch.service_registry.get_tsa_info("tsa").url)
    for label in ("signer", "interm"):  # for importing the signer into a PKCS#11 token
        (folder / f"{label}.cert.der").write_bytes(arch.get_cert(label).dump())
    for label in ("signer", "signer-revoked", "signer-expired"):
        path = folder / f"{label}.p12"
        path.write_bytes(arch.package_pkcs12(label, password=PASSPHRASE))
        pki.p12[label] = path
    pki.start()
    return pki
