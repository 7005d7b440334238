"""Terms moderators block or allow at run time, for the whole stage or for rooms (globs).

They add to the blocklist the policy configures, without a deploy: the functions read
them through a cache of the parameters' age (``adapters.custom_terms``), so a change
applies within a minute (2 s locally). One item holds them all (in the strikes table,
under chatmod's reserved prefix), written with its version expected, so two moderators'
changes never overwrite each other; each change is audited (``terms``).

A message in a room gets the stage's terms and those of the first room glob that
matches it (as ``roomLanguages`` picks a room's languages).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any, Final, Literal

#: The scope of the whole stage.
STAGE: Final = "*"
#: Scopes at most (each is compiled into its own matcher when it changes).
MAX_SCOPES: Final = 20
#: Terms per list of a scope at most.
MAX_TERMS: Final = 500
ITEM_KEY: Final = "chatmod:terms"

TermList = Literal["block", "allow"]


@dataclass(frozen=True, slots=True)
class BlockedTerm:
    """A term a moderator blocked: what the blocklist matches, its category and severity."""

    term: str
    category: str = "profanity"
    severity: int = 2


@dataclass(frozen=True, slots=True)
class ScopeTerms:
    """The terms of one scope: blocked, and allowed (shielded from the lists)."""

    block: tuple[BlockedTerm, ...] = ()
    allow: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.block and not self.allow


class TermsError(ValueError):
    """A change that cannot be made (too many terms or scopes, or not there to remove)."""


@dataclass(frozen=True, slots=True)
class CustomTerms:
    """Every scope's terms, and the item's version (0: never written)."""

    scopes: tuple[tuple[str, ScopeTerms], ...] = ()
    version: int = 0

    def scope(self, name: str) -> ScopeTerms:
        return dict(self.scopes).get(name, ScopeTerms())

    @property
    def stage(self) -> ScopeTerms:
        return self.scope(STAGE)

    @property
    def rooms(self) -> tuple[tuple[str, ScopeTerms], ...]:
        """The room scopes (globs), in the order they were first written."""
        return tuple((name, terms) for name, terms in self.scopes if name != STAGE)

    def for_room(self, room: str | None) -> ScopeTerms | None:
        """The first room scope whose glob matches ``room``."""
        if room is None:
            return None
        for glob, terms in self.rooms:
            if fnmatchcase(room, glob):
                return terms
        return None

    def adding(self, scope: str, which: TermList, blocked: BlockedTerm) -> CustomTerms:
        """These terms with ``blocked.term`` added to a scope's list (replaced if there)."""
        current = self.scope(scope)
        term = normalised(blocked.term)
        if which == "block":
            kept = tuple(b for b in current.block if normalised(b.term) != term)
            if len(kept) >= MAX_TERMS:
                raise TermsError(f"a scope holds at most {MAX_TERMS} blocked terms")
            updated = replace(current, block=(*kept, replace(blocked, term=term)))
        else:
            kept_allow = tuple(a for a in current.allow if a != term)
            if len(kept_allow) >= MAX_TERMS:
                raise TermsError(f"a scope holds at most {MAX_TERMS} allowed terms")
            updated = replace(current, allow=(*kept_allow, term))
        return self._with(scope, updated)

    def removing(self, scope: str, which: TermList, term: str) -> CustomTerms:
        """These terms without ``term`` in a scope's list.

        Raises:
            TermsError: it is not there.
        """
        current = self.scope(scope)
        term = normalised(term)
        if which == "block":
            kept = tuple(b for b in current.block if normalised(b.term) != term)
            if len(kept) == len(current.block):
                raise TermsError(f"{term!r} is not blocked in {scope!r}")
            updated = replace(current, block=kept)
        else:
            kept_allow = tuple(a for a in current.allow if a != term)
            if len(kept_allow) == len(current.allow):
                raise TermsError(f"{term!r} is not allowed in {scope!r}")
            updated = replace(current, allow=kept_allow)
        return self._with(scope, updated)

    def _with(self, scope: str, terms: ScopeTerms) -> CustomTerms:
        scopes = [(name, t) for name, t in self.scopes if name != scope]
        position = next((i for i, (name, _) in enumerate(self.scopes) if name == scope), None)
        if not terms.empty:
            if position is None:
                if len(scopes) >= MAX_SCOPES:
                    raise TermsError(f"at most {MAX_SCOPES} scopes (the stage and room globs)")
                scopes.append((scope, terms))
            else:
                scopes.insert(position, (scope, terms))
        return CustomTerms(tuple(scopes), self.version)

    def to_json(self) -> dict[str, Any]:
        """The terms as the API shows them (and the item stores them)."""
        return {
            name: {
                "block": [
                    {"term": b.term, "category": b.category, "severity": b.severity}
                    for b in terms.block
                ],
                "allow": list(terms.allow),
            }
            for name, terms in self.scopes
        }

    @classmethod
    def from_json(cls, scopes: Any, version: int) -> CustomTerms:
        """From the stored map; entries that cannot be read are left out."""
        parsed: list[tuple[str, ScopeTerms]] = []
        if isinstance(scopes, dict):
            for name, terms in scopes.items():
                if not isinstance(terms, dict):
                    continue
                block = tuple(
                    BlockedTerm(
                        str(b["term"]),
                        str(b.get("category", "profanity")),
                        int(b.get("severity", 2)),
                    )
                    for b in terms.get("block") or []
                    if isinstance(b, dict) and b.get("term")
                )
                allow = tuple(str(a) for a in terms.get("allow") or [] if a)
                parsed.append((str(name), ScopeTerms(block, allow)))
        return cls(tuple(parsed), version)


def normalised(term: str) -> str:
    """A term as the lists hold it: trimmed, case folded, inner spaces collapsed."""
    return " ".join(term.split()).casefold()
