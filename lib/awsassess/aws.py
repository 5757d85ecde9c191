"""One AWS session per account: credentials, retries, endpoints and the read-only guard.

:func:`session_for` turns an account's params into an :class:`AccountSession`:

- credentials from the standard chain, or ``auth.profile`` (named, SSO and ``source_profile``
  profiles all work: boto3 resolves them), then optionally ``sts:AssumeRole`` into ``auth.role_arn``
  with ``auth.external_id`` and the session name ``awsassess-<name>``; assumed credentials refresh
  themselves before they expire, so long collections keep working;
- ``auth.endpoint_url`` (a simulated estate or LocalStack) for every client, STS included;
- adaptive retries (10 attempts), timeouts, a connection pool sized to the collection concurrency
  and ``awsassess/<version>`` in the user agent;
- clients cached per (service, region), created under a lock (safe to use from many threads);
- the read-only guard (:mod:`awsassess.guard`) on every client, including the ones boto3 makes
  internally to obtain credentials;
- for custom endpoints only: no retries of HTML 5xx pages (an unimplemented operation), see
  :func:`_no_retry_on_html_errors`;
- speed (:func:`tune_session`): timestamps parsed straight to UTC datetimes (botocore converts each
  one to the local zone through dateutil, which was 40 % of a demo collection's CPU: CloudWatch
  returns tens of thousands of them), and one loader of botocore's service models per process.

Region ``"global"`` means the us-east-1 endpoint (CloudFront, Cost Explorer, Organizations, IAM).
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import boto3
import botocore.loaders
import botocore.session
import botocore.utils
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, NoCredentialsError, PartialCredentialsError
from botocore.parsers import ResponseParserError

from awsassess import __version__
from awsassess.guard import install_guard

GLOBAL_REGION = "global"
GLOBAL_ENDPOINT_REGION = "us-east-1"
DEFAULT_CONCURRENCY = 16


class AwsSessionError(RuntimeError):
    """Credentials could not be obtained or the wrong account was reached."""


class AccountMismatchError(AwsSessionError):
    """The credentials reach another account than the params' ``account_id``."""


class EndpointNotImplemented(BotoCoreError):
    """A custom endpoint answered an API call with an HTML error page (the operation is not implemented)."""

    fmt = "{message}"


def _html_error(body: bytes | str) -> bool:
    head = (body[:300] if isinstance(body, bytes) else body[:300].encode(errors="replace")).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _no_retry_on_html_errors(response: Any = None, caught_exception: Any = None, **_: Any) -> None:
    """``needs-retry`` hook for custom endpoints (simulated estate, LocalStack).

    Such endpoints answer operations they do not implement with an HTML 5xx page; botocore would
    retry those (10 times, with back-off, ~40 s). Stop at once instead: the collector records the
    call as ``not_implemented``. Real AWS endpoints never get this hook.
    """
    if caught_exception is not None:
        text = str(caught_exception)
        if isinstance(caught_exception, ResponseParserError) and "<!doctype html" in text.lower()[:2000]:
            raise EndpointNotImplemented(message=f"the endpoint answered with an HTML error page: {text[:200]}")
        return None
    if response is not None:
        http = response[0]
        if http is not None and http.status_code >= 500 and _html_error(http.content or b""):
            raise EndpointNotImplemented(
                message=f"the endpoint answered HTTP {http.status_code} with an HTML error page")
    return None


def _is_custom_endpoint(url: str | None) -> bool:
    host = urlparse(url or "").hostname or ""
    return bool(host) and not host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws"))


def parse_timestamp_utc(value: Any) -> datetime:
    """An API timestamp (datetime, epoch seconds, ISO 8601 or RFC 822) as a timezone-aware UTC datetime.

    The same instant botocore's default parser returns, without its per-value conversion to the
    local zone; anything the fast paths do not read goes to botocore's own parser.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        parsed = botocore.utils.parse_timestamp(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@functools.cache
def shared_loader(data_path: str | None) -> Any:
    """One botocore model loader per process and ``AWS_DATA_PATH``: models are read-only data and
    each new session would otherwise parse the same large JSON files again."""
    return botocore.loaders.create_loader(data_path)


def tune_session(bc: botocore.session.Session) -> botocore.session.Session:
    """Make ``bc`` (a botocore session) parse timestamps to UTC fast and share the model loader."""
    bc.register_component("data_loader", shared_loader(bc.get_config_variable("data_path")))
    bc.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp_utc)
    return bc


def _opt(obj: Any, name: str, default: Any = None) -> Any:
    value = getattr(obj, name, default) if obj is not None else default
    return default if value is None else value


def role_session_name(name: str) -> str:
    """``awsassess-<name>``, restricted to the characters and length STS accepts."""
    clean = re.sub(r"[^\w+=,.@-]", "-", f"awsassess-{name}")
    return clean[:64]


def client_config(concurrency: int = DEFAULT_CONCURRENCY, *, max_attempts: int = 10,
                  connect_timeout: float = 10, read_timeout: float = 60) -> Config:
    """The botocore Config every awsassess client uses."""
    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max(10, int(concurrency)),
        user_agent_extra=f"awsassess/{__version__}",
    )


# Start-up checks (assume-role, GetCallerIdentity) wait at most this long for an unreachable or silent
# endpoint: 2 attempts x (connect 5 s or read 15 s) + backoff, about 35 s; the account then fails with
# one line (AwsSessionError) instead of ten 60-second retries per call. README "Exit status" says so.
STARTUP_CONNECT_TIMEOUT_S = 5.0
STARTUP_READ_TIMEOUT_S = 15.0
STARTUP_ATTEMPTS = 2


def startup_config(concurrency: int = DEFAULT_CONCURRENCY) -> Config:
    """The Config of the start-up calls: short timeouts, two attempts (see STARTUP_*)."""
    # botocore's max_attempts counts retries: one retry = STARTUP_ATTEMPTS (2) attempts in all
    return client_config(concurrency, max_attempts=STARTUP_ATTEMPTS - 1, connect_timeout=STARTUP_CONNECT_TIMEOUT_S,
                         read_timeout=STARTUP_READ_TIMEOUT_S)


def unreachable_message(what: str, endpoint: str | None, exc: BaseException) -> str:
    """One line for an endpoint that did not answer at start-up, ending in a fix."""
    where = endpoint or "the AWS endpoint"
    reason = " ".join(str(exc).split())[:300]
    return (f"{what}: {where} did not answer ({type(exc).__name__}: {reason}). Fix: check the network, proxy "
            "and auth.endpoint_url, then run again (each start-up call waits at most "
            f"{STARTUP_ATTEMPTS} x {STARTUP_READ_TIMEOUT_S:g} s).")


def endpoint_region(region: str) -> str:
    return GLOBAL_ENDPOINT_REGION if region == GLOBAL_REGION else region


@dataclass
class AccountSession:
    """A guarded boto3 session for one account, with a thread-safe client cache."""

    session: boto3.Session
    config: Config
    endpoint_url: str | None = None
    home_region: str = GLOBAL_ENDPOINT_REGION
    role_arn: str | None = None
    base_session: boto3.Session | None = field(default=None, repr=False)  # before assume-role, if any
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _identity: dict[str, Any] | None = field(default=None, repr=False)

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached, guarded client for ``service`` in ``region`` (``"global"`` = us-east-1)."""
        key = (service, region or self.home_region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                # STS is only asked at start-up (identity): short timeouts, so a dead endpoint fails fast
                config = startup_config() if service == "sts" else self.config
                kwargs: dict[str, Any] = {"region_name": endpoint_region(key[1]), "config": config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                client = install_guard(self.session.client(service, **kwargs))
                if _is_custom_endpoint(client.meta.endpoint_url):
                    client.meta.events.register_first("needs-retry", _no_retry_on_html_errors)
                self._clients[key] = client
        return client

    def frozen_base_credentials(self) -> tuple[str, str, str | None] | None:
        """(access key, secret key, token) the session starts from (before any assume-role), frozen now.

        Collector worker processes get these, so they do not resolve a profile (or prompt for MFA)
        again; each then assumes ``role_arn`` itself, with refresh.
        """
        creds = (self.base_session or self.session).get_credentials()
        if creds is None:
            return None
        frozen = creds.get_frozen_credentials()
        return frozen.access_key, frozen.secret_key, frozen.token

    def caller_identity(self) -> dict[str, Any]:
        """``sts:GetCallerIdentity`` of these credentials (cached)."""
        if self._identity is None:
            try:
                resp = self.client("sts", self.home_region).get_caller_identity()
            except (ConnectionError, BotoCoreError) as exc:
                if isinstance(exc, NoCredentialsError | PartialCredentialsError):
                    raise
                raise AwsSessionError(unreachable_message("sts:GetCallerIdentity", self.endpoint_url, exc)) from exc
            self._identity = {k: resp[k] for k in ("Account", "Arn", "UserId") if k in resp}
        return self._identity

    def check_account(self, expected: str) -> dict[str, Any]:
        """Raise :class:`AccountMismatchError` when the credentials reach another account."""
        ident = self.caller_identity()
        if str(ident.get("Account")) != str(expected):
            raise AccountMismatchError(
                f"account_id is {expected} but the credentials reach account {ident.get('Account')} "
                f"as {ident.get('Arn')}. Fix account_id in the params file, or auth.profile/auth.role_arn "
                "so they point at that account."
            )
        return ident


def _assume_role_refresher(sts: Any, role_arn: str, session_name: str,
                           external_id: str | None) -> Any:
    def fetch() -> dict[str, str]:
        kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name,
                                  "DurationSeconds": 3600}
        if external_id:
            kwargs["ExternalId"] = external_id
        try:
            creds = sts.assume_role(**kwargs)["Credentials"]
        except Exception as exc:  # noqa: BLE001 - re-raised with the fix named
            raise AwsSessionError(
                f"could not assume auth.role_arn {role_arn}: {exc}. Check the role's trust policy, "
                "auth.external_id and the base credentials (auth.profile or the default chain)."
            ) from exc
        expiry = creds["Expiration"]
        if isinstance(expiry, datetime):
            expiry = expiry.astimezone(UTC).isoformat()
        return {"access_key": creds["AccessKeyId"], "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"], "expiry_time": str(expiry)}
    return fetch


def session_for(params: Any, *, concurrency: int | None = None,
                base_credentials: tuple[str, str, str | None] | None = None) -> AccountSession:
    """Build the guarded :class:`AccountSession` for one account's params (``AccountParams``).

    ``base_credentials`` (access key, secret key, token) replace the profile / default chain as the
    starting credentials (see :meth:`AccountSession.frozen_base_credentials`).
    """
    auth = getattr(params, "auth", None)
    collect = getattr(params, "collect", None)
    regions = list(_opt(params, "regions", []) or [])
    home = regions[0] if regions else GLOBAL_ENDPOINT_REGION
    conc = int(concurrency or _opt(collect, "concurrency", DEFAULT_CONCURRENCY))
    config = client_config(conc)
    profile = _opt(auth, "profile")
    endpoint_url = _opt(auth, "endpoint_url")
    role_arn = _opt(auth, "role_arn")
    external_id = _opt(auth, "external_id")

    if base_credentials is not None:
        base_bc = botocore.session.Session()
        base_bc.set_credentials(*base_credentials)
    else:
        base_bc = botocore.session.Session(profile=profile) if profile else botocore.session.Session()
    install_guard(base_bc)
    try:
        tune_session(base_bc)  # reads the profile's config: a missing profile fails here
        base = boto3.Session(botocore_session=base_bc, region_name=home)
    except Exception as exc:  # noqa: BLE001 - e.g. ProfileNotFound
        raise AwsSessionError(f"auth.profile {profile!r}: {exc}. Fix auth.profile or ~/.aws/config.") from exc

    if not role_arn:
        return AccountSession(session=base, config=config, endpoint_url=endpoint_url, home_region=home)

    sts_kwargs: dict[str, Any] = {"region_name": endpoint_region(home), "config": startup_config(conc)}
    if endpoint_url:
        sts_kwargs["endpoint_url"] = endpoint_url
    sts = install_guard(base.client("sts", **sts_kwargs))
    fetch = _assume_role_refresher(sts, role_arn, role_session_name(str(_opt(params, "name", "account"))),
                                   external_id)
    creds = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="sts-assume-role")
    assumed_bc = botocore.session.Session()
    assumed_bc._credentials = creds  # noqa: SLF001 - the documented way to plug refreshable credentials
    install_guard(tune_session(assumed_bc))
    assumed = boto3.Session(botocore_session=assumed_bc, region_name=home)
    return AccountSession(session=assumed, config=config, endpoint_url=endpoint_url, home_region=home,
                          role_arn=role_arn, base_session=base)
