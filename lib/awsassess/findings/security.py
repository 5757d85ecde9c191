"""Security rules (the Well-Architected Security pillar), domain ``security``:

- secrets: plaintext secrets in task definitions and build projects (names only, values never);
- data protection: storage encryption of databases and caches (at rest, in transit), deletion protection;
- exposure: publicly accessible databases, data stores in public subnets, security groups open to the internet,
  HTTP listeners without a redirect, old TLS policies, CloudFront over HTTP or below a TLS floor;
- workload hardening: privileged containers, containers running as root, writable root filesystems, containers
  without a log configuration.

A setting that was not collected (a snapshot of an older schema, a field an API did not return) is never read as
"off": such rules only conclude from cells they saw (:func:`awsassess.findings.base.flag`).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from awsassess.findings.base import Finding, flag, is_production, json_list, num, rule, spec, text, truthy
from awsassess.findings.saving import not_cost
from awsassess.findings.thresholds import CLOUDFRONT_PROTOCOLS, FindingsAssumptions
from awsassess.snapshot import Snapshot

# A name that says "secret" is reported as such; a name that says "location or label" is not, even if the
# collector flagged its value (registry URIs and ARNs look high-entropy); anything else is reported as
# "flagged by its value".
SECRET_NAME = re.compile(r"pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|"
                         r"access[_-]?key|credential|auth|signing[_-]?key|dsn|conn(ection)?[_-]?str", re.I)
EMBEDDED_NAME = re.compile(r"\(credentials in the value\)$")  # as the compute collector labels them
LOCATION_NAME = re.compile(r"(repository|repo|registry|region|url|uri|host|hostname|endpoint|bucket|name|"
                           r"_id|arn|port|env|environment|level|version|path|domain|account)$", re.I)


def classify_names(names: Any) -> tuple[list[str], list[str]]:
    """(names that look secret, names flagged only by their value), dropping location/label names.

    A variable whose value holds credentials (``DATABASE_URL=postgres://app:secret@db``) counts as named:
    the secret is certain, whatever the variable is called; so does a secret command-line argument."""
    named, by_value = [], []
    for n in sorted({text(x) for x in json_list(names)} - {""}):
        if SECRET_NAME.search(n) or EMBEDDED_NAME.search(n) or n.startswith(("command ", "entryPoint ")):
            named.append(n)
        elif not LOCATION_NAME.search(n):
            by_value.append(n)
    return named, by_value


@rule("SEC-001", title="Plaintext secrets in task definitions", domain="security", severity="high", effort="low",
      rationale=("Environment variables of a task definition are readable by anyone with ecs:Describe* and "
                 "appear in every revision; secrets belong in Secrets Manager or SSM Parameter Store, "
                 "referenced through `secrets`. Values are masked in the snapshot as they arrive (****; a URL keeps "
                 "its scheme and host, a command its flag); only where they are is reported."),
      thresholds=("production_environments",), tables=("task_definitions",),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC02-BP03")
def task_definition_secrets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r in snapshot.table("task_definitions").itertuples():
        named, by_value = classify_names(r.plaintext_secret_names)
        names = named + by_value
        if not names:
            continue
        out.append(spec("SEC-001").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.task_definition_arn)],
            severity=("high" if prod else "medium") if named else "low",
            title=f"Task definition {text(r.family)}:{text(r.revision)}: {len(names)} secret-looking plain variable(s)",
            evidence={"variable_names": names, "flagged_by_value_only": by_value,
                      "values": "masked in the snapshot and raw pages (****), not kept in clear",
                      "secret_refs_in_use": int(r.secret_ref_count or 0) if str(r.secret_ref_count).isdigit() else None},
            recommendation=("Move the values to Secrets Manager/SSM, reference them under containerDefinitions[].secrets, "
                            "rotate them (they are exposed in every old revision) and deregister old revisions."),
        ))
    return out


@rule("SEC-002", title="Plaintext secrets in CodeBuild projects", domain="security", severity="high", effort="low",
      rationale=("PLAINTEXT environment variables of a build project are visible to anyone who can read the "
                 "project; use PARAMETER_STORE or SECRETS_MANAGER types. Values are masked in the snapshot (****)."),
      tables=("build_projects",),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC02-BP03")
def build_project_secrets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for r in snapshot.table("build_projects").itertuples():
        named, by_value = classify_names(r.plaintext_secret_names)
        names = named + by_value
        if not names:
            continue
        out.append(spec("SEC-002").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.name)], severity="high" if named else "low",
            title=f"Build project {text(r.name)}: {len(names)} secret-looking PLAINTEXT variable(s)",
            evidence={"variable_names": names, "flagged_by_value_only": by_value,
                      "values": "masked in the snapshot and raw pages (****), not kept in clear"},
            recommendation="Change the variables to type SECRETS_MANAGER or PARAMETER_STORE and rotate the values.",
        ))
    return out


@rule("SEC-003", title="Publicly accessible database", domain="security", severity="high", effort="low",
      rationale=("A publicly accessible RDS/DocumentDB instance gets a public DNS name and IP; one security-group "
                 "mistake exposes it to the internet."),
      tables=("db_instances",),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC05-BP01")
def public_databases(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    d = snapshot.table("db_instances")
    d = d[d["publicly_accessible"].map(truthy)]
    return [spec("SEC-003").finding(
        snapshot, region=text(r.region), resource_ids=[text(r.db_instance_id)],
        title=f"{text(r.db_instance_id)} ({text(r.engine)}) is publicly accessible",
        evidence={"engine": text(r.engine), "publicly_accessible": True},
        recommendation="Modify the instance to PubliclyAccessible=false; reach it through a bastion, SSM or VPN.",
    ) for r in d.itertuples()]


# =========================================================================================== data protection
REDIS_ENGINES = ("redis", "valkey")


def _live(df: pd.DataFrame) -> pd.DataFrame:
    return df[~df["status"].map(text).isin(["deleting", "deleted"])] if len(df) else df


def _databases(snapshot: Snapshot, *, with_replicas: bool = True) -> list[tuple[Any, str, str]]:
    """(row, id, kind) of the standalone RDS/DocumentDB instances and of the clusters (cluster members are judged
    with their cluster: encryption, backups and deletion protection are the cluster's); ``with_replicas=False``
    leaves read replicas out (deleting one loses no data)."""
    inst = _live(snapshot.table("db_instances"))
    inst = inst[inst["cluster_id"].map(text) == ""] if len(inst) else inst
    if not with_replicas and len(inst):
        inst = inst[inst["read_replica_source"].map(text) == ""]
    return ([(r, text(r.db_instance_id), "instance") for r in inst.itertuples()]
            + [(r, text(r.cluster_id), "cluster") for r in _live(snapshot.table("db_clusters")).itertuples()])


def _caches(snapshot: Snapshot) -> list[tuple[Any, str, str]]:
    """(row, id, kind) of the replication groups and of the standalone cache clusters (members are judged with
    their replication group)."""
    groups = snapshot.table("replication_groups")
    known = {text(i) for i in groups["id"]} if len(groups) else set()
    nodes = snapshot.table("cache_clusters")
    return ([(r, text(r.id), "replication group") for r in groups.itertuples()]
            + [(r, text(r.id), "cache cluster") for r in nodes.itertuples()
               if not text(r.replication_group_id) and text(r.id) not in known])


@rule("SEC-004", title="Database storage not encrypted", domain="security", severity="high", effort="high",
      rationale=("An unencrypted RDS, Aurora or DocumentDB volume leaves the data, its automated backups, snapshots "
                 "and replicas readable by whoever gets hold of a copy (a shared snapshot, a restored backup). "
                 "Encryption at rest with KMS costs nothing extra but can only be set at creation: the fix is a "
                 "copy (encrypted snapshot, restore, cut-over)."),
      thresholds=("production_environments",), tables=("db_instances", "db_clusters"),
      saving=not_cost("Security. Encryption at rest has no charge (KMS key requests aside)."),
      pillar="security", best_practice="SEC08-BP02")
def unencrypted_databases(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r, rid, kind in _databases(snapshot):
        if flag(r.storage_encrypted) is not False:
            continue
        cluster = kind == "cluster"
        out.append(spec("SEC-004").finding(
            snapshot, region=text(r.region), resource_ids=[rid], severity="high" if prod else "medium",
            title=f"{rid} ({text(r.engine)}): storage not encrypted",
            evidence={"engine": text(r.engine), "kind": kind, "storage_encrypted": False,
                      "environment": snapshot.environment},
            recommendation=("Take a snapshot, copy it with a KMS key (encrypted copy), restore the "
                            + ("cluster and its instances" if cluster else "instance") + " from the copy and cut "
                            "the application over (or use a blue/green deployment / replication to shorten the "
                            "cut-over); then delete the unencrypted snapshots."),
        ))
    return out


@rule("SEC-005", title="ElastiCache without encryption at rest", domain="security", severity="medium",
      effort="high",
      rationale=("Redis/Valkey data on disk (snapshots, swap, backups in S3) stays readable without encryption at "
                 "rest. It can only be chosen when a cache is created: the fix is a new encrypted group seeded from "
                 "a backup. Memcached has no at-rest encryption and is not judged."),
      thresholds=("production_environments",), tables=("replication_groups", "cache_clusters"),
      saving=not_cost("Security. Encryption at rest has no charge."),
      pillar="security", best_practice="SEC08-BP02")
def cache_at_rest(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r, rid, kind in _caches(snapshot):
        if text(r.engine).lower() not in REDIS_ENGINES and kind == "cache cluster":
            continue
        if flag(r.at_rest_encryption) is not False:
            continue
        out.append(spec("SEC-005").finding(
            snapshot, region=text(r.region), resource_ids=[rid], severity="medium" if prod else "low",
            title=f"{rid} ({text(r.engine) or 'redis'}): no encryption at rest",
            evidence={"engine": text(r.engine), "kind": kind, "at_rest_encryption": False,
                      "environment": snapshot.environment},
            recommendation=("Create a new replication group with at-rest (and in-transit) encryption from a backup "
                            "of this one, switch the clients to its endpoint and delete the old group."),
        ))
    return out


@rule("SEC-006", title="ElastiCache without encryption in transit", domain="security", severity="medium",
      effort="medium",
      rationale=("Without TLS every command, key and value (session tokens, cached personal data) crosses the VPC "
                 "in clear, and AUTH tokens cannot be used. Redis OSS 7+ and Valkey turn it on online "
                 "(TransitEncryptionMode preferred, then required) once the clients connect with TLS."),
      thresholds=("production_environments",), tables=("replication_groups", "cache_clusters"),
      saving=not_cost("Security. Encryption in transit has no charge."),
      pillar="security", best_practice="SEC09-BP02")
def cache_in_transit(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    out = []
    for r, rid, kind in _caches(snapshot):
        if flag(r.transit_encryption) is not False:
            continue
        memcached = text(r.engine).lower() == "memcached"
        out.append(spec("SEC-006").finding(
            snapshot, region=text(r.region), resource_ids=[rid], severity="medium" if prod else "low",
            title=f"{rid} ({text(r.engine) or 'redis'}): no encryption in transit",
            evidence={"engine": text(r.engine), "kind": kind, "transit_encryption": False,
                      "environment": snapshot.environment},
            recommendation=("Memcached supports TLS from 1.6.12 on a new cluster: create one with in-transit "
                            "encryption and move the clients." if memcached else
                            "Update the clients to connect with TLS, then modify the group to TransitEncryptionMode "
                            "preferred and, once every client uses TLS, required (Redis OSS 7+ / Valkey; older "
                            "engines need a new group)."),
        ))
    return out


@rule("SEC-007", title="Deletion protection off in production", domain="security", severity="medium", effort="low",
      rationale=("Without deletion protection one API call (a mistaken script, a stack deletion or replacement, a "
                 "compromised role) deletes a production database or DynamoDB table; with it the delete is "
                 "refused until someone turns the protection off on purpose."),
      thresholds=("production_environments",), tables=("db_instances", "db_clusters", "dynamodb_tables"),
      saving=not_cost("Security. Deletion protection has no charge."),
      pillar="security", best_practice="SEC08-BP04")
def deletion_protection(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    if not is_production(snapshot, a):
        return []
    items = [(r, rid, kind, text(r.engine)) for r, rid, kind in _databases(snapshot, with_replicas=False)]
    items += [(r, text(r.table_name), "DynamoDB table", "dynamodb")
              for r in snapshot.table("dynamodb_tables").itertuples()]
    out = []
    for r, rid, kind, engine in items:
        if flag(r.deletion_protection) is not False:
            continue
        out.append(spec("SEC-007").finding(
            snapshot, region=text(r.region), resource_ids=[rid],
            title=f"{rid} ({engine}): deletion protection off in production",
            evidence={"engine": engine, "kind": kind, "deletion_protection": False,
                      "environment": snapshot.environment},
            recommendation=("Turn deletion protection on (" + ("UpdateTable DeletionProtectionEnabled"
                                                               if kind == "DynamoDB table" else
                                                               f"modify the {kind}, DeletionProtection")
                            + "; online) and in the template that owns it, so a stack update cannot drop it."),
        ))
    return out


# ================================================================================================== exposure
def _tls_version(policy: str) -> str | None:
    """The oldest TLS version an ELB security policy accepts ("1.0" .. "1.3"), None for a name not known."""
    if policy in LEGACY_TLS10_POLICIES or policy.startswith("ELBSample-"):
        return "1.0"
    m = TLS_POLICY.search(policy)
    return f"1.{m.group(1)}" if m else None


#: ELB security policies named without their TLS floor: all accept TLS 1.0 (the API's default is 2016-08)
LEGACY_TLS10_POLICIES = frozenset({"ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-2015-03",
                                   "ELBSecurityPolicy-2015-02", "ELBSecurityPolicy-2014-10", "ELBSecurityPolicy-2014-01",
                                   "ELBSecurityPolicy-2011-08", "ELBSecurityPolicy-FS-2018-06"})
TLS_POLICY = re.compile(r"ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-([0-3])\b")


def _load_balancers(snapshot: Snapshot) -> dict[str, Any]:
    return {text(r.arn): r for r in snapshot.table("load_balancers").itertuples()}


@rule("SEC-008", title="HTTP listener without a redirect to HTTPS", domain="security", severity="high",
      effort="low",
      rationale=("A load-balancer listener that forwards plain HTTP serves the application (log-in forms, tokens, "
                 "cookies) unencrypted; the HTTP listener should only redirect to HTTPS. A listener whose only "
                 "answer is a fixed response serves nothing and is not reported."),
      thresholds=("production_environments",), tables=("listeners", "load_balancers"),
      saving=not_cost("Security. An HTTPS listener and an ACM certificate have no extra charge."),
      pillar="security", best_practice="SEC09-BP02")
def http_listeners(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    lbs = _load_balancers(snapshot)
    listeners = snapshot.table("listeners")
    https = {text(r.load_balancer_arn) for r in listeners.itertuples() if text(r.protocol).upper() == "HTTPS"}
    out = []
    for r in listeners.itertuples():
        action = text(r.default_action)
        if text(r.protocol).upper() != "HTTP" or not action or action == "redirect-https":
            continue
        if action == "fixed-response" and num(r.rule_count, 0) == 0:
            continue
        lb = lbs.get(text(r.load_balancer_arn))
        public = lb is not None and text(lb.scheme) == "internet-facing"
        has_https = text(r.load_balancer_arn) in https
        out.append(spec("SEC-008").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.listener_arn)],
            severity=("high" if prod else "medium") if public else "low",
            title=f"{text(lb.name) if lb is not None else 'load balancer'}: HTTP:{_port(r.port)} "
                  f"{HTTP_DOES.get(action, f'serves plain HTTP ({action})')}"
                  + ("" if has_https else " (no HTTPS listener)"),
            evidence={"load_balancer": text(lb.name) if lb is not None else text(r.load_balancer_arn),
                      "scheme": text(lb.scheme) if lb is not None else "", "port": _port(r.port),
                      "default_action": action, "rules": num(r.rule_count), "has_https_listener": has_https,
                      "environment": snapshot.environment},
            recommendation=("Change the HTTP listener's default action to a redirect to HTTPS:443 (HTTP_301)"
                            + ("." if has_https else ", after adding an HTTPS listener with an ACM certificate "
                               "and a TLS 1.2+ policy (ELBSecurityPolicy-TLS13-1-2-2021-06).")),
        ))
    return out


HTTP_DOES = {"forward": "forwards plain HTTP", "redirect": "redirects, but not to HTTPS",
             "fixed-response": "serves plain HTTP through its rules"}


def _port(value: Any) -> int | None:
    port = num(value)
    return None if port is None else int(port)


@rule("SEC-009", title="Listener TLS policy accepts TLS older than 1.2", domain="security", severity="medium",
      effort="low",
      rationale=("TLS 1.0 and 1.1 are deprecated (RFC 8996) and fail PCI DSS; the API's default policy "
                 "(ELBSecurityPolicy-2016-08) still accepts them. A TLS 1.2+ policy only turns away clients older "
                 "than about 2014."),
      thresholds=("elb_min_tls_version", "production_environments"), tables=("listeners", "load_balancers"),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC09-BP02")
def old_tls_policies(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    lbs = _load_balancers(snapshot)
    out = []
    for r in snapshot.table("listeners").itertuples():
        policy = text(r.ssl_policy)
        version = _tls_version(policy) if policy else None
        if text(r.protocol).upper() not in ("HTTPS", "TLS") or version is None or version >= a.elb_min_tls_version:
            continue
        lb = lbs.get(text(r.load_balancer_arn))
        public = lb is not None and text(lb.scheme) == "internet-facing"
        out.append(spec("SEC-009").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.listener_arn)],
            severity="medium" if prod and public else "low",
            title=f"{text(lb.name) if lb is not None else 'load balancer'}: {text(r.protocol)}:{_port(r.port)} "
                  f"accepts TLS {version} ({policy})",
            evidence={"load_balancer": text(lb.name) if lb is not None else text(r.load_balancer_arn),
                      "scheme": text(lb.scheme) if lb is not None else "", "ssl_policy": policy,
                      "oldest_tls_accepted": version, "required": a.elb_min_tls_version,
                      "environment": snapshot.environment},
            recommendation=("Switch the listener to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3; "
                            "ModifyListener, no downtime)."),
        ))
    return out


@rule("SEC-010", title="CloudFront serves viewers over plain HTTP", domain="security", severity="medium",
      effort="low",
      rationale=("A cache behaviour with viewer protocol policy allow-all answers http:// requests without "
                 "redirecting them: pages, cookies and tokens cross the internet in clear."),
      thresholds=("production_environments",), tables=("cache_behaviors", "distributions"),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC09-BP02")
def cloudfront_http(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    enabled = {text(r.distribution_id): truthy(r.enabled) for r in snapshot.table("distributions").itertuples()}
    paths: dict[str, list[str]] = {}
    for r in snapshot.table("cache_behaviors").itertuples():
        if text(r.viewer_protocol_policy) == "allow-all" and enabled.get(text(r.distribution_id), True):
            paths.setdefault(text(r.distribution_id), []).append(text(r.path_pattern))
    return [spec("SEC-010").finding(
        snapshot, region="global", resource_ids=[dist], severity="medium" if prod else "low",
        title=f"CloudFront {dist}: {len(ps)} behaviour(s) serve plain HTTP (allow-all)",
        evidence={"distribution_id": dist, "behaviours": ps, "viewer_protocol_policy": "allow-all",
                  "environment": snapshot.environment},
        recommendation="Set the behaviours' viewer protocol policy to redirect-to-https (or https-only for APIs).",
    ) for dist, ps in sorted(paths.items())]


@rule("SEC-011", title="CloudFront minimum TLS version below the threshold", domain="security", severity="medium",
      effort="low",
      rationale=("The security policy sets the oldest TLS version and ciphers viewers may use; anything before "
                 "TLSv1.2_2021 accepts TLS 1.0/1.1 or weak ciphers. A distribution on the default *.cloudfront.net "
                 "certificate is always at TLSv1: it needs its own domain and certificate to raise it."),
      thresholds=("cloudfront_min_protocol_version",), tables=("distributions",),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC09-BP02")
def cloudfront_tls(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    floor = CLOUDFRONT_PROTOCOLS.index(a.cloudfront_min_protocol_version)
    out = []
    for r in snapshot.table("distributions").itertuples():
        version = text(r.minimum_protocol_version)
        if version not in CLOUDFRONT_PROTOCOLS or CLOUDFRONT_PROTOCOLS.index(version) >= floor \
                or not truthy(r.enabled):
            continue
        default = flag(r.default_certificate) is True
        out.append(spec("SEC-011").finding(
            snapshot, region="global", resource_ids=[text(r.distribution_id)], severity="low" if default else "medium",
            title=f"CloudFront {text(r.distribution_id)}: minimum viewer protocol {version}"
                  + (" (default *.cloudfront.net certificate)" if default else ""),
            evidence={"distribution_id": text(r.distribution_id), "minimum_protocol_version": version,
                      "required": a.cloudfront_min_protocol_version, "default_certificate": default,
                      "aliases": [text(x) for x in json_list(r.aliases)]},
            recommendation=(f"Serve the distribution on its own domain with an ACM certificate (us-east-1), then set "
                            f"the minimum protocol to {a.cloudfront_min_protocol_version}." if default else
                            f"Set the viewer certificate's minimum protocol version to "
                            f"{a.cloudfront_min_protocol_version} (no downtime; clients older than TLS 1.2 lose "
                            "access)."),
        ))
    return out


#: ports whose exposure to the internet is an incident waiting to happen (remote access, databases, caches,
#: search and cluster admin APIs)
SENSITIVE_PORTS = {22: "SSH", 23: "Telnet", 3389: "RDP", 5900: "VNC", 3306: "MySQL", 5432: "PostgreSQL",
                   1433: "SQL Server", 1521: "Oracle", 27017: "MongoDB/DocumentDB", 6379: "Redis", 11211: "Memcached",
                   9200: "Elasticsearch", 5601: "Kibana", 2379: "etcd", 445: "SMB", 21: "FTP", 2375: "Docker API"}
OPEN_TO_ALL = ("0.0.0.0/0", "::/0")


def _open_ranges(rules: Any, allowed: set[int]) -> list[dict[str, Any]]:
    """The ingress permissions of a group open to 0.0.0.0/0 or ::/0 on a port outside ``allowed`` (all traffic
    counts; ICMP has no ports and is left out), each with the sensitive ports it opens."""
    out = []
    for p in json_list(rules):
        if not isinstance(p, dict) or p.get("direction") != "ingress":
            continue
        sources = sorted({*(p.get("cidrs") or []), *(p.get("ipv6") or [])} & set(OPEN_TO_ALL))
        protocol = text(p.get("protocol")).lower()
        if not sources or protocol in ("icmp", "icmpv6", "1", "58"):
            continue
        every = protocol in ("-1", "all")
        low = 0 if every else int(num(p.get("from_port"), 0) or 0)
        high = 65535 if every else int(num(p.get("to_port"), low) or low)
        if low < 0 or high < 0:  # -1: every port of the protocol
            low, high = 0, 65535
        if high < low or (high - low < len(allowed) and all(port in allowed for port in range(low, high + 1))):
            continue  # only allowed ports
        sensitive = sorted(f"{port} ({name})" for port, name in SENSITIVE_PORTS.items() if low <= port <= high)
        out.append({"protocol": "all" if every else protocol, "ports": f"{low}" if low == high else f"{low}-{high}",
                    "sources": sources, "sensitive_ports": sensitive, "all_ports": high - low >= 65535})
    return out


def _group_users(snapshot: Snapshot) -> dict[str, list[str]]:
    """security group id -> what uses it, as far as the snapshot tells (services, databases, caches)."""
    users: dict[str, list[str]] = {}
    for table, key, label in (("ecs_services", "service_name", "service"), ("db_instances", "db_instance_id", "database"),
                              ("db_clusters", "cluster_id", "cluster"), ("cache_clusters", "id", "cache")):
        for r in snapshot.table(table).itertuples():
            for g in json_list(getattr(r, "security_groups", None)):
                users.setdefault(text(g), []).append(f"{label} {text(getattr(r, key))}")
    return users


@rule("SEC-012", title="Security group open to the internet on non-web ports", domain="security", severity="medium",
      effort="low",
      rationale=("An ingress rule from 0.0.0.0/0 or ::/0 on anything but the web ports lets the whole internet "
                 "reach SSH/RDP, databases, caches or admin APIs of whatever the group is attached to; scanners find "
                 "such ports within minutes. Reach instances through SSM Session Manager and services through a "
                 "load balancer instead."),
      thresholds=("internet_open_ports_allowed",),
      tables=("security_groups", "ecs_services", "db_instances", "db_clusters", "cache_clusters"),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC05-BP02")
def open_security_groups(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    allowed = set(a.internet_open_ports_allowed)
    users = _group_users(snapshot)
    out = []
    for r in snapshot.table("security_groups").itertuples():
        ranges = _open_ranges(r.rules, allowed)
        if not ranges:
            continue
        sensitive = sorted({p for x in ranges for p in x["sensitive_ports"]})
        everything = any(x["all_ports"] for x in ranges)
        shown = ", ".join(f"{x['protocol']} {x['ports']}" for x in ranges[:4]) + (" ..." if len(ranges) > 4 else "")
        out.append(spec("SEC-012").finding(
            snapshot, region=text(r.region), resource_ids=[text(r.group_id)],
            severity="high" if sensitive or everything else "medium",
            title=f"Security group {text(r.name) or text(r.group_id)}: {shown} open to the internet",
            evidence={"group_id": text(r.group_id), "name": text(r.name), "vpc_id": text(r.vpc_id),
                      "open_rules": ranges, "sensitive_ports": sensitive, "used_by": users.get(text(r.group_id), []),
                      "allowed_ports": sorted(allowed)},
            recommendation=("Remove the 0.0.0.0/0 and ::/0 sources from these rules: allow the load balancer's or the "
                            "calling service's security group, or a known CIDR (office, VPN); use SSM Session Manager "
                            "instead of open SSH/RDP."),
        ))
    return out


@rule("SEC-013", title="Data store in a public subnet", domain="security", severity="medium", effort="medium",
      rationale=("A database or cache whose subnet group includes subnets routed to an internet gateway is one "
                 "setting (PubliclyAccessible, a public IP) or one security-group rule away from the internet; data "
                 "stores belong in private subnets with no route to an internet gateway."),
      tables=("db_instances", "db_clusters", "cache_clusters", "subnets"),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC05-BP01")
def data_stores_in_public_subnets(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    public = {text(r.subnet_id): truthy(r.public) for r in snapshot.table("subnets").itertuples()}
    items: list[tuple[Any, str, str, str, bool]] = []
    for r, rid, kind in _databases(snapshot):
        exposed = kind == "instance" and truthy(r.publicly_accessible)
        items.append((r, rid, kind, text(r.engine), exposed))
    seen: set[str] = set()
    for r in snapshot.table("cache_clusters").itertuples():
        rid = text(r.replication_group_id) or text(r.id)
        if rid not in seen:
            seen.add(rid)
            items.append((r, rid, "replication group" if text(r.replication_group_id) else "cache cluster",
                          text(r.engine), False))
    out = []
    for r, rid, kind, engine, exposed in items:
        subnets = [text(s) for s in json_list(r.subnet_ids) if text(s)]
        in_public = sorted(s for s in subnets if public.get(s))
        if not in_public:
            continue
        out.append(spec("SEC-013").finding(
            snapshot, region=text(r.region), resource_ids=[rid], severity="high" if exposed else "medium",
            title=f"{rid} ({engine}): {len(in_public)} of its {len(subnets)} subnets are public"
                  + (" and it is publicly accessible" if exposed else ""),
            evidence={"engine": engine, "kind": kind, "public_subnets": in_public, "subnets": subnets,
                      "publicly_accessible": exposed, "vpc_id": text(r.vpc_id)},
            recommendation=("Move it to a subnet group of private subnets only (no route to an internet gateway): "
                            "create the group and modify the " + kind + " to use it (RDS moves the instance during "
                            "the change; plan a maintenance window), then remove the public subnets."),
        ))
    return out


# ======================================================================================== workload hardening
def _task_definitions_in_use(snapshot: Snapshot) -> pd.DataFrame:
    """Task definitions of the services (all collected ones when no service names one of them)."""
    td = snapshot.table("task_definitions")
    services = snapshot.table("ecs_services")
    used = {text(x) for x in services["task_definition"]} - {""} if len(services) else set()
    if not used or not len(td):
        return td
    mine = td[td["task_definition_arn"].map(text).isin(used)]
    return mine if len(mine) else td


def _containers(row: Any) -> list[dict[str, Any]]:
    return [c for c in json_list(row.containers) if isinstance(c, dict)]


ROOT_USERS = ("root", "0")
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}


def _runs_as_root(user: str) -> bool:
    return user.split(":", 1)[0].strip().lower() in ROOT_USERS


def _hardening_rule(rule_id: str, snapshot: Snapshot, check: Any, *, severity: Any, what: str,
                    recommendation: str) -> list[Finding]:
    """One finding per region listing the task definitions in use whose containers ``check`` picks:
    ``check(container)`` says what to report about one (None: nothing); ``severity(hits)`` grades one task
    definition's hits (the finding takes the highest). A setting repeated in every service's definition is one
    line of the report, not one per service; the evidence keeps each task definition's containers."""
    by_region: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    for r in _task_definitions_in_use(snapshot).itertuples():
        hits = {text(c.get("name")): found for c in _containers(r) if (found := check(c)) is not None}
        if hits:
            by_region.setdefault(text(r.region), []).append((r, hits))
    out = []
    for region, items in sorted(by_region.items()):
        grades = [severity(hits) for _, hits in items]
        families = sorted(f"{text(r.family)}:{_port(r.revision)}" for r, _ in items)
        containers = sum(len(hits) for _, hits in items)
        shown = ", ".join(text(r.family) for r, _ in sorted(items, key=lambda x: text(x[0].family))[:5])
        out.append(spec(rule_id).finding(
            snapshot, region=region, resource_ids=sorted(text(r.task_definition_arn) for r, _ in items),
            severity=max(grades, key=lambda g: SEVERITY_RANK[g]),
            title=f"{containers} container(s) in {len(items)} task definition(s) {what} ({shown}"
                  + (", ..." if len(items) > 5 else "") + ")",
            evidence={"task_definitions": {f"{text(r.family)}:{_port(r.revision)}": hits for r, hits in items},
                      "task_definition_count": len(families), "container_count": containers,
                      "environment": snapshot.environment},
            recommendation=recommendation,
        ))
    return out


@rule("SEC-014", title="Privileged container", domain="security", severity="high", effort="low",
      rationale=("A privileged container runs with every Linux capability and the host's devices: a compromise of "
                 "the application is a compromise of the container instance and of every task on it. Fargate "
                 "refuses it; on EC2 it is almost never needed."),
      tables=("task_definitions", "ecs_services"),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC06-BP02")
def privileged_containers(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    return _hardening_rule(
        "SEC-014", snapshot, lambda c: "privileged: true" if c.get("privileged") is True else None,
        severity=lambda hits: "high", what="run privileged",
        recommendation=("Remove privileged: true; grant only the Linux capabilities the container needs "
                        "(linuxParameters.capabilities.add) if any."))


@rule("SEC-015", title="Container running as root", domain="security", severity="medium", effort="medium",
      rationale=("A process running as root inside the container owns the container's filesystem and is one "
                 "kernel or runtime flaw away from root on the host. A container definition without `user` runs as "
                 "the image's USER, which is root unless the Dockerfile sets another (reported at low severity: the "
                 "image may set one)."),
      thresholds=("production_environments",), tables=("task_definitions", "ecs_services"),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC06-BP02")
def root_containers(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)

    def check(c: dict[str, Any]) -> str | None:
        if "user" not in c:  # not collected (a snapshot before schema 4)
            return None
        user = text(c.get("user"))
        if not user:
            return "user not set (the image's USER: root unless the image sets one)"
        return f"user {user} (root)" if _runs_as_root(user) else None

    def severity(hits: dict[str, str]) -> str:
        explicit = any(h.endswith("(root)") for h in hits.values())
        return ("medium" if prod else "low") if explicit else "low"

    return _hardening_rule(
        "SEC-015", snapshot, check, severity=severity, what="run as root or as the image's user",
        recommendation=("Set a non-root user in the image (USER 10001 in the Dockerfile) and in the container "
                        "definition's user field; give it ownership of only the paths it writes."))


@rule("SEC-016", title="Container with a writable root filesystem", domain="security", severity="low",
      effort="medium",
      rationale=("A writable root filesystem lets an attacker who gets code execution modify binaries and drop "
                 "tools inside the container. readonlyRootFilesystem with a volume (or a tmpfs on EC2) for the "
                 "paths the application writes (tmp, caches) removes that foothold."),
      tables=("task_definitions", "ecs_services"),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC06-BP02")
def writable_root(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    def check(c: dict[str, Any]) -> str | None:
        if "readonly_root_filesystem" not in c or c.get("readonly_root_filesystem") is True:
            return None  # not collected, or read-only
        return "readonlyRootFilesystem " + ("false" if c.get("readonly_root_filesystem") is False else "not set")

    return _hardening_rule(
        "SEC-016", snapshot, check, severity=lambda hits: "low", what="have a writable root filesystem",
        recommendation=("Set readonlyRootFilesystem: true and mount a volume (or, on EC2, a tmpfs) for the paths the "
                        "application writes; test in staging first."))


@rule("SEC-017", title="Container without a log configuration", domain="security", severity="medium",
      effort="low",
      rationale=("Without a logConfiguration the container's output is not kept anywhere ECS can read after the task "
                 "stops: no trail for an incident, a failed deployment or an audit."),
      thresholds=("production_environments",), tables=("task_definitions", "ecs_services"),
      saving=not_cost("Security. CloudWatch Logs ingestion and storage are billed per GB."),
      pillar="security", best_practice="SEC04-BP01")
def no_log_configuration(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    return _hardening_rule(
        "SEC-017", snapshot,
        lambda c: "no logConfiguration" if "log_driver" in c and not text(c.get("log_driver")) else None,
        severity=lambda hits: "medium" if prod else "low", what="keep no logs",
        recommendation=("Add a logConfiguration (awslogs to a CloudWatch log group with a retention period, or "
                        "FireLens) to every container."))


def _snapshots(snapshot: Snapshot) -> pd.DataFrame:
    snaps = snapshot.table("db_snapshots")
    return snaps[snaps["snapshot_type"].map(text).str.lower() == "manual"] if len(snaps) else snaps


@rule("SEC-018", title="Database snapshot shared publicly", domain="security", severity="high", effort="low",
      rationale=("A manual RDS, Aurora or DocumentDB snapshot whose restore attribute includes 'all' can be copied "
                 "and restored by any AWS account: the whole database, outside your control. Snapshots are shared "
                 "with named accounts, never publicly (an encrypted snapshot cannot be public at all)."),
      tables=("db_snapshots",),
      saving=not_cost("Security. Un-sharing a snapshot costs nothing."),
      pillar="security", best_practice="SEC08-BP04")
def public_snapshots(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for r in _snapshots(snapshot).itertuples():
        if flag(r.public) is not True:
            continue
        sid = text(r.snapshot_id)
        out.append(spec("SEC-018").finding(
            snapshot, region=text(r.region), resource_ids=[sid],
            title=f"Snapshot {sid} of {text(r.source_id)} can be restored by any AWS account",
            evidence={"kind": text(r.kind), "source": text(r.source_id), "engine": text(r.engine),
                      "encrypted": flag(r.encrypted), "shared_with": json_list(r.shared_with),
                      "created": text(r.created)},
            recommendation=(f"Remove 'all' from the snapshot's restore attribute now (`aws rds modify-db-"
                            f"{'cluster-' if text(r.kind) == 'cluster' else ''}snapshot-attribute "
                            "--attribute-name restore --values-to-remove all`); share with named accounts only, "
                            "and check CloudTrail for copies made while it was public."),
        ))
    return out


@rule("SEC-019", title="Unencrypted database snapshot", domain="security", severity="medium", effort="low",
      rationale=("A manual snapshot keeps a full copy of the database for as long as it exists; unencrypted, "
                 "whoever it is shared with, or whoever can read it, reads the data. Copying it with a KMS key "
                 "gives an encrypted snapshot; the unencrypted one can then be deleted."),
      thresholds=("production_environments",), tables=("db_snapshots",),
      saving=not_cost("Security. An encrypted copy costs the same snapshot storage."),
      pillar="security", best_practice="SEC08-BP02")
def unencrypted_snapshots(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    prod = is_production(snapshot, a)
    snaps = _snapshots(snapshot)
    out = []
    for region, group in snaps.groupby(snaps["region"].map(text)) if len(snaps) else ():
        bad = [r for r in group.itertuples() if flag(r.encrypted) is False]
        if not bad:
            continue
        ids = [text(r.snapshot_id) for r in bad]
        shared = [text(r.snapshot_id) for r in bad if json_list(r.shared_with) or flag(r.public)]
        out.append(spec("SEC-019").finding(
            snapshot, region=region, resource_ids=ids,
            severity="high" if prod or shared else "medium",
            title=f"{len(ids)} manual database snapshot(s) not encrypted" + (
                f", {len(shared)} of them shared" if shared else ""),
            evidence={"snapshots": [{"id": text(r.snapshot_id), "source": text(r.source_id), "kind": text(r.kind),
                                     "shared_with": json_list(r.shared_with), "created": text(r.created)}
                                    for r in bad],
                      "shared": shared, "environment": snapshot.environment},
            recommendation=("Copy each snapshot with a KMS key (`aws rds copy-db-snapshot --kms-key-id ...`), "
                            "share the encrypted copy if it must be shared (with the key's grant), then delete "
                            "the unencrypted one; keep new snapshots encrypted by encrypting the database."),
        ))
    return out
