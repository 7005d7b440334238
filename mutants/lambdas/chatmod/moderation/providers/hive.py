"""Hive text moderation (sync API v2), with long text split into overlapping chunks.

Request (one per chunk)::

    POST {base_url}/api/v2/task/sync
    authorization: token <api key>
    content-type: application/json

    {"text_data": "<chunk>"}

Response shape assumed (Hive's documented v2 sync answer; only the marked fields
are read, the rest is ignored)::

    {
      "id": "<task id>",
      "status": [{
        "status": {"code": "0", "message": "SUCCESS"},
        "response": {
          "output": [                                   # read: every entry
            {"classes": [{"class": "sexual", "score": 3},   # read
                         {"class": "hate", "score": 0}, ...]}
          ],
          "text_filters": [...], "pii_entities": [...], "language": "EN", ...
        }
      }]
    }

Scores: ``{class: severity}``, the highest severity for the class across all
``output`` entries and all chunks. Hive's text severities run 0 (clean) to 3
(most severe); thresholds are ``{class: 1..3}`` exactly as in Ably's Hive rule
("reject at or above"). ``raw`` holds the chunk spans, Hive task ids and any
``text_filters`` (Hive's own pattern matches).

Text longer than ``max_chars`` (Hive's limit is 1024 characters) is split by
``_chunking.chunk_text`` into word-aligned chunks that overlap by ``overlap``
characters; the chunks are sent concurrently and the call fails if any chunk
fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import httpx

from chatmod.moderation.base import ProviderResponseError, ProviderResult
from chatmod.moderation.providers._chunking import Chunk, chunk_text, max_scores
from chatmod.moderation.providers._http import (
    Deadline,
    join_url,
    post_json,
    require_number,
    run_concurrently,
)

DEFAULT_BASE_URL = "https://api.thehive.ai"
SYNC_PATH = "/api/v2/task/sync"
MAX_CHARS = 1024
DEFAULT_OVERLAP = 128


class HiveProvider:
    """Scores text with Hive's text moderation model: ``{class: severity 0..3}``."""

    name = "hive"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        max_chars: int = MAX_CHARS,
        overlap: int = DEFAULT_OVERLAP,
        max_concurrency: int = 8,
        http_client: httpx.Client | None = None,
    ) -> None:
        """Configure the provider; nothing is contacted until ``moderate``.

        Args:
            api_key: The Hive project's API key (sent as ``authorization: token <key>``).
            base_url: Hive's API origin, or a custom model's (Ably's "Model URL").
            max_chars: Longest text sent in one request.
            overlap: Characters neighbouring chunks share.
            max_concurrency: Most chunk requests in flight at once.
            http_client: A client to use instead of the shared pooled one.

        Raises:
            ValueError: No API key, or ``overlap`` not below ``max_chars``.
        """
        if not api_key:
            raise ValueError("hive: api_key is required")
        if not 0 <= overlap < max_chars:
            raise ValueError("hive: need 0 <= overlap < max_chars")
        self._api_key = api_key
        self._url = join_url(base_url, SYNC_PATH)
        self._max_chars = max_chars
        self._overlap = overlap
        self._max_concurrency = max_concurrency
        self._client = http_client

    def __repr__(self) -> str:
        return f"HiveProvider(url={self._url!r})"

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        """Score ``text``, splitting it into concurrent chunk requests if it is long.

        Args:
            text: The message text.
            timeout: Seconds the whole attempt (all chunks) may take.

        Returns:
            ``scores`` ``{class: highest severity 0..3}``; ``raw`` with ``chunks``
            (``[{start, end, id}]``) and ``text_filters``. Blank text is not sent
            and scores ``{}``.

        Raises:
            ProviderTimeoutError, ProviderUnavailableError, RateLimitedError,
            ProviderResponseError: see ``_http.post_json``; with several chunks,
            the most meaningful failure of the attempt.
        """
        deadline = Deadline(timeout)
        if not text.strip():
            return ProviderResult(provider=self.name, scores={}, raw={"chunks": []})
        chunks = chunk_text(text, max_size=self._max_chars, overlap=self._overlap)
        calls = [partial(self._score_chunk, chunk) for chunk in chunks if not chunk.text.isspace()]
        answers = run_concurrently(
            self.name, calls, deadline=deadline, max_concurrency=self._max_concurrency
        )
        scores = max_scores(chunk_scores for chunk_scores, _, _, _ in answers)
        filters = [f for _, _, chunk_filters, _ in answers for f in chunk_filters]
        spans = [{"start": c.start, "end": c.end, "id": task_id} for _, task_id, _, c in answers]
        return ProviderResult(
            provider=self.name, scores=scores, raw={"chunks": spans, "text_filters": filters}
        )

    def _score_chunk(
        self, chunk: Chunk, deadline: Deadline
    ) -> tuple[dict[str, float], object, list[Any], Chunk]:
        body = post_json(
            self.name,
            self._url,
            deadline=deadline,
            client=self._client,
            headers={"authorization": f"token {self._api_key}", "accept": "application/json"},
            json_body={"text_data": chunk.text},
            secrets=(self._api_key,),
        )
        scores, filters = parse_response(self.name, body)
        task_id = body.get("id") if isinstance(body, dict) else None
        return scores, task_id, filters, chunk


def parse_response(provider: str, body: object) -> tuple[dict[str, float], list[Any]]:
    """Read ``{class: max score}`` and ``text_filters`` from one Hive sync answer.

    Args:
        provider: Provider name, for errors.
        body: The decoded JSON answer.

    Returns:
        The scores and the text filters (``[]`` if absent).

    Raises:
        ProviderResponseError: The answer does not have the shape documented above.
    """
    try:
        response = body["status"][0]["response"]  # type: ignore[index]
        outputs = response["output"]
    except (KeyError, IndexError, TypeError):
        raise ProviderResponseError(
            provider, "unexpected answer: no status[0].response.output"
        ) from None
    if not isinstance(outputs, list) or not outputs:
        raise ProviderResponseError(provider, "unexpected answer: output is empty")
    scores: dict[str, float] = {}
    for output in outputs:
        classes = output.get("classes") if isinstance(output, Mapping) else None
        if not isinstance(classes, list):
            raise ProviderResponseError(provider, "unexpected answer: output without classes")
        for item in classes:
            name = item.get("class") if isinstance(item, Mapping) else None
            if not isinstance(name, str):
                raise ProviderResponseError(provider, "unexpected answer: class without a name")
            score = require_number(provider, item.get("score"), f"score of {name!r}")
            scores[name] = max(score, scores.get(name, score))
    filters = response.get("text_filters") if isinstance(response, Mapping) else None
    return scores, filters if isinstance(filters, list) else []
