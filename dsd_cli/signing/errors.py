"""Turn pyHanko's signing failures into one clear SigningError: revoked, expired, untrusted, TSA down, ...

pyHanko wraps the real cause (a certvalidator error, a network error) in its own exceptions; the message names the
cause found anywhere in the chain, never the secret and never a traceback.
"""

from __future__ import annotations

from dsd_cli.errors import DsdError, SigningError


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def explain_signing_failure(exc: BaseException, name: str, tsa_url: str = "") -> DsdError:
    """The DsdError to raise for `exc`, raised while signing the file `name`."""
    if isinstance(exc, DsdError):
        return exc
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InsufficientRevinfoError,
        NotYetValidError,
        PathBuildingError,
        RevokedError,
    )

    chain = _chain(exc)
    kinds = tuple(type(e) for e in chain)

    def has(*types: type) -> bool:
        return any(issubclass(k, types) for k in kinds)

    if has(RevokedError):
        return SigningError(f"signing {name} failed: a certificate in the signer's chain is revoked")
    if has(ExpiredError, NotYetValidError):
        return SigningError(f"signing {name} failed: a certificate in the signer's chain is expired or not yet valid")
    if has(PathBuildingError):
        return SigningError(f"signing {name} failed: the signer's certificate does not chain to a trusted root",
                            hint="add the root certificate to signing.trust_roots in the profile")
    if has(InsufficientRevinfoError):
        return SigningError(f"signing {name} failed: revocation data (OCSP/CRL) for the signer's chain could not "
                            "be obtained", hint="B-LT and B-LTA need the CA's OCSP responder or CRL to be reachable")
    if has(TimestampRequestError, ConnectionError, TimeoutError) or "imestamp" in str(exc):
        where = f" at {tsa_url}" if tsa_url else ""
        return SigningError(f"signing {name} failed: the timestamp authority{where} did not answer with a valid "
                            "timestamp", hint="check signing.tsa_url and the network")
    if "validated" in str(exc) or "validation" in str(exc).lower():
        return SigningError(f"signing {name} failed: the signer's certificate could not be validated "
                            f"({type(chain[-1]).__name__})")
    return SigningError(f"signing {name} failed: {type(exc).__name__}: {_short(exc)}")


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text[:200]
