"""What happened to each API call: coverage statuses, :func:`classify_error` and :class:`CallRecord`
(one row of the ``coverage`` table per service, operation and region)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError, UnknownEndpointError
from botocore.parsers import ResponseParserError

from awsassess.aws import GLOBAL_REGION, EndpointNotImplemented

STATUSES = ("ok", "skipped", "access_denied", "opt_in_required", "unsupported", "not_implemented", "throttled", "error")
_SEVERITY = {s: i for i, s in enumerate(STATUSES)}

ACCESS_DENIED_CODES = {
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
    "AuthorizationError", "AuthorizationErrorException", "Forbidden", "403", "NotAuthorized",
    "UnauthorizedAccess", "AccessDeniedForDependencyException",
}
OPT_IN_CODES = {"OptInRequired", "SubscriptionRequiredException"}
TOKEN_CODES = {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure"}
THROTTLE_CODES = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
    "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
    "ProvisionedThroughputExceededException", "LimitExceededException", "BandwidthLimitExceeded",
    "PriorRequestNotComplete", "EC2ThrottledException", "TransactionInProgressException",
}
UNSUPPORTED_CODES = {
    "UnsupportedOperation", "UnsupportedOperationException", "InvalidAction", "UnknownOperationException",
    "UnknownOperation", "InvalidEndpointException", "OperationNotSupportedException",
}
NOT_IMPLEMENTED_CODES = {"NotImplemented", "NotImplementedException", "501", "500", "404"}


@dataclass
class CallRecord:
    service: str
    operation: str
    region: str
    status: str = "ok"
    message: str = ""
    calls: int = 0
    failed: int = 0
    items: int = 0
    duration_s: float = 0.0

    def add(self, status: str, message: str, calls: int, items: int, duration: float) -> None:
        self.calls += calls
        self.items += items
        self.duration_s += duration
        if status != "ok":
            self._failures(1, status, message)

    def merge(self, other: CallRecord) -> None:
        """Add ``other`` (the same call counted elsewhere, e.g. in a worker process) to this record."""
        self.calls += other.calls
        self.items += other.items
        self.duration_s += other.duration_s
        if other.failed:
            self._failures(other.failed, other.status, other.message)

    def _failures(self, count: int, status: str, message: str) -> None:
        """Count failed requests; the record keeps the most severe status (the latest among equals)."""
        self.failed += count
        if _SEVERITY[status] >= _SEVERITY.get(self.status, 0) or self.status == "ok":
            self.status = status
            self.message = message

    def row(self) -> dict[str, Any]:
        msg = self.message
        if self.failed and self.calls > self.failed:
            msg = f"{self.failed} failed of {self.calls} requests; last: {msg}"
        return {"service": self.service, "operation": self.operation, "region": self.region,
                "status": self.status, "message": msg[:1000], "calls": self.calls, "items": self.items,
                "duration_s": round(self.duration_s, 3)}


def classify_error(exc: BaseException, region: str, home_region: str) -> tuple[str, str]:
    """(coverage status, short message) for an exception raised by botocore."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        message = str(err.get("Message", "") or exc)
        if message.lstrip().lower().startswith(("<!doctype", "<html")):
            message = "the endpoint answered with an HTML error page (operation not implemented?)"
        text = f"{code}: {message}"
        if code in ACCESS_DENIED_CODES or "not authorized" in message.lower():
            return "access_denied", text
        if code in OPT_IN_CODES:
            return "opt_in_required", text
        if code in TOKEN_CODES and region not in (home_region, GLOBAL_REGION):
            return "opt_in_required", text + " (is the region enabled for this account?)"
        if code in THROTTLE_CODES or "rate exceeded" in message.lower():
            return "throttled", text
        if code in UNSUPPORTED_CODES:
            return "unsupported", text
        if code in NOT_IMPLEMENTED_CODES or "not implemented" in message.lower():
            return "not_implemented", text
        return "error", text
    if isinstance(exc, ResponseParserError | EndpointNotImplemented):
        return "not_implemented", f"unparseable response (operation not implemented?): {str(exc)[:300]}"
    if isinstance(exc, UnknownEndpointError):
        return "unsupported", f"{type(exc).__name__}: {exc}"
    if isinstance(exc, EndpointConnectionError) and _no_such_host(exc):
        # the service has no endpoint in that region (no DNS name): nothing there to read, a gap
        return "unsupported", f"no endpoint for this service in {region} ({exc})"
    # a connection refused, reset or timed out after start-up is an error: data was there, it was not read
    return "error", f"{type(exc).__name__}: {exc}"


def _no_such_host(exc: BaseException) -> bool:
    """True when a connection error was a failed DNS look-up (the endpoint's host name does not exist)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return True
        text = str(cause)
        if any(s in text for s in ("Name or service not known", "nodename nor servname", "getaddrinfo failed",
                                   "No address associated with hostname", "Failed to resolve")):
            return True
        inner = getattr(cause, "kwargs", {}).get("error") if hasattr(cause, "kwargs") else None
        cause = inner or cause.__cause__ or cause.__context__
    return False
