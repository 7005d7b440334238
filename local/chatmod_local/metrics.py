"""Local mode's stand-in for CloudWatch metrics: the functions' EMF lines, summarised.

In Lambda, Powertools prints each invocation's metrics to stdout as one line of
CloudWatch Embedded Metric Format (EMF) JSON, and CloudWatch Logs turns those
lines into metrics. Locally stdout is the console, where a 400-character blob per
request is noise. :class:`EmfTap` stands where CloudWatch Logs stands: it takes the
EMF lines out of the console stream (every other line passes through unchanged),
appends each to a file (``CHATMOD_LOCAL_METRICS_FILE``, default
``.chatmod-local/metrics.jsonl``: one JSON object a line, as CloudWatch would have
received them) and feeds a :class:`MetricsSummary`, which ``make local`` prints as
one line per interval (``CHATMOD_LOCAL_METRICS_EVERY`` seconds, default 60; ``0``:
only on exit) and as a per-metric table when it stops::

    15:40:00 metrics (last 60 s)  Accepted 12 · Rejected 3 · Masked 1 · HandlerLatency p50 2.1 ms

Nothing in the handlers changes: this reads what they print, as CloudWatch does.
"""

from __future__ import annotations

import io
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO

ENV_METRICS_FILE: Final = "CHATMOD_LOCAL_METRICS_FILE"
ENV_METRICS_EVERY: Final = "CHATMOD_LOCAL_METRICS_EVERY"
DEFAULT_METRICS_FILE: Final = Path(".chatmod-local") / "metrics.jsonl"
DEFAULT_EVERY_S: Final = 60.0
EMF_PREFIX: Final = '{"_aws":'
# Kept per metric for percentiles; older values still count in n, total, min and max.
MAX_SAMPLES: Final = 10_000


@dataclass
class MetricStats:
    """What one metric has recorded: data points, their sum, extremes and recent values."""

    unit: str
    count: int = 0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    samples: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        """Record one data point."""
        self.count += 1
        self.total += value
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)
        self.samples.append(value)
        if len(self.samples) > MAX_SAMPLES:
            del self.samples[: len(self.samples) - MAX_SAMPLES]

    def percentile(self, fraction: float) -> float:
        """The nearest-rank percentile of the kept values (``fraction`` in 0..1)."""
        ordered = sorted(self.samples)
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1]

    def describe(self) -> str:
        """``12`` for counts; ``p50 2.1 ms · p99 9.0 ms · max 12.0 ms (n=15)`` for the rest."""
        if self.unit == "Count":
            return _number(self.total)
        unit = {"Milliseconds": " ms", "Seconds": " s", "Bytes": " B", "Percent": " %"}.get(
            self.unit, f" {self.unit}" if self.unit not in ("None", "") else ""
        )
        return (
            f"p50 {self.percentile(0.5):.1f}{unit} · p99 {self.percentile(0.99):.1f}{unit} · "
            f"max {self.maximum:.1f}{unit} (n={self.count})"
        )


class MetricsSummary:
    """Metrics by name, from EMF documents; thread-safe (handlers flush from many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total: dict[str, MetricStats] = {}
        self._recent: dict[str, MetricStats] = {}
        self.documents = 0

    def add(self, document: Mapping[str, Any]) -> None:
        """Record one EMF document (``{"_aws": {"CloudWatchMetrics": [...]}, "Name": value}``).

        Raises:
            ValueError: the document is not EMF (no ``_aws.CloudWatchMetrics`` list).
        """
        directives = (document.get("_aws") or {}).get("CloudWatchMetrics")
        if not isinstance(directives, list):
            raise ValueError("not an EMF document: no _aws.CloudWatchMetrics")
        points: list[tuple[str, str, float]] = []
        for directive in directives:
            for metric in directive.get("Metrics", []):
                name = str(metric["Name"])
                unit = str(metric.get("Unit", "None"))
                raw = document.get(name)
                values = raw if isinstance(raw, list) else [raw]
                points += [(name, unit, float(v)) for v in values if isinstance(v, int | float)]
        with self._lock:
            self.documents += 1
            for name, unit, value in points:
                for table in (self._total, self._recent):
                    table.setdefault(name, MetricStats(unit)).add(value)

    def interval_line(self, label: str) -> str | None:
        """One line for what was recorded since the last call, or None if nothing was."""
        with self._lock:
            recent, self._recent = self._recent, {}
        if not recent:
            return None
        parts = [f"{name} {stats.describe()}" for name, stats in sorted(recent.items())]
        return f"metrics ({label})  " + " · ".join(parts)

    def table(self) -> list[str]:
        """Every metric since the start, one line each (empty when none was recorded)."""
        with self._lock:
            totals = dict(self._total)
        width = max((len(name) for name in totals), default=0)
        return [f"  {name:<{width}}  {totals[name].describe()}" for name in sorted(totals)]


class EmfTap(io.TextIOBase):
    """A text stream in front of the console that diverts EMF lines to ``on_emf``.

    Lines are reassembled per thread (``print`` writes a line and its newline in two
    calls, and handlers print from several threads); a line that only looks like EMF
    but does not parse, or that ``on_emf`` refuses, goes to the console as it came.
    """

    def __init__(self, console: TextIO, on_emf: Callable[[str], None]) -> None:
        super().__init__()
        self.console = console
        self._on_emf = on_emf
        self._pending = threading.local()

    def write(self, text: str) -> int:
        """Pass lines through, divert EMF lines; keep a partial line until its newline."""
        buffered: str = getattr(self._pending, "text", "") + text
        *lines, rest = buffered.split("\n")
        self._pending.text = rest
        passed = [line for line in lines if not self._diverted(line)]
        if passed:
            self.console.write("".join(f"{line}\n" for line in passed))
        return len(text)

    def flush(self) -> None:
        """Write this thread's partial line (it is not EMF: EMF lines end in a newline)."""
        rest = getattr(self._pending, "text", "")
        if rest:
            self._pending.text = ""
            self.console.write(rest)
        self.console.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.console.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.console, "encoding", "utf-8")

    def _diverted(self, line: str) -> bool:
        if not line.startswith(EMF_PREFIX):
            return False
        try:
            self._on_emf(line)
        except ValueError:  # not JSON, or not EMF: show it as it is
            return False
        return True


class MetricsSink:
    """Where diverted EMF lines go: the summary, and the metrics file when there is one."""

    def __init__(self, summary: MetricsSummary, path: Path | None) -> None:
        self.summary = summary
        self.path = path
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w", encoding="utf-8")  # one run per file

    def __call__(self, line: str) -> None:
        """Record one EMF line.

        Raises:
            ValueError: the line is not an EMF JSON document.
        """
        document = json.loads(line)
        if not isinstance(document, dict):
            raise ValueError("not an EMF document")
        self.summary.add(document)
        if self._file is not None:
            with self._lock:
                self._file.write(line + "\n")
                self._file.flush()

    def close(self) -> None:
        """Close the metrics file."""
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass(frozen=True)
class MetricsSettings:
    """``CHATMOD_LOCAL_METRICS_FILE`` (empty: no file) and ``CHATMOD_LOCAL_METRICS_EVERY``."""

    path: Path | None = DEFAULT_METRICS_FILE
    every_s: float = DEFAULT_EVERY_S

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MetricsSettings:
        """Read the settings.

        Raises:
            ValueError: ``CHATMOD_LOCAL_METRICS_EVERY`` is not a number of seconds ≥ 0.
        """
        env = os.environ if environ is None else environ
        raw_path = env.get(ENV_METRICS_FILE)
        path = DEFAULT_METRICS_FILE if raw_path is None else (Path(raw_path) if raw_path else None)
        raw_every = env.get(ENV_METRICS_EVERY) or str(DEFAULT_EVERY_S)
        try:
            every = float(raw_every)
        except ValueError:
            every = -1.0
        if not math.isfinite(every) or every < 0:
            raise ValueError(
                f"{ENV_METRICS_EVERY} must be a number of seconds (0: only on exit), "
                f"not {raw_every!r}"
            )
        return cls(path=path, every_s=every)


class MetricsReporter:
    """Prints the summary's interval line every ``every_s`` seconds (a daemon thread)."""

    def __init__(
        self,
        summary: MetricsSummary,
        write: Callable[[str], None],
        every_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.summary = summary
        self.write = write
        self.every_s = every_s
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def report(self) -> bool:
        """Print what was recorded since the last report, if anything; True if it printed."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.clock()))
        line = self.summary.interval_line(f"last {self.every_s:g} s")
        if line is None:
            return False
        self.write(f"{stamp} {line}")
        return True

    def start(self) -> MetricsReporter:
        """Report every ``every_s`` seconds until :meth:`stop` (not at all when 0)."""
        if self.every_s > 0:
            self._thread = threading.Thread(
                target=self._run, name="chatmod-local-metrics", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop reporting."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.report()


def final_report(summary: MetricsSummary, path: Path | None) -> Iterable[str]:
    """The lines ``make local`` prints when it stops."""
    rows = summary.table()
    if not rows:
        return ["metrics: none recorded"]
    where = f" (every EMF line in {path})" if path is not None else ""
    return [f"metrics since start, {summary.documents} EMF documents{where}:", *rows]


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"
