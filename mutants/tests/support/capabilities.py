"""Capabilities as Ably documents them, written out here rather than read from the code under test."""

from __future__ import annotations

# What Ably Chat's docs list for a participant using every feature (chat/setup), sorted.
CHAT_PARTICIPANT_OPERATIONS = [
    "annotation-publish",
    "annotation-subscribe",
    "channel-metadata",
    "history",
    "message-delete-own",
    "message-update-own",
    "presence",
    "publish",
    "subscribe",
]
