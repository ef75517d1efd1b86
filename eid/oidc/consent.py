"""When the consent page must be shown (OpenID Connect Core §3.1.2.4), and what a
remembered consent covers: per relying party, the claim names the person agreed to."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eid.oidc.claims import needs_consent


@dataclass(frozen=True)
class ConsentCheck:
    missing: frozenset[str]
    forced: bool

    @property
    def ask(self) -> bool:
        return self.forced or bool(self.missing)


def check(requested: Iterable[str], remembered: Iterable[str] | None, *,
          prompt: Iterable[str]) -> ConsentCheck:
    """``prompt=consent`` asks again; otherwise only claims not yet agreed to are asked."""
    wanted = needs_consent(requested)
    have = set(remembered or ())
    return ConsentCheck(frozenset(wanted - have), "consent" in set(prompt))


def merged(remembered: Iterable[str] | None, granted: Iterable[str]) -> list[str]:
    return sorted(set(remembered or ()) | needs_consent(granted))
