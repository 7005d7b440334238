"""Chunking of long text: sizes, coverage, overlap and whole words (examples and properties)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatmod.moderation.providers._chunking import (
    Chunk,
    chunk_text,
    utf8_cost,
    utf16_cost,
)


def words_of(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every maximal run of non-whitespace."""
    spans, start = [], None
    for i, char in enumerate(text):
        if char.isspace():
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        spans.append((start, len(text)))
    return spans


def check_invariants(text: str, chunks: list[Chunk], max_size: int, cost: object = len) -> None:
    size = (lambda s: sum(utf8_cost(c) for c in s)) if cost is utf8_cost else len
    assert chunks, "at least one chunk"
    assert chunks[0].start == 0
    assert chunks[-1].end == len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert size(chunk.text) <= max_size
    for before, after in itertools.pairwise(chunks):
        assert before.start < after.start, "progress"
        assert after.start <= before.end, "no gap"
    # Every word that can fit a chunk is whole in at least one chunk.
    for start, end in words_of(text):
        if size(text[start:end]) <= max_size:
            assert any(c.start <= start and end <= c.end for c in chunks), text[start:end]


def test_given_short_text_then_one_chunk() -> None:
    assert chunk_text("hello world", max_size=1024, overlap=128) == [Chunk(0, 11, "hello world")]
    assert chunk_text("x" * 1024, max_size=1024, overlap=128) == [Chunk(0, 1024, "x" * 1024)]


def test_given_long_text_then_chunks_end_on_word_boundaries_and_overlap() -> None:
    text = " ".join(f"word{i:03d}" for i in range(300))  # 2,699 characters

    chunks = chunk_text(text, max_size=1024, overlap=128)

    assert len(chunks) == 3
    check_invariants(text, chunks, 1024)
    for before, after in itertools.pairwise(chunks):
        assert " " in text[before.end - 1 : before.end + 1]  # cut between words
        assert before.end - after.start >= 128  # at least the overlap is shared
        assert text[after.start - 1] == " "  # the next chunk starts at a word


def test_given_a_word_across_the_limit_then_it_moves_whole_to_the_next_chunk() -> None:
    text = "a" * 8 + " " + "boundary" + " tail"  # "boundary" spans index 10 (the limit)

    chunks = chunk_text(text, max_size=10, overlap=2)

    assert chunks[0].text == "aaaaaaaa "
    assert any("boundary" in c.text.split() for c in chunks)
    check_invariants(text, chunks, 10)


def test_given_a_word_longer_than_a_chunk_then_it_is_cut_with_overlap() -> None:
    text = "x" * 25 + " end"

    chunks = chunk_text(text, max_size=10, overlap=3)

    assert [c.text for c in chunks[:2]] == ["x" * 10, "x" * 10]
    assert chunks[1].start == 7  # the cut pieces still overlap
    check_invariants(text, chunks, 10)


def test_given_utf8_cost_then_chunks_are_limited_by_bytes() -> None:
    text = " ".join(["ü€😀"] * 100)  # 9 bytes a word, 10 with the space

    chunks = chunk_text(text, max_size=100, overlap=20, cost=utf8_cost)

    assert all(len(c.text.encode()) <= 100 for c in chunks)
    assert all(len(c.text) < 100 for c in chunks)
    check_invariants(text, chunks, 100, utf8_cost)


def test_utf16_cost_counts_astral_characters_twice() -> None:
    assert [utf16_cost(c) for c in "aé😀"] == [1, 1, 2]
    assert [utf8_cost(c) for c in "aé€😀"] == [1, 2, 3, 4]


@pytest.mark.parametrize(("max_size", "overlap"), [(0, 0), (10, 10), (10, -1)])
def test_given_bad_sizes_then_value_error(max_size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="max_size"):
        chunk_text("text", max_size=max_size, overlap=overlap)


def test_given_a_character_larger_than_max_size_then_value_error() -> None:
    with pytest.raises(ValueError, match="single character"):
        chunk_text("😀😀😀", max_size=3, overlap=0, cost=utf8_cost)


# --- properties ---------------------------------------------------------------

WORD = st.text(alphabet="abcdé日😀-.", min_size=1, max_size=30)
SPACE = st.text(alphabet=" \n\t\u3000", min_size=1, max_size=4)


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORD, min_size=1, max_size=120))
    spaces = draw(st.lists(SPACE, min_size=len(words), max_size=len(words)))
    lead = draw(st.sampled_from(["", " "]))
    return lead + "".join(w + s for w, s in zip(words, spaces, strict=True))


@settings(max_examples=300, deadline=None)
@given(text=texts(), max_size=st.integers(8, 60), overlap_ratio=st.floats(0, 0.9))
def test_property_every_fitting_word_is_whole_in_some_chunk(
    text: str, max_size: int, overlap_ratio: float
) -> None:
    overlap = int(max_size * overlap_ratio)

    chunks = chunk_text(text, max_size=max_size, overlap=overlap)

    check_invariants(text, chunks, max_size)


@settings(max_examples=200, deadline=None)
@given(text=texts(), max_size=st.integers(16, 80))
def test_property_utf8_chunks_fit_in_bytes_and_keep_words(text: str, max_size: int) -> None:
    chunks = chunk_text(text, max_size=max_size, overlap=max_size // 4, cost=utf8_cost)

    check_invariants(text, chunks, max_size, utf8_cost)


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1, max_size=400), max_size=st.integers(4, 50))
def test_property_arbitrary_text_is_covered_without_gaps(text: str, max_size: int) -> None:
    chunks = chunk_text(text, max_size=max_size, overlap=max_size // 3)

    check_invariants(text, chunks, max_size)
