"""Azure AI Content Safety text analysis, severities 0..7 per category.

Request (one per chunk)::

    POST {endpoint}/contentsafety/text:analyze?api-version=2024-09-01
    Ocp-Apim-Subscription-Key: <key>

    {"text": "<chunk>", "categories": [...]?, "outputType": "EightSeverityLevels"}

Response read: ``categoriesAnalysis: [{"category": "Hate", "severity": 0..7}, ...]``
(categories ``Hate``, ``SelfHarm``, ``Sexual``, ``Violence``). Scores are
``{category: severity}``, the highest across chunks; thresholds are severities
0..7 (with ``EightSeverityLevels`` every level is used; "reject at or above", e.g.
``{"Hate": 4}``). ``blocklistsMatch`` from the answer is kept in ``raw``.

Azure accepts at most 10,000 characters (counted as UTF-16 code units, so an
emoji counts 2) per request; longer text is split into
word-aligned overlapping chunks sent concurrently, and the call fails if any
chunk fails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import httpx

from chatmod.moderation.base import ProviderResponseError, ProviderResult
from chatmod.moderation.providers._chunking import Chunk, chunk_text, max_scores, utf16_cost
from chatmod.moderation.providers._http import (
    Deadline,
    join_url,
    post_json,
    require_number,
    run_concurrently,
)

ANALYZE_PATH = "/contentsafety/text:analyze"
DEFAULT_API_VERSION = "2024-09-01"
MAX_CHARS = 10_000
DEFAULT_OVERLAP = 200
CATEGORIES = ("Hate", "SelfHarm", "Sexual", "Violence")


class AzureContentSafetyProvider:
    """Scores text with Azure AI Content Safety: ``{category: severity 0..7}``."""

    name = "azure"

    def __init__(
        self,
        api_key: str,
        *,
        endpoint: str,
        categories: Sequence[str] | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_chars: int = MAX_CHARS,
        overlap: int = DEFAULT_OVERLAP,
        max_concurrency: int = 4,
        http_client: httpx.Client | None = None,
    ) -> None:
        """Configure the provider; nothing is contacted until ``moderate``.

        Args:
            api_key: The resource key (sent as ``Ocp-Apim-Subscription-Key``).
            endpoint: The resource's base URL, e.g.
                ``https://<name>.cognitiveservices.azure.com``.
            categories: Categories to analyse (default: all four).
            api_version: The ``api-version`` query parameter.
            max_chars: Longest text sent in one request.
            overlap: Characters neighbouring chunks share.
            max_concurrency: Most chunk requests in flight at once.
            http_client: A client to use instead of the shared pooled one.

        Raises:
            ValueError: No key or endpoint, or ``overlap`` not below ``max_chars``.
        """
        if not api_key:
            raise ValueError("azure: api_key is required")
        if not endpoint:
            raise ValueError("azure: endpoint is required")
        if not 0 <= overlap < max_chars:
            raise ValueError("azure: need 0 <= overlap < max_chars")
        self._api_key = api_key
        self._url = join_url(endpoint, ANALYZE_PATH)
        self._params = {"api-version": api_version}
        self._categories = list(categories) if categories else None
        self._max_chars = max_chars
        self._overlap = overlap
        self._max_concurrency = max_concurrency
        self._client = http_client

    def __repr__(self) -> str:
        return f"AzureContentSafetyProvider(url={self._url!r})"

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        """Score ``text``, splitting it into concurrent requests if it is over the limit.

        Args:
            text: The message text.
            timeout: Seconds the whole attempt (all chunks) may take.

        Returns:
            ``scores`` ``{category: highest severity 0..7}``; ``raw`` with
            ``chunks`` (``[{start, end}]``) and ``blocklistsMatch``. Blank text is
            not sent and scores ``{}``.

        Raises:
            ProviderTimeoutError, ProviderUnavailableError, RateLimitedError,
            ProviderResponseError: see ``_http.post_json``; with several chunks,
            the most meaningful failure of the attempt.
        """
        deadline = Deadline(timeout)
        if not text.strip():
            return ProviderResult(provider=self.name, scores={}, raw={"chunks": []})
        # Azure counts .NET string length, i.e. UTF-16 code units (an emoji is 2).
        chunks = chunk_text(text, max_size=self._max_chars, overlap=self._overlap, cost=utf16_cost)
        calls = [partial(self._score_chunk, chunk) for chunk in chunks if not chunk.text.isspace()]
        answers = run_concurrently(
            self.name, calls, deadline=deadline, max_concurrency=self._max_concurrency
        )
        scores = max_scores(chunk_scores for chunk_scores, _, _ in answers)
        matches = [match for _, chunk_matches, _ in answers for match in chunk_matches]
        spans = [{"start": chunk.start, "end": chunk.end} for _, _, chunk in answers]
        return ProviderResult(
            provider=self.name, scores=scores, raw={"chunks": spans, "blocklistsMatch": matches}
        )

    def _score_chunk(
        self, chunk: Chunk, deadline: Deadline
    ) -> tuple[dict[str, float], list[Any], Chunk]:
        request: dict[str, Any] = {"text": chunk.text, "outputType": "EightSeverityLevels"}
        if self._categories:
            request["categories"] = self._categories
        body = post_json(
            self.name,
            self._url,
            deadline=deadline,
            client=self._client,
            headers={"ocp-apim-subscription-key": self._api_key, "accept": "application/json"},
            params=self._params,
            json_body=request,
            secrets=(self._api_key,),
        )
        scores, matches = parse_response(self.name, body)
        return scores, matches, chunk


def parse_response(provider: str, body: object) -> tuple[dict[str, float], list[Any]]:
    """Read ``{category: severity}`` and ``blocklistsMatch`` from one analyze answer.

    Args:
        provider: Provider name.
        body: The decoded JSON answer.

    Returns:
        The scores and the blocklist matches (``[]`` if absent).

    Raises:
        ProviderResponseError: No ``categoriesAnalysis`` list, or an entry without a
            category name or a numeric severity.
    """
    analysis = body.get("categoriesAnalysis") if isinstance(body, Mapping) else None
    if not isinstance(analysis, list):
        raise ProviderResponseError(provider, "unexpected answer: no categoriesAnalysis list")
    scores: dict[str, float] = {}
    for item in analysis:
        name = item.get("category") if isinstance(item, Mapping) else None
        if not isinstance(name, str):
            raise ProviderResponseError(provider, "unexpected answer: entry without a category")
        scores[name] = require_number(provider, item.get("severity"), f"severity of {name!r}")
    matches = body.get("blocklistsMatch") if isinstance(body, Mapping) else None
    return scores, matches if isinstance(matches, list) else []
