"""A provider per room glob: the first glob matching the message's room picks which one judges."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from chatmod.moderation.base import MessageContext, Provider, ProviderResult


class RoomScopedProvider:
    """``default`` everywhere, except in rooms one of ``rooms``' globs matches (first wins).

    Custom terms moderators set for some rooms are a blocklist of their own there; the
    engine passes the message's room as context (``wants_context``).
    """

    wants_context = True

    def __init__(self, default: Provider, rooms: Sequence[tuple[str, Provider]]) -> None:
        self.default = default
        self.rooms = tuple(rooms)
        self.name = default.name

    def for_room(self, room: str | None) -> Provider:
        if room is not None:
            for glob, provider in self.rooms:
                if fnmatchcase(room, glob):
                    return provider
        return self.default

    def moderate(
        self, text: str, *, timeout: float, context: MessageContext | None = None
    ) -> ProviderResult:
        provider = self.for_room(context.room if context is not None else None)
        if context is not None and getattr(provider, "wants_context", False):
            return provider.moderate(text, timeout=timeout, context=context)  # type: ignore[call-arg]
        return provider.moderate(text, timeout=timeout)
