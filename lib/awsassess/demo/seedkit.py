"""Shared plumbing for the seeders: boto3 clients per account, the time anchor, created ids.

Seeders talk to the simulated estate through the real AWS APIs (boto3 over HTTP) and pick the
account with moto's ``x-moto-account-id`` request header. Whatever one phase creates (VPC ids,
target group ARNs, ...) is kept in :class:`AccountState` for the phases after it.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

from awsassess.demo.estate import APP, AccountSpec, ServiceSpec

REGION = "us-east-1"
SEED_CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, max_pool_connections=32,
                 connect_timeout=10, read_timeout=120, parameter_validation=False)


def copilot_tags(env: str, svc: str | None = None) -> dict[str, str]:
    tags = {"copilot-application": APP, "copilot-environment": env}
    if svc:
        tags["copilot-service"] = svc
    return tags


def tag_list(tags: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in tags.items()]


def stable_hex(*parts: object, n: int = 12) -> str:
    """Deterministic hex string derived from ``parts`` (image digests, fake secrets, ...)."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:n]


def stable_rng(*parts: object) -> random.Random:
    return random.Random(int(stable_hex(*parts, n=16), 16))


def time_anchor(now: datetime | None = None) -> datetime:
    """"Now" for the estate: the current UTC hour, so series end at a period boundary."""
    now = now or datetime.now(UTC)
    return now.replace(minute=0, second=0, microsecond=0)


@dataclass
class VpcIds:
    vpc_id: str
    cidr: str
    public_subnets: list[str]
    private_subnets: list[str]
    igw_id: str
    public_rt: str
    private_rts: list[str]
    nat_ids: list[str]
    eip_allocs: list[str]
    sg_service: str
    sg_lb: str


@dataclass
class LbIds:
    lb_arn: str
    lb_name: str
    dns_name: str
    tg_arn: str
    tg_name: str
    listener_arn: str

    @property
    def lb_dimension(self) -> str:
        """CloudWatch LoadBalancer dimension: app/<name>/<id>."""
        return self.lb_arn.split(":loadbalancer/", 1)[1]

    @property
    def tg_dimension(self) -> str:
        """CloudWatch TargetGroup dimension: targetgroup/<name>/<id>."""
        return "targetgroup/" + self.tg_arn.split(":targetgroup/", 1)[1]


@dataclass
class AccountState:
    spec: AccountSpec
    vpcs: dict[str, VpcIds] = field(default_factory=dict)
    lbs: dict[str, LbIds] = field(default_factory=dict)
    cluster_arn: str = ""
    services: dict[str, str] = field(default_factory=dict)  # svc -> service ARN
    task_definitions: dict[str, str] = field(default_factory=dict)  # svc -> task definition ARN
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def env(self) -> str:
        return self.spec.environment

    @property
    def account_id(self) -> str:
        return self.spec.account_id

    @property
    def cluster_name(self) -> str:
        return f"{APP}-{self.env}"

    def svc(self, name: str) -> ServiceSpec:
        return next(s for s in self.spec.services if s.name == name)


class Seeder:
    """boto3 clients against the estate endpoint, one per (service, account, region)."""

    def __init__(self, endpoint_url: str, now: datetime | None = None) -> None:
        self.endpoint_url = endpoint_url
        self.now = time_anchor(now)
        self._session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                              region_name=REGION)
        self._clients: dict[tuple[str, str, str], Any] = {}

    def client(self, service: str, account_id: str, region: str = REGION) -> Any:
        key = (service, account_id, region)
        if key not in self._clients:
            c = self._session.client(service, endpoint_url=self.endpoint_url, region_name=region, config=SEED_CLIENT_CONFIG)

            def _add_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account_id

            c.meta.events.register("before-send.*.*", _add_account)
            self._clients[key] = c
        return self._clients[key]

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)


def short_env(env: str) -> str:
    """Short environment label for names with AWS length limits (ALB/TG names: 32 chars)."""
    return {"production": "prod", "staging": "stg"}.get(env, env[:4])
