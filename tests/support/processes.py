"""Child processes the tests start: stop them with Ctrl-C, and never leave one behind."""

from __future__ import annotations

import signal
import subprocess


def interrupt(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """Send SIGINT as Ctrl-C would and return the output; kill the process if it hangs.

    A child that ignores Ctrl-C fails the test that started it here, rather than
    running on into the next test (and failing that one as a leaked process).
    """
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as hung:
        process.kill()
        rest, _ = process.communicate()
        seen = (hung.output or b"").decode() if isinstance(hung.output, bytes) else hung.output
        raise AssertionError(
            f"still running {timeout:g} s after Ctrl-C; its last output:\n"
            f"{((seen or '') + (rest or ''))[-3000:]}"
        ) from None
    return output or ""
