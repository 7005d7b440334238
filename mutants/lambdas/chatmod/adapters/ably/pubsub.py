"""Pub/sub REST operations: publish (also on behalf of a connection) and moderation events."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ably.sync.types.message import Message
from ably.sync.util.exceptions import AblyException

from chatmod.adapters.ably._arguments import path_segment, require_client_id
from chatmod.adapters.ably.connection import AblyOperations
from chatmod.core.constants import CHATMOD_CLIENT_ID
from chatmod.core.errors import BadRequestError

__all__ = ["SKIP_ALL_RULES", "PubSubOperations", "PublishedMessage"]

# Extras that make Ably skip every integration rule for a message, so that
# moderation events do not loop back into the ingest queue.
SKIP_ALL_RULES: Final[Mapping[str, Any]] = {"privileged": {"skipRule": "*"}}


@dataclass(frozen=True)
class PublishedMessage:
    """A pub/sub message Ably accepted."""

    message_id: str  # the id chatmod set: the same on every retry
    serial: str | None  # Ably's serial, when Ably said


class PubSubOperations(AblyOperations):
    """Channel publishing through ``POST /channels/{channel}/messages``."""

    def publish(
        self,
        channel: str,
        name: str | None,
        data: Any,
        *,
        client_id: str | None = None,
        connection_key: str | None = None,
        extras: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        deadline: float | None = None,
    ) -> PublishedMessage:
        """Publish one message on a channel, idempotently.

        The message carries an id (``message_id`` or a random one) that stays the
        same across retries, so Ably stores it once however often it is sent.

        Args:
            channel: the channel name; any characters.
            name: the event name.
            data: str, bytes, dict or list (encoded by ably-python: dict/list as
                ``json``, bytes as ``base64``), or None.
            client_id: the message's clientId. Default: ``settings.client_id``,
                unless ``connection_key`` is given (then the caller must pass the
                connection's own client id).
            connection_key: publish on behalf of this realtime connection.
            extras: message extras (e.g. ``headers``).
            message_id: a deterministic id (e.g. derived from a source message) so
                that redelivered work publishes once.
            deadline: ``time.monotonic()`` by which to give up.

        Returns:
            The message id and, when Ably returns it, the serial.

        Raises:
            BadRequestError: an argument is malformed.
            AblyApiError, AblyTimeoutError, AblyConnectionError: Ably refused, did
                not answer in time, or could not be reached.
        """
        if client_id is None and connection_key is None:
            client_id = self.settings.client_id
        if client_id is not None:
            require_client_id(client_id)
        message_id = message_id or f"{secrets.token_urlsafe(12)}:0"
        try:
            body = Message(
                name=name,
                data=data,
                client_id=client_id,
                id=message_id,
                connection_key=connection_key,
                extras=dict(extras) if extras else None,
            ).as_dict(binary=False)
        except AblyException as exc:
            raise BadRequestError("data must be str, bytes, dict, list or None") from exc
        reply = self._connection.request(
            "channel.publish",
            "POST",
            f"/channels/{path_segment(channel, 'channel')}/messages",
            body=body,
            idempotent=True,
            deadline=deadline,
        )
        # ably-js reads the answer as PublishResult {serials: [...]} (ably.d.ts).
        serials = reply.body.get("serials") if isinstance(reply.body, dict) else None
        serial = serials[0] if isinstance(serials, list) and serials else None
        return PublishedMessage(message_id, serial if isinstance(serial, str) else None)

    def publish_moderation_event(
        self,
        channel: str,
        name: str,
        data: Any,
        *,
        extras: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        deadline: float | None = None,
    ) -> PublishedMessage:
        """Publish a moderation event that skips every integration rule.

        Sets ``extras.privileged.skipRule = "*"`` (the key needs the
        ``privileged-headers`` capability) so the event does not come back through
        the ingest queue. Always published as ``CHATMOD_CLIENT_ID``, the client id
        reserved for chatmod (``/token`` never issues it; Ably stamps every token
        holder's own), so a client can tell chatmod's events from a user's forgery.

        Args:
            channel: the channel name.
            name: the event name.
            data: the event payload.
            extras: further extras to merge (e.g. ``headers``).
            message_id: a deterministic id for idempotency across redeliveries.
            deadline: ``time.monotonic()`` by which to give up.

        Returns:
            As ``publish``.

        Raises:
            As ``publish``.
        """
        merged: dict[str, Any] = dict(extras or {})
        privileged = dict(merged.get("privileged") or {})
        privileged.update(SKIP_ALL_RULES["privileged"])
        merged["privileged"] = privileged
        return self.publish(
            channel,
            name,
            data,
            client_id=CHATMOD_CLIENT_ID,
            extras=merged,
            message_id=message_id,
            deadline=deadline,
        )
