"""Benchmark chatmod's blocklist against better-profanity and alt-profanity-check.

Run ``python -m bench.blocklist_bench`` from the repository root.  It reads the
labelled messages in ``bench/data/labelled_messages.jsonl`` and prints, as a
plain-text table, per-message throughput (one call per message, as in the Lambda) and
precision/recall per kind of message, with chatmod's throughput ratio against each
baseline measured in the same run.  Baselines whose package is not installed are
reported as "not installed".  The whole run is bounded to well under a minute.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._measure import scaled

DATA = Path(__file__).parent / "data" / "labelled_messages.jsonl"
KINDS = ("plain", "obfuscated", "innocent_substring", "clean")
TARGET_RATIO = 20.0
TARGET_OBFUSCATED_RECALL = 0.9
# Each detector's timing loop stops after this long (it always completes one pass).
TIME_BUDGET_S = scaled(8, 1)

Detector = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Message:
    """One labelled chat line."""

    text: str
    kind: str
    offensive: bool


@dataclass(frozen=True, slots=True)
class Scores:
    """Confusion counts for one detector on one kind of message."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP), or None when nothing was flagged."""
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN), or None when the kind has no offensive messages."""
        positives = self.tp + self.fn
        return self.tp / positives if positives else None


def load_messages(path: Path = DATA) -> list[Message]:
    """Read the labelled set.

    Args:
        path: A JSON-lines file of ``{"text", "kind", "offensive"}`` objects.

    Returns:
        The messages in file order.

    Raises:
        ValueError: if a line has an unknown kind or is missing a field.
    """
    messages = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("kind") not in KINDS or not isinstance(row.get("offensive"), bool):
                raise ValueError(f"{path}:{number}: bad row {row!r}")
            messages.append(Message(str(row["text"]), row["kind"], row["offensive"]))
    return messages


def chatmod_detector() -> Detector:
    """chatmod's default blocklist: a message is offensive if anything matched."""
    from chatmod.moderation.blocklist import BlocklistProvider

    provider = BlocklistProvider.default()
    return lambda text: bool(provider.moderate(text, timeout=1.0).scores)


def better_profanity_detector() -> Detector | None:
    """better-profanity with its default word list, or None if not installed."""
    if importlib.util.find_spec("better_profanity") is None:
        return None
    from better_profanity import profanity

    profanity.load_censor_words()
    return profanity.contains_profanity  # type: ignore[no-any-return]


def alt_profanity_check_detector() -> Detector | None:
    """alt-profanity-check's linear model (one message per call), or None."""
    if importlib.util.find_spec("profanity_check") is None:
        return None
    with warnings.catch_warnings():
        # scikit-learn may warn about the pickled model's version; not ours to fix.
        warnings.simplefilter("ignore")
        from profanity_check import predict

        predict(["warm up"])

    def detect(text: str) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(predict([text])[0])

    return detect


def throughput(detect: Detector, texts: Sequence[str], budget_s: float) -> float:
    """Messages per second for one-at-a-time calls, repeating passes within ``budget_s``.

    Args:
        detect: The detector to time.
        texts: Messages for one pass.
        budget_s: Stop starting new passes after this many seconds.

    Returns:
        Messages scored divided by elapsed seconds.
    """
    for text in texts[:20]:  # warm caches (lazy compile, per-character caches)
        detect(text)
    done = 0
    start = time.perf_counter()
    while True:
        for text in texts:
            detect(text)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= budget_s or (elapsed > 0.5 and done >= 20 * len(texts)):
            return done / elapsed


def evaluate(detect: Detector, messages: Sequence[Message]) -> dict[str, Scores]:
    """Confusion counts per kind (and ``"all"``).

    Args:
        detect: The detector.
        messages: Labelled messages.

    Returns:
        A mapping from kind to its counts.
    """
    counts = {kind: [0, 0, 0, 0] for kind in (*KINDS, "all")}
    for m in messages:
        flagged = detect(m.text)
        index = (0 if flagged else 2) if m.offensive else (1 if flagged else 3)
        counts[m.kind][index] += 1
        counts["all"][index] += 1
    return {kind: Scores(*c) for kind, c in counts.items()}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render(
    results: dict[str, tuple[float, dict[str, Scores]] | None], counts: dict[str, int]
) -> str:
    """Format the results as a plain-text table.

    Args:
        results: Per detector, ``(messages/s, scores per kind)`` or None if not installed.
        counts: Messages per kind.

    Returns:
        The table and a summary against the targets.
    """
    lines = []
    sizes = ", ".join(f"{k}={counts[k]}" for k in KINDS)
    lines.append(f"Labelled messages: {sum(counts.values())} ({sizes})")
    lines.append("")
    chatmod = results.get("chatmod")
    chatmod_rate = chatmod[0] if chatmod else None
    header = f"{'detector':<22}{'msg/s':>12}{'chatmod x':>11}"
    lines.append(header)
    lines.append("-" * len(header))
    for name, result in results.items():
        if result is None:
            lines.append(f"{name:<22}{'not installed':>12}")
            continue
        rate = result[0]
        times = "" if name == "chatmod" or not chatmod_rate else f"{chatmod_rate / rate:.1f}x"
        lines.append(f"{name:<22}{rate:>12,.0f}{times:>11}")
    lines.append("")
    header = (
        f"{'detector':<22}{'kind':<20}{'n':>5}{'TP':>5}{'FP':>5}{'FN':>5}{'TN':>5}"
        f"{'precision':>11}{'recall':>8}"
    )
    lines.append(header)
    lines.append("-" * len(header))
    for name, result in results.items():
        if result is None:
            lines.append(f"{name:<22}not installed")
            continue
        for kind in (*KINDS, "all"):
            s = result[1][kind]
            n = s.tp + s.fp + s.fn + s.tn
            lines.append(
                f"{name:<22}{kind:<20}{n:>5}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.tn:>5}"
                f"{_fmt(s.precision):>11}{_fmt(s.recall):>8}"
            )
    lines.append("")
    if chatmod is not None:
        scores = chatmod[1]
        bp = results.get("better-profanity")
        if bp is not None:
            ratio = chatmod[0] / bp[0]
            verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
            lines.append(
                f"target throughput >= {TARGET_RATIO:.0f}x better-profanity: "
                f"{ratio:.1f}x ({verdict})"
            )
        else:
            lines.append("target throughput vs better-profanity: not measured (not installed)")
        recall = scores["obfuscated"].recall or 0.0
        verdict = "met" if recall >= TARGET_OBFUSCATED_RECALL else "MISSED"
        lines.append(
            f"target recall on obfuscated >= {TARGET_OBFUSCATED_RECALL}: {recall:.3f} ({verdict})"
        )
        fp = scores["innocent_substring"].fp
        verdict = "met" if fp == 0 else "MISSED"
        lines.append(f"target zero false positives on innocent_substring: {fp} ({verdict})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table.

    Args:
        argv: Command-line arguments (``--budget`` seconds per detector timing loop,
            ``--show-errors`` to list chatmod's misclassified messages).

    Returns:
        Process exit status (always 0: the table reports misses, it does not fail).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=TIME_BUDGET_S)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)

    messages = load_messages()
    texts = [m.text for m in messages]
    counts = {k: sum(1 for m in messages if m.kind == k) for k in KINDS}
    detectors: dict[str, Detector | None] = {
        "chatmod": chatmod_detector(),
        "better-profanity": better_profanity_detector(),
        "alt-profanity-check": alt_profanity_check_detector(),
    }
    results: dict[str, tuple[float, dict[str, Scores]] | None] = {}
    for name, detect in detectors.items():
        if detect is None:
            results[name] = None
            continue
        results[name] = (throughput(detect, texts, args.budget), evaluate(detect, messages))
    print(render(results, counts))
    chatmod = detectors["chatmod"]
    if args.show_errors and chatmod is not None:
        print("\nchatmod misclassified:")
        for m in messages:
            if chatmod(m.text) != m.offensive:
                print(f"  [{m.kind}] expected offensive={m.offensive}: {m.text!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
