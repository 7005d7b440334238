"""OpenAI moderation (``/v1/moderations``), scores 0..1 per category.

Request::

    POST {base_url}/v1/moderations
    Authorization: Bearer <api key>

    {"model": "omni-moderation-latest", "input": "<text>"}

Response read: ``results[0].category_scores`` — ``{category: probability 0..1}``,
e.g. ``harassment``, ``harassment/threatening``, ``hate``, ``illicit``,
``self-harm``, ``sexual``, ``sexual/minors``, ``violence``... Thresholds are
fractions, e.g. ``{"harassment": 0.8, "sexual/minors": 0.2}``. ``raw`` holds the
model's own ``flagged`` and ``categories`` booleans and the model name, for audit.

A 429 whose error code is ``insufficient_quota`` (the account is out of credit)
is raised as ``ProviderResponseError``, not as rate limiting: waiting does not
help, so retrying it would only burn the time budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import httpx

from chatmod.moderation.base import ProviderResponseError, ProviderResult
from chatmod.moderation.providers._http import (
    Deadline,
    RateLimitedError,
    join_url,
    post_json,
    require_number,
    run_concurrently,
)

DEFAULT_BASE_URL = "https://api.openai.com"
DEFAULT_MODEL = "omni-moderation-latest"
MODERATIONS_PATH = "/v1/moderations"


class OpenAIProvider:
    """Scores text with OpenAI's moderation endpoint: ``{category: 0..1}``."""

    name = "openai"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        model: str = DEFAULT_MODEL,
        organization: str | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        """Configure the provider; nothing is contacted until ``moderate``.

        Args:
            api_key: OpenAI API key (sent as ``Authorization: Bearer <key>``).
            base_url: API origin without ``/v1`` (a proxy or a compatible server).
            model: Moderation model.
            organization: Optional ``OpenAI-Organization`` header.
            http_client: A client to use instead of the shared pooled one.

        Raises:
            ValueError: No API key.
        """
        if not api_key:
            raise ValueError("openai: api_key is required")
        self._api_key = api_key
        self._url = join_url(base_url, MODERATIONS_PATH)
        self._model = model
        self._headers = {"authorization": f"Bearer {api_key}", "accept": "application/json"}
        if organization:
            self._headers["openai-organization"] = organization
        self._client = http_client

    def __repr__(self) -> str:
        return f"OpenAIProvider(url={self._url!r}, model={self._model!r})"

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        """Score ``text`` in one request.

        Args:
            text: The message text.
            timeout: Seconds the attempt may take.

        Returns:
            ``scores`` ``{category: 0..1}``; ``raw`` with ``model``, ``flagged`` and
            ``categories``. Blank text is not sent and scores ``{}``.

        Raises:
            ProviderTimeoutError, ProviderUnavailableError, RateLimitedError,
            ProviderResponseError: see ``_http.post_json`` (and the quota note above).
        """
        deadline = Deadline(timeout)
        if not text.strip():
            return ProviderResult(provider=self.name, scores={})
        (body,) = run_concurrently(self.name, [partial(self._request, text)], deadline=deadline)
        return parse_response(self.name, body)

    def _request(self, text: str, deadline: Deadline) -> object:
        try:
            return post_json(
                self.name,
                self._url,
                deadline=deadline,
                client=self._client,
                headers=self._headers,
                json_body={"model": self._model, "input": text},
                secrets=(self._api_key,),
            )
        except RateLimitedError as exc:
            if exc.code == "insufficient_quota":
                raise ProviderResponseError(
                    self.name, "HTTP 429 (insufficient_quota): the account is out of credit"
                ) from exc
            raise


def parse_response(provider: str, body: object) -> ProviderResult:
    """Turn a moderations answer into a ``ProviderResult``.

    Args:
        provider: Provider name.
        body: The decoded JSON answer.

    Returns:
        Scores from ``results[0].category_scores``.

    Raises:
        ProviderResponseError: The answer has no ``results[0].category_scores`` object
            or a score is not a number.
    """
    try:
        result = body["results"][0]  # type: ignore[index]
        category_scores = result["category_scores"]
    except (KeyError, IndexError, TypeError):
        raise ProviderResponseError(
            provider, "unexpected answer: no results[0].category_scores"
        ) from None
    if not isinstance(category_scores, Mapping):
        raise ProviderResponseError(provider, "unexpected answer: category_scores is not an object")
    scores = {
        str(name): require_number(provider, value, f"score of {name!r}")
        for name, value in category_scores.items()
    }
    raw = {
        "model": body.get("model") if isinstance(body, Mapping) else None,
        "flagged": result.get("flagged"),
        "categories": result.get("categories"),
    }
    return ProviderResult(provider=provider, scores=scores, raw=raw)
