"""The simulated-estate server process.

``python -m awsassess.demo.server --port 0 --estate fintech --latency-ms 0``

Builds moto's WSGI app behind the :class:`~awsassess.demo.frontdoor.FrontDoor`, applies the
simulation patches, serves on 127.0.0.1, seeds the estate, then prints ONE JSON line
``{"endpoint_url": ..., "seed_s": ..., "timings": {...}}`` on stdout. It exits on SIGTERM/SIGINT
and when its parent process dies.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any


def _die_with_parent(parent_pid: int) -> None:
    """Exit when the parent process goes away (a watchdog polling the parent pid).

    Not PR_SET_PDEATHSIG: Linux sends that signal when the parent *thread* exits, which kills
    servers started from a worker thread (e.g. a ThreadPoolExecutor) as soon as the thread ends.
    """
    if os.getppid() != parent_pid:
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def memoise_moto_routing() -> None:
    """Cache moto's host -> backend lookup (a pure function of the host string).

    moto's dispatcher resolves every request's backend under one global lock, and that lookup lists
    moto's package folder from disk (~200 ``isdir`` calls) then tries hundreds of URL regexes. Sampling
    the estate during a demo collection showed server threads spending most of their time queued on
    that lock; the cache makes the lookup a dict hit.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.get_backend_for_host
    if getattr(original, "_awsassess_memoised", False):
        return

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        cache = self.__dict__.setdefault("_awsassess_backend_for_host", {})
        if host not in cache:
            cache[host] = original(self, host)
        return cache[host]

    get_backend_for_host._awsassess_memoised = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def utc_instant(value: Any) -> Any:
    """``value`` (datetime, epoch number or string) as an aware UTC datetime, like botocore's
    ``parse_to_aware_datetime`` but with stdlib fast paths for ISO 8601 strings and numbers."""
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            pass
        try:
            return utc_instant(datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text))
        except ValueError:
            pass
    from botocore.utils import parse_to_aware_datetime

    return parse_to_aware_datetime(value)


def fast_moto_timestamps() -> None:
    """Serialise timestamps without dateutil where moto stores them as ISO strings or datetimes.

    moto's response serializer parses every timestamp it writes with botocore's ``parse_timestamp``
    (dateutil), even ones it stores as ISO 8601 strings: a large share of the estate's CPU when it
    answers CloudWatch, CodePipeline or CloudFormation histories. :func:`utc_instant` gives the same
    instant through the stdlib and hands anything else to botocore as before.
    """
    from moto.core.serialize import TimestampSerializer

    if getattr(TimestampSerializer._convert_timestamp_to_str, "_awsassess", False):
        return

    def _convert_timestamp_to_str(self: Any, value: Any, timestamp_format: str) -> Any:
        return getattr(self, f"_timestamp_{timestamp_format.lower()}")(utc_instant(value))

    _convert_timestamp_to_str._awsassess = True  # type: ignore[attr-defined]
    TimestampSerializer._convert_timestamp_to_str = _convert_timestamp_to_str  # type: ignore[method-assign]


def build_server(host: str, port: int, latency_ms: float = 0.0) -> tuple[Any, Any]:
    """(werkzeug server, front door) with moto behind the front door and all patches applied."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from awsassess.demo import simulation
    from awsassess.demo.frontdoor import FrontDoor

    simulation.apply_patches()
    memoise_moto_routing()
    fast_moto_timestamps()
    door = FrontDoor(DomainDispatcherApplication(create_backend_app), latency_ms=latency_ms,
                     simulated=simulation.SIMULATED_OPERATIONS)
    server = make_server(host, port, door, threaded=True, request_handler=MotoRequestHandler)
    return server, door


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m awsassess.demo.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    parser.add_argument("--estate", default="fintech", help="fintech | empty | scale:{json params}")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every AWS request after seeding")
    parser.add_argument("--parent-pid", type=int, default=os.getppid())
    args = parser.parse_args(argv)

    t_start = time.perf_counter()
    # jsonschema (imported by moto's API Gateway, which CloudFormation imports) compiles a large
    # grammar when the optional rfc3987_syntax package is present: seconds of start-up for a URI
    # format check the estate never uses. Mark it absent in this process only.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto").setLevel(logging.ERROR)
    for var, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(var, value)
    for var in ("AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID", "AWS_PROFILE"):
        os.environ.pop(var, None)  # the seeder picks endpoints and accounts explicitly
    _die_with_parent(args.parent_pid)
    import faulthandler

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>` dumps stacks to stderr

    server, door = build_server(args.host, args.port, latency_ms=0.0)
    stop = threading.Event()

    def _terminate(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    threading.Thread(target=server.serve_forever, daemon=True, name="estate-server").start()
    endpoint_url = f"http://{args.host}:{server.server_port}"
    t_ready = time.perf_counter()

    from awsassess.demo.seed import seed_estate

    try:
        timings = seed_estate(endpoint_url, args.estate)
    except Exception as exc:  # noqa: BLE001 - report the failure to the parent, then exit non-zero
        import traceback

        traceback.print_exc()
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 2
    door.reset_operations()
    door.latency_ms = args.latency_ms
    print(json.dumps({"endpoint_url": endpoint_url, "pid": os.getpid(), "estate": args.estate,
                      "server_start_s": round(t_ready - t_start, 3), "seed_s": timings.get("total", 0.0),
                      "timings": timings}), flush=True)
    while not stop.wait(3600):
        pass
    server.server_close()
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown of moto's large in-memory state


if __name__ == "__main__":
    sys.exit(main())
