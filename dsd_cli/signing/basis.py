"""On what basis dsd decides that a signature is trusted, and where that verdict differs from strict AdES validation
(ETSI EN 319 102-1, as pyHanko's `pyhanko.sign.validation.ades` implements it).

dsd verifies offline and decides trust with one of four bases:

- `current-time`: the chain is validated at the validation time (normally now). A signature without embedded
  revocation data (B-B, B-T) has its revocation status checked only when fetching is allowed (`online`).
- `timestamp`: the chain is validated at the time the signature's own timestamp proves, with the revocation data
  embedded in the document security store (DSS) after it, whatever its age (B-LT). Nothing proves that this data
  existed before the validation time. The newest document timestamp of a file is validated this way too, at its own
  time.
- `document-timestamp`: as `timestamp`, at the time of the first document timestamp that covers the embedded
  revocation data: that timestamp proves the data existed then (B-LTA). Each document timestamp is in turn
  validated at its own time with the data embedded before the next one; the newest at the validation time.
- `demo-trust`: the chain ends at the dsd DEMO CA that the signature itself carries (demo archives only).

Strict AdES validation needs fresh revocation data for every certificate at the validation time, or a proof of
existence (a document timestamp) for older data. `ades_difference` states, for a signature dsd trusts, why strict
AdES would not say PASSED (None when it would).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CURRENT, TIMESTAMP, DOCUMENT_TIMESTAMP, DEMO = "current-time", "timestamp", "document-timestamp", "demo-trust"


@dataclass(frozen=True)
class Basis:
    basis: str
    moment: dt.datetime
    """The validation time of the chain."""
    embedded_revocation: bool
    """The chain is checked against the revocation data in the DSS (hard-fail)."""


def choose(*, demo: bool, revocation_data: bool, signature_time: dt.datetime | None,
           covering_docts: dt.datetime | None, now: dt.datetime) -> Basis:
    """The basis for one signature or document timestamp.

    `signature_time`: the time its own timestamp proves (None for a B-B signature); `covering_docts`: the time of the
    first later document timestamp that covers the DSS (None when there is none).
    """
    if demo:
        return Basis(DEMO, now, False)
    if revocation_data and covering_docts is not None:
        return Basis(DOCUMENT_TIMESTAMP, covering_docts, True)
    if revocation_data and signature_time is not None:
        return Basis(TIMESTAMP, signature_time, True)
    return Basis(CURRENT, now, revocation_data)


# Why strict AdES would not pass an entry dsd trusts (AdesDifference.reason).
DEMO_CHAIN, NOT_CHECKED = "demo-trust", "revocation-not-checked"
NEWEST_DOCTS, NO_PROOF, STALE = "newest-document-timestamp", "no-proof-of-existence", "stale-revocation-data"


@dataclass(frozen=True)
class AdesDifference:
    """Why strict AdES validation at `at` would not say PASSED: a reason with its facts, so that the English text
    (terminal, JSON) and the verification report's Dutch or French say the same."""

    reason: str
    at: str
    """The validation time (ISO 8601)."""
    detail: str = ""
    """Technical facts, in the validator's words: what fails in the newest document timestamp, or the revocation
    data that is no longer fresh."""
    since: str = ""
    """The time the signature's own timestamp proves (NO_PROOF)."""

    def text(self) -> str:
        renew = ("strict AdES therefore has no proof that the embedded revocation data existed earlier "
                 "(INDETERMINATE); a new document timestamp (dsd timestamp renew) closes the gap")
        if self.reason == DEMO_CHAIN:
            return ("demo trust: the chain ends at the dsd DEMO CA carried in the signature itself, which strict "
                    "AdES does not trust (INDETERMINATE, no certificate chain to a trust anchor)")
        if self.reason == NOT_CHECKED:
            return ("revocation was not checked: the file embeds no revocation data and dsd verifies offline; "
                    "strict AdES requires revocation data for every certificate of the chain (INDETERMINATE)")
        if self.reason == NEWEST_DOCTS:
            return f"the newest document timestamp cannot be validated at {self.at} ({self.detail}): {renew}"
        if self.reason == NO_PROOF:
            return (f"validated at its timestamp ({self.since}) with revocation data embedded after it, and no "
                    f"document timestamp proves that this data existed before {self.at}"
                    + (f" (it is not fresh then: {self.detail})" if self.detail else "") + f"; {renew}")
        return f"the embedded revocation data is not fresh at {self.at} ({self.detail}); strict AdES: INDETERMINATE"

    def facts(self) -> dict[str, str]:
        return {"reason": self.reason, "at": self.at, "detail": self.detail, "since": self.since}


def ades_difference(basis: Basis, *, trusted: bool, online: bool, now: dt.datetime, docts: bool,
                    newest_docts_problem: str, stale: str) -> AdesDifference | None:
    """Why strict AdES validation at `now` would not pass an entry dsd trusts on `basis` (None if it would).

    `newest_docts_problem`: '' when the file's newest document timestamp validates at `now` with fresh embedded
    revocation data (strict AdES can then use the timestamp chain as proof of existence), else why it does not;
    `stale`: the embedded revocation data that is no longer fresh at `now`.
    """
    if not trusted:
        return None  # both reject it
    at = now.isoformat(timespec="seconds")
    if basis.basis == DEMO:
        return AdesDifference(DEMO_CHAIN, at)
    if basis.basis == CURRENT and not basis.embedded_revocation and not online:
        return AdesDifference(NOT_CHECKED, at)
    if docts or basis.basis == DOCUMENT_TIMESTAMP:
        return AdesDifference(NEWEST_DOCTS, at, newest_docts_problem) if newest_docts_problem else None
    if basis.basis == TIMESTAMP:
        return AdesDifference(NO_PROOF, at, stale, basis.moment.isoformat(timespec="seconds"))
    return AdesDifference(STALE, at, stale) if stale else None
