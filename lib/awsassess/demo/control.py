"""Start, control and stop a simulated estate (a seeded moto server in a subprocess).

    from awsassess.demo import Estate
    with Estate.start("fintech") as estate:
        boto3.client("ec2", endpoint_url=estate.endpoint_url, ...)
        estate.set_faults([{"service": "ecs", "operation": "DescribeServices",
                            "code": "ThrottlingException", "count": 2}])
"""

from __future__ import annotations

import json
import os
import selectors
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
    """Handle on a running estate server process."""

    def __init__(self, process: subprocess.Popen[bytes], info: dict[str, Any], log_path: Path,
                 start_s: float) -> None:
        self._process = process
        self.info = info
        self.endpoint_url: str = info["endpoint_url"]
        self.timings: dict[str, float] = info.get("timings", {})
        self.start_s = start_s  # wall time from spawn to ready (import + serve + seed)
        self.log_path = log_path
        self._sessions: dict[tuple[str, str], Any] = {}

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(cls, estate: str = "fintech", latency_ms: float = 0, timeout: float = 180) -> Estate:
        """Spawn ``python -m awsassess.demo.server`` and wait until it has seeded ``estate``."""
        log = Path(tempfile.mkstemp(prefix="awsassess-estate-", suffix=".log")[1])
        env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID")}
        env["PYTHONUNBUFFERED"] = "1"
        cmd = [sys.executable, "-m", "awsassess.demo.server", "--port", "0", "--estate", estate,
               "--latency-ms", str(latency_ms), "--parent-pid", str(os.getpid())]
        t0 = time.perf_counter()
        with open(log, "wb") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env)
        line = _read_line(proc, timeout)
        if line is None:
            proc.kill()
            proc.wait()
            raise EstateError(f"estate {estate!r} not ready within {timeout:.0f} s; server log:\n{_tail(log)}")
        try:
            info = json.loads(line)
        except json.JSONDecodeError:
            info = {"error": line}
        if "endpoint_url" not in info:
            proc.kill()
            proc.wait()
            raise EstateError(f"estate {estate!r} failed: {info.get('error')}; server log:\n{_tail(log)}")
        return cls(proc, info, log, time.perf_counter() - t0)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()

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

    def operations(self) -> list[tuple[str, str]]:
        """(boto3 service name, operation) of every AWS request since :meth:`reset_operations`."""
        return [tuple(op) for op in self._control("GET", "operations")["operations"]]  # type: ignore[misc]

    def reset_operations(self) -> None:
        self._control("DELETE", "operations")

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


def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> str | None:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < deadline:
        if not sel.select(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
            if proc.poll() is not None:
                return None
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            return buf.decode() or None
        buf += chunk
        if b"\n" in buf:
            return buf.split(b"\n", 1)[0].decode()
    return None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
