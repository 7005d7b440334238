"""AWS Comprehend toxicity detection (DetectToxicContent), scores 0..1 per label.

Call::

    comprehend.detect_toxic_content(TextSegments=[{"Text": ...}, ...], LanguageCode="en")

One call takes at most 10 segments of at most 1 KB each (UTF-8 bytes, not
characters). The text is split into word-aligned segments of at most
``max_segment_bytes`` UTF-8 bytes that overlap by ``overlap_bytes``; segments are
packed 10 to a call and the calls run concurrently (at most ``max_concurrency``
at once); the attempt fails if any call fails.

Scores: ``{label: highest score}`` for the labels ``GRAPHIC``,
``HARASSMENT_OR_ABUSE``, ``HATE_SPEECH``, ``INSULT``, ``PROFANITY``, ``SEXUAL``,
``VIOLENCE_OR_THREAT``, plus ``TOXICITY``, the highest overall toxicity of any
segment. All are confidences 0..1; thresholds are fractions, e.g.
``{"TOXICITY": 0.8, "HATE_SPEECH": 0.5}``. Needs no third-party key: the
function's IAM role needs ``comprehend:DetectToxicContent`` (available in a few
regions only, e.g. us-east-1, us-west-2, eu-west-1, ap-southeast-2).

The client is created with botocore's own retries off (the policy retries) and
short connect/read timeouts; the attempt as a whole is bounded by ``timeout``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from chatmod.moderation.base import (
    ProviderResponseError,
    ProviderResult,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from chatmod.moderation.providers._chunking import Chunk, chunk_text, max_scores, utf8_cost
from chatmod.moderation.providers._http import (
    Deadline,
    RateLimitedError,
    require_number,
    run_concurrently,
)

# AWS says "1 KB" without saying 1000 or 1024 bytes; 1000 is within either.
MAX_SEGMENT_BYTES = 1000
MAX_SEGMENTS_PER_CALL = 10
DEFAULT_OVERLAP_BYTES = 100
TOXICITY = "TOXICITY"
_THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
_UNAVAILABLE_CODES = frozenset({"InternalServerException", "ServiceUnavailableException"})


class ComprehendProvider:
    """Scores text with AWS Comprehend DetectToxicContent: ``{label: 0..1, "TOXICITY": 0..1}``."""

    name = "comprehend"

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        language_code: str = "en",
        connect_timeout: float = 1.0,
        read_timeout: float = 3.0,
        max_segment_bytes: int = MAX_SEGMENT_BYTES,
        overlap_bytes: int = DEFAULT_OVERLAP_BYTES,
        max_concurrency: int = 4,
        boto3_client: Any = None,
    ) -> None:
        """Configure the provider; the boto3 client is created on first use.

        Args:
            region_name: AWS region (default: the environment's).
            endpoint_url: Endpoint override (local AWS, tests).
            language_code: ``LanguageCode`` sent (Comprehend supports ``en`` only today).
            connect_timeout: botocore connect timeout, seconds.
            read_timeout: botocore read timeout, seconds (a cap per socket read; the
                attempt is still bounded by ``moderate``'s ``timeout``).
            max_segment_bytes: Largest segment, in UTF-8 bytes.
            overlap_bytes: UTF-8 bytes neighbouring segments share.
            max_concurrency: Most calls in flight at once.
            boto3_client: A ``comprehend`` client to use; configure its timeouts and
                turn its retries off yourself.

        Raises:
            ValueError: ``overlap_bytes`` not below ``max_segment_bytes``.
        """
        if not 0 <= overlap_bytes < max_segment_bytes:
            raise ValueError("comprehend: need 0 <= overlap_bytes < max_segment_bytes")
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._language_code = language_code
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_segment_bytes = max_segment_bytes
        self._overlap_bytes = overlap_bytes
        self._max_concurrency = max_concurrency
        self._client = boto3_client
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ComprehendProvider(region_name={self._region_name!r})"

    def _get_client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3  # here, not at import time: creating clients is slow

                    # A session of our own: boto3's default session is not thread-safe.
                    self._client = boto3.session.Session().client(
                        "comprehend",
                        region_name=self._region_name,
                        endpoint_url=self._endpoint_url,
                        config=Config(
                            connect_timeout=self._connect_timeout,
                            read_timeout=self._read_timeout,
                            retries={"total_max_attempts": 1, "mode": "standard"},
                        ),
                    )
        return self._client

    def segments(self, text: str) -> list[Chunk]:
        """The non-blank segments ``text`` is sent as (each ≤ ``max_segment_bytes`` UTF-8).

        Args:
            text: The message text.

        Returns:
            Word-aligned, overlapping segments in order.
        """
        chunks = chunk_text(
            text, max_size=self._max_segment_bytes, overlap=self._overlap_bytes, cost=utf8_cost
        )
        return [chunk for chunk in chunks if not chunk.text.isspace()]

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        """Score ``text`` in as few calls as the segment limits allow, run concurrently.

        Args:
            text: The message text.
            timeout: Seconds the whole attempt (all calls) may take.

        Returns:
            ``scores`` ``{label: highest score, "TOXICITY": highest toxicity}``;
            ``raw`` with ``segments`` (``[{start, end}]``) and ``calls``. Blank
            text is not sent and scores ``{}``.

        Raises:
            ProviderTimeoutError: botocore connect/read timeout, or the deadline passed.
            ProviderUnavailableError: Connection failure or a 5xx.
            RateLimitedError: ThrottlingException (``retry_after`` is ``None``).
            ProviderResponseError: Any other client error (bad request, access
                denied, no credentials) or an answer of the wrong shape.
        """
        deadline = Deadline(timeout)
        segments = self.segments(text)
        if not segments:
            return ProviderResult(provider=self.name, scores={}, raw={"segments": [], "calls": 0})
        client = self._get_client()
        batches = [
            segments[i : i + MAX_SEGMENTS_PER_CALL]
            for i in range(0, len(segments), MAX_SEGMENTS_PER_CALL)
        ]
        calls = [partial(self._detect, client, batch) for batch in batches]
        answers = run_concurrently(
            self.name, calls, deadline=deadline, max_concurrency=self._max_concurrency
        )
        scores = max_scores(answers)
        raw = {
            "segments": [{"start": s.start, "end": s.end} for s in segments],
            "calls": len(batches),
        }
        return ProviderResult(provider=self.name, scores=scores, raw=raw)

    def _detect(self, client: Any, batch: Sequence[Chunk], deadline: Deadline) -> dict[str, float]:
        if deadline.expired():
            raise ProviderTimeoutError(self.name, "no time left to call DetectToxicContent")
        try:
            response = client.detect_toxic_content(
                TextSegments=[{"Text": chunk.text} for chunk in batch],
                LanguageCode=self._language_code,
            )
        except Exception as exc:
            raise map_error(self.name, exc) from exc
        return parse_response(self.name, response, expected=len(batch))


def map_error(provider: str, exc: Exception) -> Exception:
    """Map a botocore exception onto the ``ProviderError`` tree.

    Args:
        provider: Provider name.
        exc: What the client call raised.

    Returns:
        The error to raise (``exc`` itself if it is not botocore's: a bug stays visible).
    """
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return ProviderTimeoutError(
            provider, f"timed out calling DetectToxicContent ({type(exc).__name__})"
        )
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        detail = f"DetectToxicContent failed: HTTP {status} ({code})"
        if code in _THROTTLING_CODES or status == 429:
            return RateLimitedError(provider, detail, code=code)
        if code in _UNAVAILABLE_CODES or status >= 500:
            return ProviderUnavailableError(provider, detail)
        return ProviderResponseError(provider, detail)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ProviderResponseError(provider, "no usable AWS credentials")
    if isinstance(exc, ResponseParserError):
        return ProviderResponseError(provider, "unexpected answer: not AWS JSON")
    if isinstance(exc, ParamValidationError):
        return ProviderResponseError(provider, "DetectToxicContent rejected the request locally")
    if isinstance(exc, BotoCoreError):
        # Refused, reset, DNS and other transport failures: transient.
        return ProviderUnavailableError(
            provider, f"connection to Comprehend failed ({type(exc).__name__})"
        )
    return exc


def parse_response(provider: str, response: object, *, expected: int) -> dict[str, float]:
    """``{label: max score, "TOXICITY": max toxicity}`` from one DetectToxicContent answer.

    Args:
        provider: Provider name.
        response: The client's answer.
        expected: Number of segments sent (the answer has one result per segment).

    Returns:
        The scores.

    Raises:
        ProviderResponseError: ``ResultList`` missing, of the wrong length, or holding
            entries without numeric scores.
    """
    results = response.get("ResultList") if isinstance(response, Mapping) else None
    if not isinstance(results, list) or len(results) != expected:
        raise ProviderResponseError(provider, "unexpected answer: ResultList does not match")
    scores: dict[str, float] = {}

    def keep(name: str, value: object) -> None:
        score = require_number(provider, value, f"score of {name!r}")
        scores[name] = max(score, scores.get(name, score))

    for result in results:
        if not isinstance(result, Mapping):
            raise ProviderResponseError(provider, "unexpected answer: result is not an object")
        keep(TOXICITY, result.get("Toxicity"))
        for label in result.get("Labels") or []:
            name = label.get("Name") if isinstance(label, Mapping) else None
            if not isinstance(name, str):
                raise ProviderResponseError(provider, "unexpected answer: label without a name")
            keep(name, label.get("Score"))
    return scores
