"""Start, control and stop a simulated estate (a seeded moto server in a subprocess).

    from awsassess.demo import Estate
    with Estate.start("fintech") as estate:
        boto3.client("ec2", endpoint_url=estate.endpoint_url, ...)
        estate.set_faults([{"service": "ecs", "operation": "DescribeServices",
                            "code": "ThrottlingException", "count": 2}])
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from awsassess.demo.estate import AUDIT_EXTERNAL_ID, AUDIT_ROLE_NAME


class EstateError(RuntimeError):
    """The estate server failed to start or refused a control request."""


class Estate:
    """Handle on a running estate server process.

    :meth:`start` returns once the estate is seeded. :meth:`launch` returns as soon as the server
    answers (``endpoint_url`` is known, seeding goes on in the server); :meth:`wait_seeded` then waits
    for the seed, or a client polls ``GET /_awsassess/status`` (:func:`wait_until_seeded`). Several
    estates launched together seed in parallel, one process each.
    """

    def __init__(self, process: subprocess.Popen[bytes], info: dict[str, Any], log_path: Path,
                 start_s: float, name: str = "", t0: float | None = None, group: _Group | None = None) -> None:
        self._process = process
        self._group = group
        self.info = info
        self.name = name
        self.endpoint_url: str = info.get("endpoint_url") or info["serving"]
        self.timings: dict[str, float] = info.get("timings", {})
        self.start_s = start_s  # wall time from spawn to ready (import + serve + seed, once seeded)
        self.log_path = log_path
        self.seeded = "timings" in info
        self._t0 = t0 if t0 is not None else time.perf_counter() - start_s
        self._buf = b""
        self._sessions: dict[tuple[str, str], Any] = {}

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(cls, estate: str = "fintech", latency_ms: float = 0, timeout: float = 180) -> Estate:
        """Spawn ``python -m awsassess.demo.server`` and wait until it has seeded ``estate``."""
        launched = cls.launch(estate, latency_ms=latency_ms, timeout=timeout)
        return launched.wait_seeded(timeout)

    @classmethod
    def launch(cls, estate: str = "fintech", latency_ms: float = 0, timeout: float = 180) -> Estate:
        """Spawn the server and return once it serves (it is still seeding ``estate``)."""
        proc, log, t0 = _spawn_server([estate], latency_ms)
        handle = cls(proc, {"serving": ""}, log, 0.0, name=estate, t0=t0)
        info = handle._next_message(timeout, "serving")
        handle.info = info
        handle.endpoint_url = info["serving"]
        return handle

    @classmethod
    def launch_many(cls, estates: list[str], latency_ms: float = 0, timeout: float = 180) -> dict[str, Estate]:
        """One server per estate, forked from one process after a shared warm-up (moto imported and
        every service's models loaded once), each seeding in parallel on its own port. Returns once all
        serve; :meth:`wait_seeded` (or :func:`wait_until_seeded`) per estate. Stopping one stops its
        server; the group's process ends with the last one."""
        if len(set(estates)) != len(estates) or not estates:
            raise ValueError(f"launch_many: give distinct estates, got {estates!r}")
        proc, log, t0 = _spawn_server(estates, latency_ms)
        group = _Group(proc, set(estates))
        handles = {e: cls(proc, {"serving": ""}, log, 0.0, name=e, t0=t0, group=group) for e in estates}
        try:
            for handle in handles.values():
                info = handle._next_message(timeout, "serving")
                handle.info, handle.endpoint_url = info, info["serving"]
        except BaseException:
            group.kill()
            raise
        return handles

    def wait_seeded(self, timeout: float = 180) -> Estate:
        """Block until the server has seeded its estate; returns self."""
        if self.seeded:
            return self
        info = self._next_message(timeout, "endpoint_url")
        self.info = {**self.info, **info}
        self.timings = info.get("timings", {})
        self.start_s = time.perf_counter() - self._t0
        self.seeded = True
        return self

    def _next_message(self, timeout: float, key: str) -> dict[str, Any]:
        if self._group is not None:
            info = self._group.next_for(self.name, timeout)
            if info is not None and key == "serving" and "endpoint_url" in info:
                # the seeded line implies serving (its "serving" line was lost in a stray print): keep it
                self._group.put_back(self.name, info)
                return {**info, "serving": info["endpoint_url"]}
            if info is None or key not in info:  # the other estates of the group go on
                why = ("not ready in time, or its server exited" if info is None
                       else info.get("error") or f"unexpected message {info!r}")
                raise EstateError(f"estate {self.name!r} failed: {why}; server log:\n{_tail(self.log_path)}")
            return info
        line, self._buf = _read_line(self._process, timeout, self._buf)
        if line is None:
            self._process.kill()
            self._process.wait()
            raise EstateError(f"estate {self.name!r} not ready within {timeout:.0f} s (or its server exited); "
                              f"server log:\n{_tail(self.log_path)}")
        info = _our_message(line) or {"error": line}
        if key == "serving" and "endpoint_url" in info:
            info = {**info, "serving": info["endpoint_url"]}  # seeded implies serving
            self._buf = (json.dumps(info) + "\n").encode() + self._buf  # read again by wait_seeded
        if key not in info:
            self._process.kill()
            self._process.wait()
            raise EstateError(f"estate {self.name!r} failed: {info.get('error')}; server log:\n{_tail(self.log_path)}")
        return info

    def stop(self) -> None:
        if self._group is not None:
            self._group.stop(self.name, self.info.get("pid"))
            return
        _end_process(self._process)

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        return self._process.pid

    def __enter__(self) -> Estate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __del__(self) -> None:  # best effort; the server also dies with its parent
        try:
            self.stop()
        except Exception:  # noqa: BLE001
            pass

    # ------------------------------------------------------------------ controls
    def set_faults(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace the fault rules (see :class:`awsassess.demo.frontdoor.FaultRule` for the fields)."""
        return self._control("POST", "faults", {"rules": rules})["rules"]

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def faults(self) -> list[dict[str, Any]]:
        """Current rules with their remaining ``count`` and how often each ``fired``."""
        return self._control("GET", "faults")["rules"]

    def set_latency(self, ms: float) -> None:
        self._control("POST", "latency", {"ms": ms})

    def set_replay(self, enabled: bool) -> dict[str, Any]:
        """Answer repeated requests from moto's kept answers (see :mod:`awsassess.demo.frontdoor`)."""
        return self._control("POST", "replay", {"enabled": enabled})

    def replay_stats(self) -> dict[str, Any]:
        """``{"enabled", "entries", "hits", "misses"}`` of the replay store."""
        return self._control("GET", "replay")

    def clear_replay(self) -> None:
        self._control("DELETE", "replay")

    def operations(self) -> list[tuple[str, str]]:
        """(boto3 service name, operation) of every AWS request since :meth:`reset_operations`."""
        return [tuple(op) for op in self._control("GET", "operations")["operations"]]

    def reset_operations(self) -> None:
        """Clear the operation log and the timeline."""
        self._control("DELETE", "operations")

    def timeline(self) -> list[tuple[str, str, float, float]]:
        """(service, operation, arrived, answered) of every finished AWS request since :meth:`reset_operations`,
        in seconds on the estate's monotonic clock (only differences mean something)."""
        return [tuple(t) for t in self._control("GET", "timeline")["timeline"]]

    # ------------------------------------------------------------------ conveniences
    def role_arn(self, account_id: str) -> str:
        return f"arn:aws:iam::{account_id}:role/{AUDIT_ROLE_NAME}"

    @property
    def external_id(self) -> str:
        return AUDIT_EXTERNAL_ID

    def env(self) -> dict[str, str]:
        """Environment variables that point boto3 at this estate (dummy credentials)."""
        return {"AWS_ENDPOINT_URL": self.endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}

    def session(self, account_id: str, region: str = "us-east-1") -> Any:
        """A boto3 Session in ``account_id`` via sts:AssumeRole into the audit role (as collectors do).

        Cached per (account, region): the assumed-role keys stay valid for the server's lifetime.
        """
        import boto3

        if (account_id, region) in self._sessions:
            return self._sessions[(account_id, region)]

        base = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                     region_name=region)
        creds = base.client("sts", endpoint_url=self.endpoint_url).assume_role(
            RoleArn=self.role_arn(account_id), RoleSessionName="awsassess", ExternalId=AUDIT_EXTERNAL_ID,
        )["Credentials"]
        session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                        aws_secret_access_key=creds["SecretAccessKey"],
                                        aws_session_token=creds["SessionToken"], region_name=region)
        self._sessions[(account_id, region)] = session
        return session

    def _control(self, method: str, what: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.endpoint_url}/_awsassess/{what}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise EstateError(f"{method} /_awsassess/{what}: {exc.read().decode(errors='replace')}") from exc


def _spawn_server(estates: list[str], latency_ms: float) -> tuple[subprocess.Popen[bytes], Path, float]:
    """Start ``python -m awsassess.demo.server`` for ``estates`` (one: it serves it; several: it forks one
    server each); (process, its log file, start time)."""
    log = Path(tempfile.mkstemp(prefix="awsassess-estate-", suffix=".log")[1])
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID")}
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [sys.executable, "-m", "awsassess.demo.server", "--port", "0", "--latency-ms", str(latency_ms),
           "--parent-pid", str(os.getpid())]
    for estate in estates:
        cmd += ["--estate", estate]
    t0 = time.perf_counter()
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env)
    return proc, log, t0


class _Group:
    """The lines of a :meth:`Estate.launch_many` process, routed to each estate by their tag."""

    def __init__(self, process: subprocess.Popen[bytes], names: set[str]) -> None:
        self.process = process
        self.live = set(names)
        self._buf = b""
        self._pending: dict[str, list[dict[str, Any]]] = {n: [] for n in names}

    def next_for(self, name: str, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while not self._pending[name]:
            line, self._buf = _read_line(self.process, max(0.0, deadline - time.monotonic()), self._buf)
            if line is None:
                return None
            info = _our_message(line)
            if info is None:
                continue  # not one of ours (a stray print): the log has the details
            target = info.get("estate")
            if target in self._pending:
                self._pending[target].append(info)
            elif "error" in info:  # the group process itself failed (the warm-up)
                for queue in self._pending.values():
                    queue.append(info)
        return self._pending[name].pop(0)

    def put_back(self, name: str, info: dict[str, Any]) -> None:
        """Return a message to the front of ``name``'s queue (read again by the next call)."""
        self._pending[name].insert(0, info)

    def stop(self, name: str, pid: Any) -> None:
        if name in self.live and isinstance(pid, int):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        self.live.discard(name)
        if not self.live:
            self.kill()

    def kill(self) -> None:
        _end_process(self.process)


def _end_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s; reap it and close its pipe."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


def _our_message(line: str) -> dict[str, Any] | None:
    """The server's JSON message on ``line``, also when a stray print without a newline came first
    (``warning text{"serving": ...}``); None when the line holds none."""
    start = line.find('{"')
    while start >= 0:
        try:
            info = json.loads(line[start:])
        except json.JSONDecodeError:
            start = line.find('{"', start + 1)
            continue
        return info if isinstance(info, dict) else None
    return None


def _read_line(proc: subprocess.Popen[bytes], timeout: float, buf: bytes = b"") -> tuple[str | None, bytes]:
    """The next line the server prints, and what it printed after it (kept for the next call)."""
    assert proc.stdout is not None
    if b"\n" in buf:
        line, rest = buf.split(b"\n", 1)
        return line.decode(), rest
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sel.select(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
                if proc.poll() is not None:
                    return None, buf
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                return (buf.decode() or None), b""
            buf += chunk
            if b"\n" in buf:
                line, rest = buf.split(b"\n", 1)
                return line.decode(), rest
        return None, buf
    finally:
        sel.close()


def wait_until_seeded(endpoint_url: str, timeout: float = 300, poll_s: float = 0.1) -> None:
    """Block until the estate at ``endpoint_url`` is seeded (``GET /_awsassess/status``).

    Raises :class:`EstateError` when it reports a seeding error, stops answering, or is not seeded
    within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    refused_since: float | None = None
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint_url}/_awsassess/status", timeout=10) as resp:
                status = json.loads(resp.read() or b"{}")
            refused_since = None
            if status.get("seed_error"):
                raise EstateError(f"the simulated estate at {endpoint_url} failed to seed: {status['seed_error']}")
            if status.get("seeded"):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            refused_since = refused_since or time.monotonic()
            if time.monotonic() - refused_since > 5:
                raise EstateError(f"the simulated estate at {endpoint_url} stopped answering ({exc}); "
                                  "its log is named in the demo output") from None
        if time.monotonic() > deadline:
            raise EstateError(f"the simulated estate at {endpoint_url} was not seeded within {timeout:.0f} s")
        time.sleep(poll_s)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
