"""The user's own moderation model behind a URL that speaks Ably's before-publish contract.

Request (what Ably would send a before-publish endpoint)::

    POST {url}
    Authorization: Bearer <token>          (if a token is configured)
    <extra static headers>                 (if configured, e.g. a shared secret)

    {"source": "chatmod", "appId": ..., "room": ..., "site": ..., "ruleId": ...,
     "message": {"clientId": ..., "text": ..., "metadata": {...}, "headers": {...},
                 "userClaim": ...?}}

Room, client id, metadata, headers and user claim come from the
:class:`MessageContext` passed to ``moderate`` (defaults: empty); ``appId``,
``site``, ``ruleId`` and ``source`` are set on the provider.

Answer::

    {"action": "accept" | "reject", "rejectionDetail"?: {str: str}, "message"?: {...}}

Scores are binary: ``{"rejected": 0.0}`` for accept, ``{"rejected": 1.0}`` for
reject, plus ``{<rejectionDetail.category>: 1.0}`` when the model names a
category. Threshold: ``{"rejected": 1}`` (or per category). ``raw`` keeps
``action``, ``rejectionDetail`` (so the policy can pass the model's reason, e.g.
``rejectionDetail.reason``, through to the client) and ``message`` when the model
rewrote the message (``message`` replaces the original in Ably's contract).
The older ``rejectionReason`` field is read as ``rejectionDetail``.

Statuses follow Ably's contract: 200 means a decision; 429 is rate limiting; 5xx
unavailable; any other status is a response error (Ably would not retry it).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import httpx

from chatmod.moderation.base import MessageContext, ProviderResponseError, ProviderResult
from chatmod.moderation.providers._http import Deadline, post_json, run_concurrently

REJECTED = "rejected"


class HttpModelProvider:
    """Asks the user's model at ``url``; scores ``{"rejected": 0|1, <category>: 1}``."""

    name = "http"

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        app_id: str = "chatmod",
        site: str = "chatmod",
        rule_id: str = "chatmod",
        source: str = "chatmod",
        http_client: httpx.Client | None = None,
    ) -> None:
        """Configure the provider; nothing is contacted until ``moderate``.

        Args:
            url: The model's full URL.
            token: Optional bearer token (``Authorization: Bearer <token>``).
            headers: Optional static headers (e.g. a shared secret), like the ones
                an Ably rule sends; treated as secrets in error messages.
            app_id: ``appId`` sent.
            site: ``site`` sent.
            rule_id: ``ruleId`` sent.
            source: ``source`` sent.
            http_client: A client to use instead of the shared pooled one.

        Raises:
            ValueError: No URL.
        """
        if not url:
            raise ValueError("http: url is required")
        self._url = url
        self._headers = {"accept": "application/json", **(headers or {})}
        if token:
            self._headers["authorization"] = f"Bearer {token}"
        self._secrets = tuple(v for v in (token, *(headers or {}).values()) if v)
        self._envelope = {"source": source, "appId": app_id, "site": site, "ruleId": rule_id}
        self._client = http_client

    def __repr__(self) -> str:
        return "HttpModelProvider(url=<hidden>)"

    def moderate(
        self, text: str, *, timeout: float, context: MessageContext | None = None
    ) -> ProviderResult:
        """Ask the model about ``text`` in one request.

        Args:
            text: The message text (sent even when blank: the model may judge
                metadata or headers too).
            timeout: Seconds the attempt may take.
            context: Room, client id, metadata, headers and user claim to send.

        Returns:
            ``scores`` as described in the module docstring; ``raw`` with
            ``action``, ``rejectionDetail`` and ``message`` (each only if present).

        Raises:
            ProviderTimeoutError, ProviderUnavailableError, RateLimitedError,
            ProviderResponseError: see ``_http.post_json``; also
            ``ProviderResponseError`` when ``action`` is missing or unknown.
        """
        deadline = Deadline(timeout)
        request = self.build_request(text, context or MessageContext())
        (body,) = run_concurrently(self.name, [partial(self._request, request)], deadline=deadline)
        return parse_response(self.name, body)

    def build_request(self, text: str, context: MessageContext) -> dict[str, Any]:
        """The before-publish request body for ``text`` sent in ``context``.

        Args:
            text: The message text.
            context: Where and by whom it was sent.

        Returns:
            The JSON body.
        """
        message: dict[str, Any] = {
            "clientId": context.client_id,
            "text": text,
            "metadata": dict(context.metadata),
            "headers": dict(context.headers),
        }
        if context.user_claim is not None:
            message["userClaim"] = context.user_claim
        return {**self._envelope, "room": context.room, "message": message}

    def _request(self, request: dict[str, Any], deadline: Deadline) -> object:
        return post_json(
            self.name,
            self._url,
            deadline=deadline,
            client=self._client,
            headers=self._headers,
            json_body=request,
            secrets=self._secrets,
        )


def parse_response(provider: str, body: object) -> ProviderResult:
    """Turn a before-publish answer into scores.

    Args:
        provider: Provider name.
        body: The decoded JSON answer.

    Returns:
        The result described in the module docstring.

    Raises:
        ProviderResponseError: Not an object, or ``action`` is not accept/reject, or
            ``rejectionDetail``/``message`` is not an object.
    """
    if not isinstance(body, Mapping):
        raise ProviderResponseError(provider, "unexpected answer: not a JSON object")
    action = body.get("action")
    if action not in ("accept", "reject"):
        raise ProviderResponseError(provider, "unexpected answer: action is not accept or reject")
    detail = body.get("rejectionDetail", body.get("rejectionReason"))
    message = body.get("message")
    if detail is not None and not isinstance(detail, Mapping):
        raise ProviderResponseError(provider, "unexpected answer: rejectionDetail is not an object")
    if message is not None and not isinstance(message, Mapping):
        raise ProviderResponseError(provider, "unexpected answer: message is not an object")

    rejected = action == "reject"
    scores: dict[str, float] = {REJECTED: 1.0 if rejected else 0.0}
    category = detail.get("category") if detail else None
    if rejected and isinstance(category, str) and category and category != REJECTED:
        scores[category] = 1.0
    raw: dict[str, object] = {"action": action}
    if detail is not None:
        raw["rejectionDetail"] = dict(detail)
    if message is not None:
        raw["message"] = dict(message)
    return ProviderResult(provider=provider, scores=scores, raw=raw)
