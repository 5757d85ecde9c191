"""The simulated-estate server process.

``python -m awsassess.demo.server --port 0 --estate fintech --latency-ms 0``

Builds moto's WSGI app behind the :class:`~awsassess.demo.frontdoor.FrontDoor`, applies the
simulation patches and serves on 127.0.0.1, then prints two JSON lines on stdout: once serving
``{"serving": endpoint_url, "pid": ...}``, and once seeded ``{"endpoint_url": ..., "seed_s": ...,
"timings": {...}}`` (or ``{"error": ...}``). While it seeds, ``GET /_awsassess/status`` answers
``{"seeded": false}``. It exits on SIGTERM/SIGINT and when its parent process dies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from awsassess.heap import settle_heap


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


def share_botocore_loader() -> None:
    """Every botocore Session in this process shares one model loader (call before importing moto).

    moto creates throw-away Sessions (three at import just to list EC2's regions) and the in-process
    seeder has its own: each new Session parses botocore's large JSON models again. The models are
    read-only data, so one loader per search path serves them all.
    """
    import botocore.session

    from awsassess.aws import shared_loader

    botocore.session.create_loader = shared_loader


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


def fast_moto_timestamps() -> None:
    """Serialise timestamps without dateutil where moto stores them as ISO strings or datetimes.

    moto's response serializer parses every timestamp it writes with botocore's ``parse_timestamp``
    (dateutil), even ones it stores as ISO 8601 strings: a large share of the estate's CPU when it
    answers CloudWatch, CodePipeline or CloudFormation histories. The collector's own parser,
    :func:`awsassess.aws.parse_timestamp_utc`, gives the same instant through the stdlib and hands
    anything else to botocore as before.
    """
    from moto.core.serialize import TimestampSerializer

    from awsassess.aws import parse_timestamp_utc

    if getattr(TimestampSerializer._convert_timestamp_to_str, "_awsassess", False):
        return

    def _convert_timestamp_to_str(self: Any, value: Any, timestamp_format: str) -> Any:
        return getattr(self, f"_timestamp_{timestamp_format.lower()}")(parse_timestamp_utc(value))

    _convert_timestamp_to_str._awsassess = True  # type: ignore[attr-defined]
    TimestampSerializer._convert_timestamp_to_str = _convert_timestamp_to_str  # type: ignore[method-assign]


def build_server(host: str, port: int, latency_ms: float = 0.0) -> tuple[Any, Any]:
    """(werkzeug server, front door) with moto behind the front door and all patches applied."""
    share_botocore_loader()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from awsassess.demo import sim
    from awsassess.demo.frontdoor import FrontDoor

    sim.apply_patches()
    memoise_moto_routing()
    fast_moto_timestamps()
    door = FrontDoor(DomainDispatcherApplication(create_backend_app), latency_ms=latency_ms,
                     simulated=sim.SIMULATED_OPERATIONS)
    server = make_server(host, port, door, threaded=True, request_handler=MotoRequestHandler)
    return server, door


WARM_UP_ACCOUNT = "999999999999"  # a scratch account for the warm-up reads; moto is reset afterwards
WARM_UP_CALLS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("ec2", "describe_vpcs", {}), ("elbv2", "describe_load_balancers", {}), ("ecs", "list_clusters", {}),
    ("application-autoscaling", "describe_scalable_targets", {"ServiceNamespace": "ecs"}),
    ("autoscaling", "describe_auto_scaling_groups", {}), ("rds", "describe_db_instances", {}),
    ("docdb", "describe_db_clusters", {}), ("elasticache", "describe_cache_clusters", {}),
    ("dynamodb", "list_tables", {}), ("cloudfront", "list_distributions", {}),
    ("cloudformation", "list_stacks", {}), ("codepipeline", "list_pipelines", {}),
    ("codebuild", "list_projects", {}), ("codedeploy", "list_applications", {}),
    ("cloudwatch", "list_metrics", {}), ("iam", "list_roles", {}), ("sts", "get_caller_identity", {}),
    ("organizations", "list_accounts", {}),
)


def prepare_process(parent_pid: int | None) -> None:
    """Environment, logging and signals of a server process (before moto is imported)."""
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
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    import faulthandler

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>` dumps stacks to stderr


def warm_up(host: str) -> dict[str, float]:
    """Import, build and load in this process what every estate's first requests would (moto's
    service modules and models, their Flask apps, the seeder's botocore models), by one read per
    service against a throw-away server; then reset moto. Forked servers inherit all of it."""
    import boto3
    from moto.moto_api._internal.models import moto_api_backend

    from awsassess.demo.seedkit import SEED_CLIENT_CONFIG

    t0 = time.perf_counter()
    server, door = build_server(host, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="estate-warm-up")
    thread.start()
    url = f"http://{host}:{server.server_port}"
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    failed = 0
    for service, operation, kwargs in WARM_UP_CALLS:
        client = session.client(service, endpoint_url=url, config=SEED_CLIENT_CONFIG)
        client.meta.events.register("before-send.*.*", _scratch_account)
        try:
            getattr(client, operation)(**kwargs)
        except Exception:  # noqa: BLE001 - best effort: a call that fails still warmed its imports
            failed += 1
    server.shutdown()
    server.server_close()
    thread.join()
    moto_api_backend.reset()  # forget the scratch account's state before any estate is seeded
    return {"warm_up_s": round(time.perf_counter() - t0, 3), "warm_up_failed_calls": failed}


def _scratch_account(request: Any, **_: Any) -> None:
    request.headers["x-moto-account-id"] = WARM_UP_ACCOUNT


def serve_estate(estate: str, host: str, port: int, latency_ms: float, t_start: float,
                 extra: dict[str, Any] | None = None) -> int:
    """Serve, print the "serving" line, seed ``estate``, print the "seeded" line, serve until SIGTERM."""
    server, door = build_server(host, port, latency_ms=0.0)
    stop = threading.Event()

    def _terminate(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    threading.Thread(target=server.serve_forever, daemon=True, name="estate-server").start()
    endpoint_url = f"http://{host}:{server.server_port}"
    t_ready = time.perf_counter()
    print(json.dumps({"serving": endpoint_url, "pid": os.getpid(), "estate": estate}), flush=True)

    from awsassess.demo.seed import seed_estate

    code = 0
    try:
        timings = seed_estate(endpoint_url, estate)
    except Exception as exc:  # noqa: BLE001 - report the failure to the parent; keep answering /status
        import traceback

        traceback.print_exc()
        door.seed_error = f"{type(exc).__name__}: {exc}"
        print(json.dumps({"error": door.seed_error, "estate": estate, "pid": os.getpid()}), flush=True)
        code = 2
    else:
        settle_heap()  # moto's seeded state lives as long as the server: never scanned again
        door.reset_operations()
        door.latency_ms = latency_ms
        door.seeded = True
        print(json.dumps({"endpoint_url": endpoint_url, "pid": os.getpid(), "estate": estate,
                          "server_start_s": round(t_ready - t_start, 3), "seed_s": timings.get("total", 0.0),
                          "timings": {**timings, **(extra or {})}}), flush=True)
    while not stop.wait(3600):
        pass
    server.server_close()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown of moto's large in-memory state


def serve_forked(estates: list[str], host: str, latency_ms: float, parent_pid: int, t_start: float) -> int:
    """One server per estate, forked from this process after a shared warm-up; each prints its own
    lines (tagged with ``estate``). This process waits, and ends the servers on SIGTERM/SIGINT or when
    its own parent dies."""
    warm = warm_up(host)
    settle_heap()  # the warmed-up modules and models: shared with the forked servers, never scanned
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[int] = []
    for estate in estates:
        pid = os.fork()
        if pid == 0:  # a server: dies with this process (its parent)
            _die_with_parent(os.getppid())
            try:
                code = serve_estate(estate, host, 0, latency_ms, t_start, extra=warm)
            finally:
                sys.stdout.flush()
            os._exit(code)
        children.append(pid)
    _die_with_parent(parent_pid)

    def _terminate(signum: int, frame: Any) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    worst = 0
    for child in children:
        while True:
            try:
                _, status = os.waitpid(child, 0)
                break
            except ChildProcessError:
                status = 0
                break
            except InterruptedError:
                continue
        worst = max(worst, os.waitstatus_to_exitcode(status) if status else 0)
    os._exit(worst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m awsassess.demo.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    parser.add_argument("--estate", action="append",
                        help="fintech | empty | scale:{json params}; given several times: one server per estate, "
                             "forked after a shared warm-up, each on its own port")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every AWS request after seeding")
    parser.add_argument("--parent-pid", type=int, default=os.getppid())
    args = parser.parse_args(argv)
    estates = args.estate or ["fintech"]

    t_start = time.perf_counter()
    if len(estates) > 1:
        prepare_process(None)
        return serve_forked(estates, args.host, args.latency_ms, args.parent_pid, t_start)
    prepare_process(args.parent_pid)
    return serve_estate(estates[0], args.host, args.port, args.latency_ms, t_start)


if __name__ == "__main__":
    sys.exit(main())
