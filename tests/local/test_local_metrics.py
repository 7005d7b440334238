"""Local metrics: EMF lines leave the console for a summary and a file; the region is configurable."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from chatmod_local.aws import DEFAULT_REGION, local_region
from chatmod_local.client import discover, wait_for
from chatmod_local.metrics import (
    EmfTap,
    MetricsReporter,
    MetricsSettings,
    MetricsSink,
    MetricsSummary,
    final_report,
)
from chatmod_local.system import LocalConfig
from tests.support.processes import interrupt

ROOT = Path(__file__).resolve().parents[2]


def emf(**metrics: tuple[str, list[float]]) -> str:
    """One EMF line as Powertools prints it: ``name=(unit, values)``."""
    document: dict[str, object] = {
        "_aws": {
            "Timestamp": 1,
            "CloudWatchMetrics": [
                {
                    "Namespace": "Chatmod",
                    "Dimensions": [["service"]],
                    "Metrics": [{"Name": n, "Unit": u} for n, (u, _) in metrics.items()],
                }
            ],
        },
        "service": "chatmod-local",
    }
    document.update({name: values for name, (_, values) in metrics.items()})
    return json.dumps(document, separators=(",", ":"))


def test_the_tap_diverts_emf_lines_and_passes_everything_else_through(tmp_path: Path) -> None:
    # Given a console behind the tap, with a summary and a metrics file
    console, summary, path = io.StringIO(), MetricsSummary(), tmp_path / "m" / "metrics.jsonl"
    sink = MetricsSink(summary, path)
    tap = EmfTap(console, sink)
    line = emf(Accepted=("Count", [1.0, 1.0]), HandlerLatency=("Milliseconds", [2.0]))
    # When print() writes an EMF line (line and newline in two calls) among ordinary lines
    print("12:00:00 FunctionsPublish publish lobby alice accept", file=tap)
    print(line, file=tap)
    print('{"_aws": not json', file=tap)  # looks like EMF but is not: shown as it is
    tap.write("partial")
    tap.flush()
    sink.close()
    # Then the console has everything but the EMF line, the file has exactly that line
    assert console.getvalue() == (
        '12:00:00 FunctionsPublish publish lobby alice accept\n{"_aws": not json\npartial'
    )
    assert path.read_text() == line + "\n"
    assert summary.documents == 1
    assert summary.table() == [
        "  Accepted        2",
        "  HandlerLatency  p50 2.0 ms · p99 2.0 ms · max 2.0 ms (n=1)",
    ]


def test_lines_written_by_several_threads_are_reassembled_per_thread() -> None:
    console, summary = io.StringIO(), MetricsSummary()
    tap = EmfTap(console, MetricsSink(summary, None))
    line = emf(Rejected=("Count", [1.0]))

    def write() -> None:
        for _ in range(200):
            print(line, file=tap)
            print("ordinary", file=tap)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert console.getvalue() == "ordinary\n" * 800
    assert summary.table() == ["  Rejected  800"]


def test_the_interval_line_covers_what_came_since_the_last_one() -> None:
    # Given a reporter on a fixed clock
    summary, printed = MetricsSummary(), list[str]()
    reporter = MetricsReporter(summary, printed.append, every_s=60, clock=lambda: 0.0)
    # When nothing was recorded, it prints nothing
    assert reporter.report() is False
    # When latencies and counts were recorded, one line summarises them
    summary.add(json.loads(emf(Masked=("Count", [1.0]))))
    summary.add(
        json.loads(emf(DecisionLatency=("Milliseconds", [float(v) for v in range(1, 101)])))
    )
    assert reporter.report() is True
    assert printed[-1].endswith(
        "metrics (last 60 s)  DecisionLatency p50 50.0 ms · p99 99.0 ms · max 100.0 ms (n=100)"
        " · Masked 1"
    )
    # And the next interval starts empty, while the totals keep everything
    assert reporter.report() is False
    summary.add(json.loads(emf(Masked=("Count", [1.0]))))
    reporter.report()
    assert printed[-1].endswith("metrics (last 60 s)  Masked 1")
    assert "  Masked           2" in summary.table()


def test_a_document_that_is_not_emf_is_refused() -> None:
    with pytest.raises(ValueError, match="not an EMF document"):
        MetricsSummary().add({"_aws": {}})
    with pytest.raises(ValueError, match="not an EMF document"):
        MetricsSink(MetricsSummary(), None)("[1, 2]")


def test_final_report_names_the_file_or_says_nothing_was_recorded(tmp_path: Path) -> None:
    summary = MetricsSummary()
    assert list(final_report(summary, tmp_path / "m.jsonl")) == ["metrics: none recorded"]
    summary.add(json.loads(emf(Banned=("Count", [1.0]))))
    assert list(final_report(summary, tmp_path / "m.jsonl")) == [
        f"metrics since start, 1 EMF documents (every EMF line in {tmp_path / 'm.jsonl'}):",
        "  Banned  1",
    ]


def test_settings_come_from_the_environment_and_bad_values_are_refused() -> None:
    assert MetricsSettings.from_env({}) == MetricsSettings()
    assert MetricsSettings.from_env(
        {"CHATMOD_LOCAL_METRICS_FILE": "", "CHATMOD_LOCAL_METRICS_EVERY": "0"}
    ) == MetricsSettings(path=None, every_s=0.0)
    with pytest.raises(ValueError, match="CHATMOD_LOCAL_METRICS_EVERY must be a number"):
        MetricsSettings.from_env({"CHATMOD_LOCAL_METRICS_EVERY": "soon"})
    with pytest.raises(ValueError, match="CHATMOD_LOCAL_METRICS_EVERY"):
        MetricsSettings.from_env({"CHATMOD_LOCAL_METRICS_EVERY": "-5"})


def test_the_region_comes_from_chatmod_local_region_and_is_checked() -> None:
    assert local_region({}) == DEFAULT_REGION == "eu-west-1"
    assert LocalConfig.from_env({"CHATMOD_LOCAL_REGION": "us-gov-east-1"}).region == (
        "us-gov-east-1"
    )
    with pytest.raises(ValueError, match="CHATMOD_LOCAL_REGION must be a region name"):
        LocalConfig.from_env({"CHATMOD_LOCAL_REGION": "Frankfurt"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_make_local_in_another_region_summarises_metrics_instead_of_printing_emf(
    tmp_path: Path,
) -> None:
    # Given `make local` in us-east-2, metrics to a file of our own
    port, metrics_file = _free_port(), tmp_path / "metrics.jsonl"
    env = {
        **os.environ,
        "CHATMOD_LOCAL_PORT": str(port),
        "CHATMOD_LOCAL_REGION": "us-east-2",
        "CHATMOD_LOCAL_METRICS_FILE": str(metrics_file),
    }
    for name in ("ABLY_API_KEY", "AWS_ENDPOINT_URL", "AWS_REGION", "CHATMOD_LOCAL_METRICS_EVERY"):
        env.pop(name, None)
    local = subprocess.Popen(
        [sys.executable, "-m", "chatmod_local"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        info = wait_for(lambda: discover(f"http://127.0.0.1:{port}"), timeout=90, interval=0.2)
        assert info is not None, "make local did not answer"
        # Then /_local names the region, and the AWS CLI line uses it
        assert info["region"] == "us-east-2"
        assert "AWS_REGION=us-east-2" in info["awsCli"]
        # When a user publishes a clean and a masked message
        token = httpx.get(f"{info['apiUrl']}/_local/token", params={"clientId": "m-carol"}).json()
        headers = {"authorization": f"Bearer {token['token']}"}
        for text in ("hello", "you bastard"):
            reply = httpx.post(
                f"{info['apiUrl']}/messages",
                json={"room": "metrics", "text": text},
                headers=headers,
                timeout=15,
            )
            assert reply.status_code == 201, reply.text
        assert wait_for(lambda: metrics_file.exists() and "Masked" in metrics_file.read_text())
    finally:
        output = interrupt(local)
    # Then the console shows no EMF blob, the banner names region and file, and the exit
    # summary counts the decisions; the file holds the EMF lines, one JSON object each
    assert local.returncode == 0, output[-3000:]
    assert '{"_aws"' not in output
    assert "(region us-east-2, policy parameter" in output
    assert (
        f"  metrics       summarised here every 60 s and on exit; every EMF line in {metrics_file}"
        in output
    )
    summary = output.split("metrics since start", 1)[1]
    assert "  Masked " in summary
    assert "  Accepted " in summary
    documents = [json.loads(line) for line in metrics_file.read_text().splitlines()]
    assert documents
    assert all("CloudWatchMetrics" in document["_aws"] for document in documents)
