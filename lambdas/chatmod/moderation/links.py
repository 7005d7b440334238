"""The ``links`` provider: URLs and domain names in a message, written plainly or disguised.

In process, no network. It finds ``https://…`` and ``www.…`` links and bare domain names
(``example.com``: a name ending in a known top-level domain, so ``e.g.``, ``file.txt`` or
``3.14`` are not links), including the usual disguises — ``example[.]com``,
``example(.)com``, ``example{.}com``, ``example dot com``, ``example . com`` and ``hxxp://``.

Each link is a ``Match`` (so a rule may mask it) in one of two categories:

- ``blocked_domain`` (score 3): the domain, or a domain it belongs to, is on the block list
  (the provider's, or the room's);
- ``new_sender_link`` (score 2): any other link from a sender with fewer than
  ``trustAfterMessages`` published messages (when set), so a rule may hold or reject the
  links of new accounts only;
- ``link`` (score 1): any other link, unless its domain is on the allow list.

Scores do not decide: rules do (``moderation.rules``, e.g. hold links in ``kids-*``,
reject blocked domains everywhere); without rules, any link flags under ``onMatch``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Final

from chatmod.moderation.base import Match, MessageContext, ProviderResult, ProviderTimeoutError

#: Top-level domains read as the end of a bare domain name: the generic ones spam uses
#: most, and the country codes of the languages the blocklist speaks and of big markets.
#: A name ending in anything else is only a link with a scheme or ``www.``.
_TLD_TEXT: Final = """
    com net org info biz io co me tv gg xyz top app dev link click site online store shop
    live club vip pro icu buzz fun space website tech cc ws ly to sh gl bit fm am ai
    ru su ua by kz cn hk tw jp kr in id vn th ph my sg au nz ca us mx br ar cl pe
    uk ie de at ch fr be nl lu es pt it pl cz sk hu ro bg gr tr se no dk fi is ee lv lt
    za ng ke eg ma sa ae il ir pk bd
"""
TLDS: Final = frozenset(_TLD_TEXT.split())
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# A dot, or a disguised one: [.] (.) {.} " dot " " . "
_DOT = r"(?:\.|\s*[\[\(\{]\s*(?:\.|dot)\s*[\]\)\}]\s*|\s+dot\s+|\s+\.\s+)"
_SCHEME = r"(?:h(?:tt|xx)ps?://)"
_LINK = re.compile(
    rf"(?P<scheme>{_SCHEME})?(?P<www>www{_DOT})?"
    rf"(?P<host>{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}(?P<tld>[a-z]{{2,24}}))"
    r"(?P<rest>(?::\d{1,5})?(?:/[^\s<>\"']*)?)",
    re.IGNORECASE,
)
_ANY_DOT = re.compile(_DOT, re.IGNORECASE)
#: Top-level domains that are also everyday words ("it.is", "go to.me", "no . it"): a bare
#: name ending in one is a link only written plainly (a real dot, lower case, a name of
#: three letters or more), never in a disguise a sentence could produce by chance.
WORDY_TLDS: Final = frozenset(
    {
        "is",
        "to",
        "me",
        "in",
        "no",
        "it",
        "be",
        "us",
        "my",
        "am",
        "by",
        "es",
        "se",
        "il",
        "ma",
        "sa",
        "so",
        "fun",
        "live",
        "shop",
        "top",
    }
)

LINK: Final = "link"
NEW_SENDER_LINK: Final = "new_sender_link"
BLOCKED_DOMAIN: Final = "blocked_domain"


def _domain(host: str) -> str:
    return _ANY_DOT.sub(".", host).lower().rstrip(".")


def _listed(domain: str, listed: Iterable[str]) -> bool:
    """Whether ``domain`` is one of ``listed`` or a subdomain of one."""
    return any(domain == entry or domain.endswith("." + entry) for entry in listed)


@dataclass(frozen=True, slots=True)
class DomainLists:
    """Domains allowed (a link to them is no link) and blocked (``blocked_domain``)."""

    allow: tuple[str, ...] = ()
    block: tuple[str, ...] = ()

    @classmethod
    def of(cls, allow: Iterable[str] = (), block: Iterable[str] = ()) -> DomainLists:
        return cls(
            tuple(d.lower().strip(".") for d in allow), tuple(d.lower().strip(".") for d in block)
        )


class LinksProvider:
    """Finds links; the room's lists (first matching glob) come before the provider's own."""

    name: str = "links"

    def __init__(
        self,
        lists: DomainLists = DomainLists(),
        rooms: Sequence[tuple[str, DomainLists]] = (),
        trust_after: int | None = None,
    ) -> None:
        self.lists = lists
        self.rooms = tuple(rooms)
        self.trust_after = trust_after
        self.wants_context = bool(self.rooms) or trust_after is not None

    @classmethod
    def from_config(
        cls,
        *,
        allow: Iterable[str] = (),
        block: Iterable[str] = (),
        rooms: Mapping[str, tuple[Iterable[str], Iterable[str]]] | None = None,
        trust_after: int | None = None,
    ) -> LinksProvider:
        """From the policy: global lists, per room glob ``(allow, block)``, the trust bar."""
        return cls(
            DomainLists.of(allow, block),
            [(glob, DomainLists.of(a, b)) for glob, (a, b) in (rooms or {}).items()],
            trust_after,
        )

    def lists_for(self, room: str | None) -> tuple[DomainLists, ...]:
        """The room's lists (first matching glob), then the provider's own."""
        if room is not None:
            for glob, lists in self.rooms:
                if fnmatchcase(room, glob):
                    return (lists, self.lists)
        return (self.lists,)

    def moderate(
        self, text: str, *, timeout: float, context: MessageContext | None = None
    ) -> ProviderResult:
        """Every link in ``text``, as ``Match`` spans; scores per category (1 or 3)."""
        if timeout <= 0:
            raise ProviderTimeoutError(self.name, "no time left to scan")
        lists = self.lists_for(context.room if context is not None else None)
        published = context.published_messages if context is not None else None
        new_sender = (
            self.trust_after is not None and published is not None and published < self.trust_after
        )
        matches: list[Match] = []
        for found in _LINK.finditer(text):
            if not self._is_link(found) or text[found.start() - 1 : found.start()] == "@":
                continue  # (an e-mail address is not a link)
            domain = _domain(found["host"])
            if any(_listed(domain, ls.block) for ls in lists):
                matches.append(Match(found.start(), found.end(), domain, BLOCKED_DOMAIN, 3))
            elif not any(_listed(domain, ls.allow) for ls in lists):
                category, score = (NEW_SENDER_LINK, 2) if new_sender else (LINK, 1)
                matches.append(Match(found.start(), found.end(), domain, category, score))
        scores: dict[str, float] = {}
        for match in matches:
            scores[match.category] = max(scores.get(match.category, 0.0), float(match.severity))
        return ProviderResult(self.name, scores, tuple(matches))

    @staticmethod
    def _is_link(found: re.Match[str]) -> bool:
        """A scheme or ``www.`` makes any host a link; a bare name needs a known TLD.

        A bare name's TLD is written in lower case (or the whole name in capitals):
        "it.No" is a missing space, not Norway.
        """
        if found["scheme"] or found["www"]:
            return True
        host, tld = found["host"], found["tld"]
        if tld.lower() not in TLDS or host[:1].isdigit():
            return False
        if not (tld.islower() or host.isupper()):
            return False
        if tld.lower() in WORDY_TLDS:
            labels = host.split(".")
            return (
                len(labels) >= 2
                and "." + tld in host
                and len(labels[-2]) >= 3
                and _ANY_DOT.sub(".", host) == host
            )
        return True
