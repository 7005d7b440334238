"""``make local`` (``python -m chatmod_local``): it stops on Ctrl-C whichever thread gets the
signal, and it builds nothing of chatmod before its environment is applied."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# The kernel picks any thread of the process for a process-directed SIGINT; the script
# sends it to a worker thread on purpose, the case in which an untimed wait hangs.
_SCRIPT = textwrap.dedent(
    """
    import signal, threading, time
    from chatmod_local.__main__ import wait_until_set

    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.set())

    def worker():
        time.sleep(0.2)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        time.sleep(30)

    threading.Thread(target=worker, daemon=True).start()
    wait_until_set(stopping, poll_s=0.05)
    print("stopped")
    """
)


def test_a_signal_delivered_to_another_thread_still_stops_the_main_thread() -> None:
    # Given the main thread waiting for the stop event, When SIGINT lands on a worker thread
    done = subprocess.run(  # noqa: S603 - our own script, run by this interpreter
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=20, check=False
    )
    # Then the main thread wakes and carries on (an untimed Event.wait() never returns)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"


def test_starting_make_local_builds_no_chatmod_logger_before_its_environment_is_applied() -> None:
    # chatmod's logger takes its service name from the environment when it is built: built
    # by an import at start-up, every function's lines came out twice ("service_undefined")
    script = (
        "import sys, chatmod_local.__main__; print('chatmod.core.observability' in sys.modules)"
    )
    done = subprocess.run(  # noqa: S603 - our own one-liner, run by this interpreter
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.stdout.strip() == "False", done.stderr
