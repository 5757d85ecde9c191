"""The front door of the simulated estate (mechanism C in moto-simulation.md).

A small WSGI application in front of moto's ``DomainDispatcherApplication``. For every request it

1. identifies the AWS service (SigV4 credential scope) and the operation (``X-Amz-Target`` for
   JSON protocols, ``Action=`` for query/EC2 protocols, the botocore REST route table otherwise);
2. records ``(service, operation)`` so tests can see exactly which API calls a collector made;
3. sleeps for the configured latency (simulated network round trip);
4. fails the request when a fault rule says so, with a protocol-correct error body that botocore
   parses into the real error code (``ThrottlingException``, ``AccessDenied``, ...);
5. answers the operations moto lacks (registered by :mod:`awsassess.demo.sim`), or hands the
   request to moto.

Control endpoints (no AWS signature) live under ``/_awsassess/``:
``GET|POST|DELETE /_awsassess/faults``, ``GET|POST /_awsassess/latency``,
``GET|DELETE /_awsassess/operations``, ``GET /_awsassess/timeline``, ``GET /_awsassess/health``, ``GET /_awsassess/status``
(``{"seeded": bool, "seed_error": str | null}``: the server answers while it seeds; clients that
start early wait for ``seeded``), ``GET|POST|DELETE /_awsassess/replay`` (see below).

Replay (off unless asked for; benchmarks use it): when on, a successful answer (of moto, or of a
simulated operation) is kept, keyed by everything that names the request (account, region, service,
method, path, query, target, body; not the signature or date), and the same request later gets the
kept answer without it being worked out again. Latency, faults and the operation record still apply
to every request. STS is never replayed (credentials must be fresh). It stands in for a remote AWS endpoint, whose work costs the
client's machine nothing: on a 2-core machine moto's own CPU time per request would otherwise be
measured as if it were the collector's.
Services are named by their boto3 client name (``ecs``, ``elbv2``, ``cloudwatch``, ``ec2``, ...);
fault rules also accept the SigV4 signing name (``elasticloadbalancing``, ``monitoring``).
"""

from __future__ import annotations

import io
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# handler(environ, body) -> (status, headers, body)
SimHandler = Callable[[dict[str, Any], bytes], tuple[int, dict[str, str], bytes]]

CONTROL_PREFIX = "/_awsassess/"

# SigV4 signing name -> boto3 client name, where they differ
_SIGNING_TO_CLIENT = {
    "monitoring": "cloudwatch",
    "elasticloadbalancing": "elbv2",
    "tagging": "resourcegroupstaggingapi",
    "states": "stepfunctions",
    "email": "ses",
    "execute-api": "apigateway",
}
_CLIENT_TO_SIGNING = {v: k for k, v in _SIGNING_TO_CLIENT.items()} | {"elb": "elasticloadbalancing",
                                                                         "docdb": "rds", "neptune": "rds"}

_DEFAULT_STATUS = {
    "ThrottlingException": 400, "Throttling": 400, "ThrottledException": 400,
    "TooManyRequestsException": 429, "RequestLimitExceeded": 503, "SlowDown": 503,
    "AccessDenied": 403, "AccessDeniedException": 400, "UnauthorizedOperation": 403,
    "UnrecognizedClientException": 400, "ServiceUnavailable": 503, "ServiceUnavailableException": 503,
    "InternalError": 500, "InternalFailure": 500, "InternalServerError": 500,
}

_CREDENTIAL_RE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def canonical_service(name: str) -> str:
    """boto3 client name for a boto3 name or a SigV4 signing name."""
    return _SIGNING_TO_CLIENT.get(name, name)


def _norm_op(name: str) -> str:
    return name.replace("_", "").lower()


# --------------------------------------------------------------------------- identification
@cache
def service_model(client_name: str) -> Any:

    try:
        return _botocore_session().get_service_model(client_name)
    except Exception:  # noqa: BLE001 - unknown to botocore: treat as "no model"
        return None


@lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def protocol_of(client_name: str) -> str:
    model = service_model(client_name)
    if model is None:
        return "json"
    try:
        return str(model.resolved_protocol)  # what botocore actually speaks (json before cbor/query)
    except Exception:  # noqa: BLE001
        return str(model.metadata.get("protocol", "json"))


@cache
def _rest_routes(client_name: str) -> list[tuple[str, re.Pattern[str], frozenset[str], int, str]]:
    """(method, path regex, required query keys, specificity, operation) for REST protocols."""
    model = service_model(client_name)
    if model is None:
        return []
    routes = []
    for op_name in model.operation_names:
        http = model.operation_model(op_name).http
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        required = frozenset(q.split("=")[0] for q in query.split("&") if q)
        pattern = ""
        literal = 0
        for part in re.split(r"(\{[^}]+\})", path):
            if part.startswith("{"):
                pattern += ".+" if part.endswith("+}") else "[^/]+"
            else:
                pattern += re.escape(part)
                literal += len(part)
        routes.append((http.get("method", "GET"), re.compile(f"^{pattern}/?$"), required,
                       literal + 1000 * len(required), op_name))
    return routes


def identify(environ: dict[str, Any], body: bytes) -> tuple[str | None, str | None]:
    """(boto3 client name, operation name) of a request, or (None, None) if unsigned."""
    match = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None, None
    signing = match.group(2)
    service = canonical_service(signing)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, target.rsplit(".", 1)[-1]
    params: dict[str, list[str]] = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    ctype = environ.get("CONTENT_TYPE", "")
    if "x-www-form-urlencoded" in ctype and body:
        params = {**params, **parse_qs(body.decode("utf-8", "replace"))}
    if "Action" in params:
        if signing == "elasticloadbalancing" and params.get("Version", [""])[0] == "2012-06-01":
            service = "elb"
        return service, params["Action"][0]
    path = environ.get("PATH_INFO", "/")
    method = environ.get("REQUEST_METHOD", "GET")
    query_keys = set(params)
    best: tuple[int, str] | None = None
    for r_method, regex, required, score, op_name in _rest_routes(service):
        if r_method == method and regex.match(path) and required <= query_keys:
            if best is None or score > best[0]:
                best = (score, op_name)
    return service, best[1] if best else f"{method} {path}"


# --------------------------------------------------------------------------- faults
@dataclass
class FaultRule:
    """Fail matching requests.

    ``service``: boto3 client name or SigV4 signing name; ``operation``: API operation name
    (``DescribeServices`` or ``describe_services``), None for every operation of the service;
    ``count``: how many more times to fail (None: no limit); ``probability``: chance per matching
    request, drawn from a RNG seeded with ``seed`` (deterministic for a given request order).
    """

    service: str
    operation: str | None = None
    code: str = "ThrottlingException"
    status: int | None = None
    message: str | None = None
    count: int | None = None
    probability: float = 1.0
    seed: int = 0
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.service:
            raise ValueError("fault rule: 'service' is required (e.g. 'ecs')")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"fault rule: 'probability' must be within 0..1, got {self.probability}")
        self.service = canonical_service(self.service)
        self._rng = random.Random(self.seed)
        if self.status is None:
            self.status = _DEFAULT_STATUS.get(self.code, 400)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        known = {"service", "operation", "code", "status", "message", "count", "probability", "seed"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"fault rule: unknown field(s) {sorted(unknown)}; allowed: {sorted(known)}")
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("_rng", None)
        return d

    def matches(self, service: str, operation: str) -> bool:
        if self.service != service and _CLIENT_TO_SIGNING.get(self.service) != _CLIENT_TO_SIGNING.get(service, "-"):
            return False
        return self.operation is None or _norm_op(self.operation) == _norm_op(operation)

    def fire(self) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.probability < 1.0 and self._rng.random() >= self.probability:
            return False
        if self.count is not None:
            self.count -= 1
        self.fired += 1
        return True


def error_response(service: str, code: str, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    """A protocol-correct AWS error for ``service`` that botocore parses into ``code``."""
    request_id = str(uuid.uuid4())
    protocol = protocol_of(service)
    if protocol in ("json", "rest-json"):
        ctype = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = {"Content-Type": ctype, "x-amzn-ErrorType": code, "x-amzn-RequestId": request_id,
                   "x-amzn-query-error": f"{code};Sender"}  # read by awsQueryCompatible services (CloudWatch)
        return status, headers, body
    msg, c = escape(message), escape(code)
    if protocol == "ec2":
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{c}</Code>'
               f"<Message>{msg}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")
    elif service == "s3":
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{c}</Code><Message>{msg}</Message>'
               f"<RequestId>{request_id}</RequestId></Error>")
    else:  # query, rest-xml
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
               f"<Code>{c}</Code><Message>{msg}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, xml.encode()


# --------------------------------------------------------------------------- the app
_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class FrontDoor:
    """WSGI middleware: records, delays, fails or answers requests before moto sees them."""

    def __init__(self, app: WSGIApp, latency_ms: float = 0.0,
                 simulated: dict[tuple[str, str], SimHandler] | None = None) -> None:
        self.app = app
        self.latency_ms = float(latency_ms)
        self.seeded = False  # set by the server once the estate is seeded
        self.seed_error: str | None = None
        self.simulated: dict[tuple[str, str], SimHandler] = dict(simulated or {})
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._operations: list[tuple[str, str]] = []
        self._timeline: list[tuple[str, str, float, float]] = []
        self.replay = False
        self._replies: dict[tuple[Any, ...], tuple[str, list[tuple[str, str]], bytes]] = {}
        self._replay_hits = 0
        self._replay_misses = 0

    # -- state
    def set_faults(self, rules: Iterable[FaultRule | dict[str, Any]]) -> None:
        parsed = [r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in rules]
        with self._lock:
            self._rules = parsed

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.as_dict() for r in self._rules]

    def operations(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._operations)

    def reset_operations(self) -> None:
        """Clear the operation log and the timeline."""
        with self._lock:
            self._operations.clear()
            self._timeline.clear()

    def timeline(self) -> list[tuple[str, str, float, float]]:
        """(service, operation, arrived, answered) of every finished AWS request since the last reset.

        Times are seconds on this process's monotonic clock: differences are meaningful, not the values.
        """
        with self._lock:
            return list(self._timeline)

    def set_replay(self, enabled: bool) -> None:
        self.replay = bool(enabled)

    def clear_replay(self) -> None:
        with self._lock:
            self._replies.clear()
            self._replay_hits = self._replay_misses = 0

    def replay_stats(self) -> dict[str, Any]:
        with self._lock:
            return {"enabled": self.replay, "entries": len(self._replies), "hits": self._replay_hits,
                    "misses": self._replay_misses}

    def _replayed(self, environ: dict[str, Any], body: bytes, service: str,
                  start_response: Callable[..., Any], app: WSGIApp) -> Iterable[bytes]:
        """``app``'s answer to this request, from the kept answers when the same request was seen."""
        match = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
        key = (_account_of(match.group(0)) if match else "", match.group(1) if match else "", service,
               environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
               environ.get("QUERY_STRING", ""), environ.get("HTTP_X_AMZ_TARGET", ""), body)
        with self._lock:
            kept = self._replies.get(key)
            if kept is not None:
                self._replay_hits += 1
            else:
                self._replay_misses += 1
        if kept is not None:
            start_response(kept[0], list(kept[1]))
            return [kept[2]]
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, list(headers)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        chunks = app(environ, capture)
        try:
            data = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        if captured and captured[0].startswith("200"):
            with self._lock:
                self._replies[key] = (captured[0], captured[1], data)
        return [data]

    def _fault_for(self, service: str, operation: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(service, operation) and rule.fire():
                    return rule
        return None

    # -- WSGI
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path.startswith(CONTROL_PREFIX):
            return self._reply(start_response, *self._control(environ, path[len(CONTROL_PREFIX):]))
        body = _read_body(environ)
        service, operation = identify(environ, body)
        if service is None or operation is None:
            return self.app(environ, start_response)
        arrived = time.monotonic()
        with self._lock:
            self._operations.append((service, operation))
        try:
            return self._answer(environ, body, service, operation, start_response)
        finally:
            answered = time.monotonic()
            with self._lock:
                self._timeline.append((service, operation, arrived, answered))

    def _answer(self, environ: dict[str, Any], body: bytes, service: str, operation: str,
                start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000.0)
        rule = self._fault_for(service, operation)
        if rule is not None:
            message = rule.message or f"Simulated {rule.code} for {service}:{operation} (awsassess demo fault)"
            return self._reply(start_response, *error_response(service, rule.code, int(rule.status or 400), message))
        handler = self.simulated.get((service, operation))
        app = self.app if handler is None else self._simulated_app(handler, body)
        if self.replay and service != "sts":
            return self._replayed(environ, body, service, start_response, app)
        return app(environ, start_response)

    def _simulated_app(self, handler: SimHandler, body: bytes) -> WSGIApp:
        """A simulated operation's handler as a WSGI app (for this request's ``body``)."""

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            return self._reply(start_response, *handler(environ, body))

        return app

    @staticmethod
    def _reply(start_response: Callable[..., Any], status: int, headers: dict[str, str],
               body: bytes) -> list[bytes]:
        hdrs = {**headers, "Content-Length": str(len(body))}
        start_response(f"{status} {_REASONS.get(status, 'Status')}", list(hdrs.items()))
        return [body]

    def _control(self, environ: dict[str, Any], what: str) -> tuple[int, dict[str, str], bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        raw = _read_body(environ)
        try:
            payload = json.loads(raw) if raw else {}
            if what == "health":
                result: Any = {"ok": True}
            elif what == "status":
                result = {"seeded": self.seeded, "seed_error": self.seed_error}
            elif what == "faults":
                if method == "POST":
                    self.set_faults(payload.get("rules", []))
                elif method == "DELETE":
                    self.set_faults([])
                result = {"rules": self.faults()}
            elif what == "latency":
                if method == "POST":
                    ms = float(payload["ms"])
                    if ms < 0:
                        raise ValueError("latency 'ms' must be >= 0")
                    self.latency_ms = ms
                result = {"ms": self.latency_ms}
            elif what == "replay":
                if method == "POST":
                    if not isinstance(payload.get("enabled"), bool):
                        raise ValueError("replay needs {\"enabled\": true|false}")
                    self.set_replay(payload["enabled"])
                elif method == "DELETE":
                    self.clear_replay()
                result = self.replay_stats()
            elif what == "operations":
                if method == "DELETE":
                    self.reset_operations()
                result = {"operations": [list(op) for op in self.operations()]}
            elif what == "timeline":
                result = {"timeline": [list(t) for t in self.timeline()]}
            else:
                return 404, {"Content-Type": "application/json"}, json.dumps(
                    {"error": f"unknown control endpoint {what!r}"}).encode()
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"Content-Type": "application/json"}, json.dumps({"error": str(exc)}).encode()
        return 200, {"Content-Type": "application/json"}, json.dumps(result).encode()


@lru_cache(maxsize=4096)
def _account_of(credential: str) -> str:
    """The account moto gives the access key in a SigV4 ``Credential=`` (keys never move accounts)."""
    from moto.iam.models import get_account_id_from

    return get_account_id_from(credential.split("=", 1)[1].split("/", 1)[0])


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back so the next WSGI app can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length > 0:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked upload: werkzeug ends the stream for us
        body = stream.read()
    else:
        return b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body
