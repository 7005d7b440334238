"""A chatmod deployment on a loopback moto server, for benchmarks that run handlers warm."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def moto_server_deployment(policy: Any = None, *, log_level: str = "ERROR") -> Iterator[str]:
    """Start moto on 127.0.0.1, point boto3 at it, create the stack's tables and parameters.

    Args:
        policy: the ``RuntimePolicy`` to store (default: the default policy).
        log_level: the handlers' log level (timing benches keep it quiet; the cost
            bench measures what the stack's level writes).

    Yields:
        The moto server's endpoint URL.
    """
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_ENDPOINT_URL": endpoint,
            # Long enough that no SSM read happens inside the timed loops.
            "CHATMOD_PARAMETER_MAX_AGE_SECONDS": "600",
            "POWERTOOLS_LOG_LEVEL": log_level,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_SERVICE_NAME": "chatmod-bench",
        }
    )
    # Imported only now: importing chatmod builds its logger from the environment.
    from tests.support.deployment import environment, put_parameters, reset_process_state
    from tests.support.dynamodb import create_tables

    os.environ.update(environment())
    try:
        reset_process_state()
        create_tables(endpoint_url=endpoint)
        put_parameters(policy=policy, endpoint_url=endpoint)
        yield endpoint
    finally:
        server.stop()
