"""Split long text into overlapping, word-aligned chunks for providers with a size limit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True, slots=True)
class Chunk:
    """A slice ``text[start:end]`` of the original text."""

    start: int
    end: int
    text: str


def _char_cost(char: str) -> int:
    return 1


def utf8_cost(char: str) -> int:
    """The UTF-8 size of one character (lone surrogates count as the 3 bytes they would take)."""
    return len(char.encode("utf-8", "surrogatepass"))


def utf16_cost(char: str) -> int:
    """The UTF-16 length of one character (2 outside the Basic Multilingual Plane, e.g. emoji)."""
    return 2 if ord(char) > 0xFFFF else 1


def chunk_text(
    text: str,
    *,
    max_size: int,
    overlap: int,
    cost: Callable[[str], int] = _char_cost,
) -> list[Chunk]:
    """Split ``text`` into chunks of at most ``max_size`` that overlap and keep words whole.

    A word is a maximal run of non-whitespace characters. The algorithm:

    1. A chunk starts at ``start`` and may grow to ``max_size`` (measured by ``cost``:
       characters by default, UTF-8 bytes with :func:`utf8_cost`, or UTF-16
       code units with :func:`utf16_cost`).
    2. If the text does not end inside that window, the chunk is cut at the last word
       boundary inside it, so no word is split at the end of a chunk. Only a single
       word longer than the whole window is cut mid-word (it fits no chunk anyway).
    3. The next chunk starts ``overlap`` back from that cut, moved back to the start of
       the word there, so neighbouring chunks share about ``overlap`` of context. If
       that would not move forward, the next chunk starts at the cut itself.

    Guarantees (tested, including with hypothesis): every chunk is at most
    ``max_size``; chunks cover the text in order with no gap; every word whose size is
    at most ``max_size`` appears whole in at least one chunk.

    Args:
        text: The text to split.
        max_size: Largest chunk, in units of ``cost``; must be positive.
        overlap: How much context neighbouring chunks share, in units of ``cost``;
            must be smaller than ``max_size``.
        cost: Size of one character.

    Returns:
        The chunks in order; one chunk (the whole text) when it fits.

    Raises:
        ValueError: ``max_size``/``overlap`` out of range, or one character costs
            more than ``max_size``.
    """
    if max_size <= 0 or not 0 <= overlap < max_size:
        raise ValueError("need max_size > 0 and 0 <= overlap < max_size")
    # prefix[i] is the size of text[:i], so the size of text[a:b] is prefix[b] - prefix[a].
    prefix = [0, *accumulate(cost(c) for c in text)]
    n = len(text)
    if prefix[n] <= max_size:
        return [Chunk(0, n, text)]

    chunks: list[Chunk] = []
    start = 0
    while True:
        limit = _last_index_within(prefix, start, prefix[start] + max_size)
        if limit == n:
            chunks.append(Chunk(start, n, text[start:n]))
            return chunks
        if limit == start:
            raise ValueError("a single character is larger than max_size")
        cut = _last_boundary(text, start, limit)
        if cut is None:
            # One word fills the whole window: cut it; it cannot fit any chunk whole.
            cut = limit
        chunks.append(Chunk(start, cut, text[start:cut]))

        back = _last_index_within(prefix, 0, prefix[cut] - overlap)
        if prefix[back] < prefix[cut] - overlap:
            back += 1  # the first index at least ``overlap`` before the cut
        next_start = _word_start(text, back, floor=start)
        if next_start <= start:
            next_start = back if back > start else cut
        start = next_start


def _last_index_within(prefix: Sequence[int], lo: int, budget: int) -> int:
    """The largest ``i >= lo`` with ``prefix[i] <= budget`` (``lo`` if none)."""
    hi = len(prefix) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if prefix[mid] <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _is_boundary(text: str, i: int) -> bool:
    # Cutting at i splits no word if whitespace is on either side of the cut.
    return text[i].isspace() or text[i - 1].isspace()


def _last_boundary(text: str, start: int, limit: int) -> int | None:
    """The last word boundary in ``(start, limit]``, or ``None`` if one word spans it."""
    for i in range(limit, start, -1):
        if _is_boundary(text, i):
            return i
    return None


def _word_start(text: str, i: int, *, floor: int) -> int:
    """Move ``i`` back to the start of the word it falls in (not before ``floor``)."""
    while i > floor and not text[i - 1].isspace() and not text[i].isspace():
        i -= 1
    return i


def max_scores(per_chunk: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """The highest score per category across chunks: one bad chunk flags the message."""
    scores: dict[str, float] = {}
    for chunk_scores in per_chunk:
        for name, score in chunk_scores.items():
            scores[name] = max(score, scores.get(name, score))
    return scores
