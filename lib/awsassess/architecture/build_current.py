"""The current architecture, read from the snapshot tables.

Layout: account -> region -> VPC -> public / private subnets (NAT gateways labelled with their AZ),
plus the internet, CloudFront, a CI/CD lane and AWS-managed services outside any VPC. Services
are placed in VPCs through their awsvpc subnets, else through their target groups; load balancers
by their own ``vpc_id`` and scheme; data stores through the ``vpc_id`` of their subnet group.
Only what the tables show is drawn: nothing is inferred from names.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median
from typing import Any

from awsassess.architecture._cells import b, duration, gib, i, jlist, rows, s, vcpu
from awsassess.architecture.graph import ArchitectureGraph
from awsassess.facts.network import nat_is_live
from awsassess.facts.placement import service_placements
from awsassess.snapshot import Snapshot

LAUNCH_NAMES = {"FARGATE": "Fargate", "FARGATE_SPOT": "Fargate Spot", "EC2": "EC2", "EXTERNAL": "External"}


def launch_label(launch_type: str, capacity_providers: list[Any]) -> str:
    """'Fargate', 'Fargate Spot', 'EC2', 'EC2 (capacity provider)', ... for a service row."""
    if launch_type:
        return LAUNCH_NAMES.get(launch_type.upper(), launch_type)
    names = [str(p) for p in capacity_providers]
    if not names:
        return "unknown launch type"
    kinds = sorted({LAUNCH_NAMES.get(n.upper(), "EC2 (capacity provider)") for n in names})
    return " + ".join(kinds)


def account_title(snapshot: Snapshot) -> str:
    env = snapshot.environment
    name = snapshot.name
    aid = snapshot.account_id
    parts = [name] if name and name != aid else []
    parts.append(f"account {aid}")
    if env:
        parts.append(env)
    return " · ".join(parts)


class _Builder:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snap = snapshot
        self.g = ArchitectureGraph("current", f"Current architecture · {account_title(snapshot)}", "current")
        self.aid = snapshot.account_id
        self.subnets = {s(r["subnet_id"]): r for r in rows(snapshot.table("subnets"))}
        self.vpcs = {s(r["vpc_id"]): r for r in rows(snapshot.table("vpcs"))}
        self.vpc_region: dict[str, str] = {v: s(r["region"]) for v, r in self.vpcs.items()}
        for r in self.subnets.values():
            self.vpc_region.setdefault(s(r["vpc_id"]), s(r["region"]))
        self.used_vpcs: set[str] = set()

    # ------------------------------------------------------------ groups
    def account(self) -> str:
        gid = f"account:{self.aid}"
        env = self.snap.environment
        return self.g.ensure_group(gid, "account", f"AWS account {self.aid}",
                                   details=[f"{self.snap.name} · {env}" if env else self.snap.name]).id

    def region(self, region: str) -> str:
        region = region or "unknown region"
        return self.g.ensure_group(f"region:{region}", "region", region, parent=self.account()).id

    def vpc(self, vpc_id: str, region: str = "") -> str:
        gid = f"vpc:{vpc_id}"
        if gid in self.g.groups:
            return gid
        row = self.vpcs.get(vpc_id, {})
        region = region or self.vpc_region.get(vpc_id, "") or s(row.get("region"))
        name = s(row.get("name"))
        details = [f"{vpc_id} · {s(row.get('cidr'))}" if row.get("cidr") is not None and s(row.get("cidr")) else vpc_id]
        if b(row.get("is_default")):
            details.append("default VPC")
        if not row:
            details.append("not in this snapshot")
        azs = sorted({s(r["az"]) for r in self.subnets.values() if s(r["vpc_id"]) == vpc_id and s(r["az"])})
        self.g.add_group(gid, "vpc", f"VPC {name}" if name else f"VPC {vpc_id}", parent=self.region(region),
                         details=details, vpc_id=vpc_id, name=name, azs=azs)
        self.used_vpcs.add(vpc_id)
        return gid

    def tier(self, vpc_id: str, public: bool) -> str:
        vgid = self.vpc(vpc_id)
        gid = f"{vgid}:{'public' if public else 'private'}"
        if gid not in self.g.groups:
            azs = sorted({s(r["az"]) for r in self.subnets.values()
                          if s(r["vpc_id"]) == vpc_id and b(r["public"]) == public and s(r["az"])})
            self.g.add_group(gid, "tier_public" if public else "tier_private",
                             "Public subnets" if public else "Private subnets", parent=vgid,
                             details=[" · ".join(azs)] if azs else [])
        return gid

    def region_group(self, region: str, kind: str, label: str) -> str:
        rgid = self.region(region)
        return self.g.ensure_group(f"{rgid}:{kind}", kind, label, parent=rgid).id

    def internet(self) -> str:
        if "internet" not in self.g.nodes:
            self.g.add_node("internet", "internet", "Internet", details=["users, partners"])
        return "internet"

    def anchor(self, vpc_id: str) -> str:
        """The VPC's own node: the end of peering and Transit Gateway links."""
        nid = f"vpcnode:{vpc_id}"
        if nid not in self.g.nodes:
            row = self.vpcs.get(vpc_id, {})
            self.g.add_node(nid, "vpc", "VPC router", self.vpc(vpc_id), vpc_id=vpc_id, cidr=s(row.get("cidr")))
        return nid

    # ------------------------------------------------------------ build
    def build(self) -> ArchitectureGraph:
        self.account()
        self.network_edges()
        self.load_balancers()
        self.services()
        self.instances()
        self.datastores()
        self.cdn()
        self.links()
        self.transit()
        self.endpoints()
        self.pipelines()
        self.gateways()
        self.g.prune_empty_groups()
        shown = {g.attrs.get("vpc_id") for g in self.g.groups_of("vpc")}
        hidden = [v for v in self.vpcs if v not in shown]
        if hidden:
            default = sum(b(self.vpcs[v].get("is_default")) for v in hidden)
            self.g.notes.append(
                f"{len(hidden)} VPC(s) with no load balancer, service, instance, NAT gateway or data store are not drawn"
                + (f" ({default} of them default VPCs)" if default else "") + ".")
        self.g.meta.update(account_id=self.aid, environment=self.snap.environment, name=self.snap.name)
        self.g.validate()
        return self.g

    def network_edges(self) -> None:
        self.igws = {s(r["vpc_id"]): s(r["igw_id"]) for r in rows(self.snap.table("internet_gateways")) if s(r["vpc_id"])}
        self.nats: dict[str, list[str]] = defaultdict(list)
        for r in rows(self.snap.table("nat_gateways")):
            if not nat_is_live(r["state"]):
                continue
            vpc_id = s(r["vpc_id"])
            az = s(r["az"]) or s(self.subnets.get(s(r["subnet_id"]), {}).get("az"))
            kind = "private NAT" if s(r["connectivity_type"]) == "private" else "NAT gateway"
            nid = f"nat:{s(r['nat_gateway_id'])}"
            self.g.add_node(nid, "nat", kind, self.tier(vpc_id, True), details=[az], az=az, vpc_id=vpc_id,
                            resource_id=s(r["nat_gateway_id"]))
            self.nats[vpc_id].append(nid)

    def igw(self, vpc_id: str) -> str | None:
        igw_id = self.igws.get(vpc_id)
        if not igw_id:
            return None
        nid = f"igw:{igw_id}"
        if nid not in self.g.nodes:
            self.g.add_node(nid, "igw", "Internet gateway", self.vpc(vpc_id), resource_id=igw_id, vpc_id=vpc_id)
        return nid

    def load_balancers(self) -> None:
        self.lbs: dict[str, str] = {}
        self.lb_dns: dict[str, str] = {}
        listeners = Counter(s(r["load_balancer_arn"]) for r in rows(self.snap.table("listeners")))
        for r in rows(self.snap.table("load_balancers")):
            arn, vpc_id = s(r["arn"]), s(r["vpc_id"])
            scheme = s(r["scheme"]) or "internet-facing"
            lb_type = s(r["type"]) or "application"
            kind = {"application": "alb", "network": "nlb", "gateway": "gwlb"}.get(lb_type, "alb")
            public = scheme == "internet-facing"
            short = {"alb": "ALB", "nlb": "NLB", "gwlb": "GWLB"}[kind]
            details = [f"{short} · {scheme}"]
            nid = f"lb:{arn}"
            self.g.add_node(nid, kind, s(r["name"]) or arn.rsplit("/", 2)[-2], self.tier(vpc_id, public),
                            details=details, scheme=scheme, vpc_id=vpc_id, resource_id=arn,
                            listeners=listeners.get(arn, 0))
            self.lbs[arn] = nid
            if s(r["dns_name"]):
                self.lb_dns[s(r["dns_name"]).lower().rstrip(".")] = nid
            if public:
                gw = self.igw(vpc_id)
                if gw:
                    self.g.add_edge(self.internet(), gw, "traffic")
                self.g.add_edge(gw or self.internet(), nid, "traffic")

    def services(self) -> None:
        placements = service_placements(self.snap)
        self.svc_nodes: dict[tuple[str, str], str] = {}
        for r in rows(self.snap.table("ecs_services")):
            name, cluster = s(r["service_name"]), s(r["cluster"])
            launch = launch_label(s(r["launch_type"]), jlist(r["capacity_providers"]))
            tasks = i(r["desired_count"])
            details = [f"{launch} · {tasks} task{'s' if tasks != 1 else ''}"]
            cpu, mem = i(r["cpu"]), i(r["memory"])
            if cpu or mem:
                details.append(f"{vcpu(cpu)} · {gib(mem)} per task")
            placed = placements.get((cluster, name))
            vpc_id = placed.vpc_id if placed else ""
            public = bool(placed and placed.public)
            if vpc_id:
                group = self.tier(vpc_id, bool(public))
            else:
                group = self.region_group(s(r["region"]), "datastores", "ECS services (network not recorded)")
            label = name[len(cluster) + 1:] if cluster and name.startswith(cluster + "-") and len(name) > len(cluster) + 1 else name
            nid = f"svc:{s(r['service_arn']) or cluster + '/' + name}"
            self.g.add_node(nid, "ecs_service", label, group, details=details, launch=launch, tasks=tasks,
                            cluster=cluster, vpc_id=vpc_id, resource_id=s(r["service_arn"]), service_name=name,
                            public=bool(public))
            self.svc_nodes[(cluster, name)] = nid
            for lb in placed.load_balancers if placed else ():
                if lb in self.lbs:
                    self.g.add_edge(self.lbs[lb], nid, "traffic")
            for nat in self.nats.get(vpc_id, []) if vpc_id and not public else []:
                self.g.add_edge(nid, nat, "egress")

    def instances(self) -> None:
        """EC2 instances: one node per Auto Scaling group, one per stand-alone running instance."""
        asg_rows = {s(r["asg_name"]): r for r in rows(self.snap.table("autoscaling_groups"))}
        by_asg: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in rows(self.snap.table("ec2_instances")):
            if s(r["state"]) in ("terminated", "shutting-down"):
                continue
            vpc_id = s(r["vpc_id"])
            if not vpc_id:
                continue
            if s(r["asg_name"]):
                by_asg[(s(r["asg_name"]), vpc_id)].append(r)
                continue
            public = b(self.subnets.get(s(r["subnet_id"]), {}).get("public"))
            self.g.add_node(f"ec2:{s(r['instance_id'])}", "ec2", s(r["name"]) or s(r["instance_id"]),
                            self.tier(vpc_id, public), details=[s(r["instance_type"]), s(r["az"])],
                            vpc_id=vpc_id, resource_id=s(r["instance_id"]), state=s(r["state"]))
        for (asg, vpc_id), members in by_asg.items():
            types = Counter(s(m["instance_type"]) for m in members)
            azs = sorted({s(m["az"]) for m in members if s(m["az"])})
            row = asg_rows.get(asg, {})
            details = [", ".join(f"{n} × {t}" for t, n in types.most_common())]
            if row:
                details.append(f"min {i(row.get('min_size'))} · max {i(row.get('max_size'))}")
            details.append(" · ".join(azs))
            public = any(b(self.subnets.get(s(m["subnet_id"]), {}).get("public")) for m in members)
            self.g.add_node(f"asg:{asg}:{vpc_id}", "asg", asg, self.tier(vpc_id, public), details=details,
                            vpc_id=vpc_id, instances=len(members), resource_id=asg)

    def _data_group(self, vpc_id: str, region: str) -> str:
        if vpc_id and (vpc_id in self.vpcs or vpc_id in self.used_vpcs):
            return self.tier(vpc_id, False)
        return self.region_group(region, "datastores", "Data stores (VPC not recorded)")

    def datastores(self) -> None:
        instances = rows(self.snap.table("db_instances"))
        by_id = {s(r["db_instance_id"]): r for r in instances}
        clustered: set[str] = set()
        for c in rows(self.snap.table("db_clusters")):
            cid, engine = s(c["cluster_id"]), s(c["engine"])
            members = [by_id[m] for m in map(str, jlist(c["instance_ids"])) if m in by_id]
            clustered.update(s(m["db_instance_id"]) for m in members)
            classes = Counter(s(m["instance_class"]) for m in members)
            kind = "docdb" if engine == "docdb" else ("aurora" if engine.startswith("aurora") else "rds")
            vpc_id = s(c["vpc_id"]) or next((s(m["vpc_id"]) for m in members if s(m["vpc_id"])), "")
            details = [engine + (f" {s(c['engine_version'])}" if s(c["engine_version"]) else ""),
                       ", ".join(f"{n} × {t}" for t, n in classes.most_common()) or f"{i(c['members'])} instance(s)"]
            if b(c["multi_az"]) or len(members) > 1:
                details.append("multi-AZ" if b(c["multi_az"]) else f"{len(members)} instances")
            size = ", ".join(f"{n} × {t}" if n > 1 else t for t, n in classes.most_common()) or f"{i(c['members'])} instance(s)"
            self.g.add_node(f"db:{cid}", kind, cid, self._data_group(vpc_id, s(c["region"])), details=details,
                            engine=engine, instance_class=", ".join(classes), vpc_id=vpc_id, resource_id=cid, size=size)
        for r in instances:
            if s(r["db_instance_id"]) in clustered or s(r["cluster_id"]):
                continue
            engine = s(r["engine"])
            kind = "docdb" if engine == "docdb" else "rds"
            details = [f"{engine} · {s(r['instance_class'])}",
                       ("multi-AZ" if b(r["multi_az"]) else "single-AZ")
                       + (f" · {i(r['allocated_gb'])} GB {s(r['storage_type'])}".rstrip() if i(r["allocated_gb"]) else "")]
            if b(r["publicly_accessible"]):
                details.append("publicly accessible")
            vpc_id = s(r["vpc_id"])
            self.g.add_node(f"db:{s(r['db_instance_id'])}", kind, s(r["db_instance_id"]),
                            self._data_group(vpc_id, s(r["region"])), details=details, engine=engine,
                            instance_class=s(r["instance_class"]), vpc_id=vpc_id, resource_id=s(r["db_instance_id"]),
                            size=s(r["instance_class"]))
        caches = rows(self.snap.table("cache_clusters"))
        in_rg = defaultdict(list)
        for c in caches:
            if s(c["replication_group_id"]):
                in_rg[s(c["replication_group_id"])].append(c)
        for r in rows(self.snap.table("replication_groups")):
            rid = s(r["id"])
            members = in_rg.get(rid, [])
            vpc_id = s(r["vpc_id"]) or next((s(m["vpc_id"]) for m in members if s(m["vpc_id"])), "")
            nodes = max(i(r["nodes"]), len(members))
            details = [f"{s(r['engine']) or 'redis'} · {nodes} × {s(r['node_type'])}"]
            if b(r["multi_az"]):
                details.append("multi-AZ")
            self.g.add_node(f"cache:{rid}", "elasticache", rid, self._data_group(vpc_id, s(r["region"])),
                            details=details, engine=s(r["engine"]) or "redis", instance_class=s(r["node_type"]),
                            vpc_id=vpc_id, resource_id=rid,
                            size=f"{nodes} × {s(r['node_type'])}" if nodes > 1 else s(r["node_type"]))
        for c in caches:
            if s(c["replication_group_id"]):
                continue
            vpc_id = s(c["vpc_id"])
            self.g.add_node(f"cache:{s(c['id'])}", "elasticache", s(c["id"]), self._data_group(vpc_id, s(c["region"])),
                            details=[f"{s(c['engine'])} · {i(c['nodes'], 1)} × {s(c['node_type'])}"],
                            engine=s(c["engine"]), instance_class=s(c["node_type"]), vpc_id=vpc_id,
                            resource_id=s(c["id"]), size=s(c["node_type"]))
        for r in rows(self.snap.table("serverless_caches")):
            self.g.add_node(f"cache:{s(r['name'])}", "elasticache", s(r["name"]),
                            self.region_group(s(r["region"]), "managed", "AWS-managed, outside any VPC"),
                            details=[f"{s(r['engine'])} serverless"], engine=s(r["engine"]), resource_id=s(r["name"]))
        for r in rows(self.snap.table("dynamodb_tables")):
            mode = s(r["billing_mode"])
            detail = (f"provisioned {i(r['rcu'])} RCU / {i(r['wcu'])} WCU" if mode == "PROVISIONED"
                      else "on-demand" if mode == "PAY_PER_REQUEST" else mode)
            self.g.add_node(f"ddb:{s(r['region'])}:{s(r['table_name'])}", "dynamodb", s(r["table_name"]),
                            self.region_group(s(r["region"]), "managed", "AWS-managed, outside any VPC"),
                            details=[detail], billing=mode, resource_id=s(r["table_name"]), size=detail,
                            engine="dynamodb")

    def cdn(self) -> None:
        origins = defaultdict(list)
        for o in rows(self.snap.table("origins")):
            origins[s(o["distribution_id"])].append(o)
        for r in rows(self.snap.table("distributions")):
            did = s(r["distribution_id"])
            aliases = [str(a) for a in jlist(r["aliases"])]
            details = [aliases[0] if aliases else s(r["domain"]), s(r["price_class"]).replace("PriceClass_", "price class ")]
            if not b(r["enabled"]):
                details.append("disabled")
            gid = self.g.ensure_group(f"{self.account()}:global", "global", "Global edge", parent=self.account()).id
            nid = f"cf:{did}"
            self.g.add_node(nid, "cloudfront", f"CloudFront {did}", gid, details=details, resource_id=did)
            self.g.add_edge(self.internet(), nid, "traffic")
            for o in origins.get(did, []):
                domain = s(o["domain"]).lower().rstrip(".")
                target = self.lb_dns.get(domain)
                if target is None:
                    oid = f"origin:{did}:{s(o['origin_id'])}"
                    kind = "s3" if s(o["origin_type"]) == "s3" or ".s3." in domain or domain.endswith(".s3.amazonaws.com") else "external"
                    self.g.add_node(oid, kind, domain.split(".")[0] if kind == "s3" else domain, gid,
                                    details=["S3 origin" if kind == "s3" else "custom origin"], resource_id=domain)
                    target = oid
                self.g.add_edge(nid, target, "traffic")

    def links(self) -> None:
        for r in rows(self.snap.table("vpc_peerings")):
            if s(r["status"]) and s(r["status"]) not in ("active", "provisioning", "pending-acceptance"):
                continue
            ends = []
            for side in ("requester", "accepter"):
                vpc_id = s(r[f"{side}_vpc_id"])
                owner = s(r[f"{side}_account_id"])
                if vpc_id in self.vpcs and (not owner or owner == self.aid):
                    ends.append(self.anchor(vpc_id))
                else:
                    nid = f"peer:{vpc_id}"
                    if nid not in self.g.nodes:
                        self.g.add_node(nid, "vpc", f"Peer VPC {vpc_id}",
                                        self.region_group(s(r["region"]), "global", "Outside this account"),
                                        details=[f"account {owner}" if owner else "other account"], vpc_id=vpc_id)
                    ends.append(nid)
            edge = self.g.add_edge(ends[0], ends[1], "peering")
            if edge is not None and s(r["status"]) == "pending-acceptance":
                edge.label = "pending"

    def transit(self) -> None:
        for r in rows(self.snap.table("transit_gateway_attachments")):
            if s(r["state"]).lower() in ("deleted", "deleting", "failed", "rejected"):
                continue
            tgw = s(r["transit_gateway_id"])
            nid = f"tgw:{tgw}"
            if nid not in self.g.nodes:
                self.g.add_node(nid, "tgw", "Transit Gateway", self.region(s(r["region"])), details=[tgw], resource_id=tgw)
            rtype, rid = s(r["resource_type"]).lower(), s(r["resource_id"])
            if rtype == "vpc" and rid in self.vpcs:
                self.g.add_edge(nid, self.anchor(rid), "tgw")
                continue
            other = f"tgwpeer:{rtype}:{rid}"
            if other not in self.g.nodes:
                kind = "vpn" if rtype in ("vpn", "direct-connect-gateway", "connect") else "external"
                label = {"vpn": "VPN", "direct-connect-gateway": "Direct Connect", "peering": "TGW peering",
                         "vpc": "VPC"}.get(rtype, rtype or "attachment")
                self.g.add_node(other, kind, label, self.region_group(s(r["region"]), "global", "Outside this account"),
                                details=[rid], resource_id=rid)
            self.g.add_edge(nid, other, "tgw")

    def gateways(self) -> None:
        # egress of private subnets: NAT -> internet gateway of the same VPC
        for vpc_id, nats in self.nats.items():
            gw = self.igw(vpc_id)
            for nat in nats:
                self.g.add_edge(nat, gw or self.internet(), "egress")

    def endpoints(self) -> None:
        by_vpc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows(self.snap.table("vpc_endpoints")):
            if s(r["state"]).lower() in ("deleted", "deleting", "failed", "rejected"):
                continue
            by_vpc[s(r["vpc_id"])].append(r)
        for vpc_id, eps in by_vpc.items():
            if not vpc_id:
                continue
            gateway = sorted({s(e["service_name"]).split(".")[-1] for e in eps if s(e["endpoint_type"]).lower() == "gateway"})
            interface = sorted({".".join(s(e["service_name"]).split(".")[3:]) or s(e["service_name"])
                                for e in eps if s(e["endpoint_type"]).lower() != "gateway"})
            details = []
            if gateway:
                details.append("gateway: " + ", ".join(gateway))
            if interface:
                shown = interface[:4]
                details.append("interface: " + ", ".join(shown) + (f" +{len(interface) - 4}" if len(interface) > 4 else ""))
            self.g.add_node(f"vpce:{vpc_id}", "vpc_endpoint", "VPC endpoint" if len(eps) == 1 else f"{len(eps)} VPC endpoints",
                            self.tier(vpc_id, False), details=details, count=len(eps), vpc_id=vpc_id,
                            gateway=gateway, interface=interface)

    def pipelines(self) -> None:
        pipes = rows(self.snap.table("pipelines"))
        projects = rows(self.snap.table("build_projects"))
        groups = rows(self.snap.table("deployment_groups"))
        workflows = rows(self.snap.table("github_workflows"))
        if not (pipes or projects or groups or workflows):
            return
        lane = self.g.add_group(f"{self.account()}:cicd", "lane", "CI/CD", parent=self.account()).id
        chain: list[str] = []
        if workflows:
            deploys = sum(b(w["deploys_to_ecs"]) for w in workflows)
            cached = sum(b(w["build_cache"]) for w in workflows)
            self.g.add_node("cicd:gha", "github_actions", "GitHub Actions", lane, count=len(workflows),
                            details=[f"{len(workflows)} workflow(s)", f"{deploys} deploy to ECS · {cached} cached"])
            chain.append("cicd:gha")
        if pipes:
            execs = [float(r["duration_s"]) for r in rows(self.snap.table("pipeline_executions"))
                     if s(r["status"]) == "Succeeded" and s(r["duration_s"])]
            details = [f"{len(pipes)} pipeline{'s' if len(pipes) != 1 else ''}"]
            if execs:
                details.append(f"median {duration(median(execs))} per run")
            self.g.add_node("cicd:pipeline", "codepipeline", "CodePipeline", lane, count=len(pipes), details=details,
                            median_s=median(execs) if execs else None)
            chain.append("cicd:pipeline")
        if projects:
            compute = Counter(s(p["compute_type"]).replace("BUILD_GENERAL1_", "").lower() for p in projects)
            cached = sum(s(p["cache_type"]) not in ("", "NO_CACHE") or b(p["buildspec_layer_cache"]) for p in projects)
            details = [f"{len(projects)} project{'s' if len(projects) != 1 else ''} · "
                       + ", ".join(f"{n} {t}" for t, n in compute.most_common() if t),
                       "no build cache" if not cached else f"{cached} with build cache"]
            self.g.add_node("cicd:build", "codebuild", "CodeBuild", lane, count=len(projects), details=details)
            chain.append("cicd:build")
        if groups:
            types = Counter(s(d["deployment_type"]).replace("_", "/").lower() for d in groups)
            waits = sorted({i(d["termination_wait_min"]) for d in groups if s(d["deployment_type"]) == "BLUE_GREEN"})
            details = [f"{len(groups)} group{'s' if len(groups) != 1 else ''} · "
                       + ", ".join(f"{t}" for t, _ in types.most_common())]
            if waits:
                details.append("wait " + "/".join(map(str, waits)) + " min before old tasks stop")
            self.g.add_node("cicd:deploy", "codedeploy", "CodeDeploy", lane, count=len(groups), details=details)
            chain.append("cicd:deploy")
        for a, z in zip(chain, chain[1:], strict=False):
            self.g.add_edge(a, z, "deploy")
        # the lane ends at the ECS cluster(s) it deploys to (one edge per cluster, not one per service)
        targets: dict[str, set[str]] = defaultdict(set)
        for d in groups:
            for ref in map(str, jlist(d["ecs_services"])):
                cluster, _, service = ref.rpartition("/")
                nid = self.svc_nodes.get((cluster, service)) or next(
                    (v for (c, n), v in self.svc_nodes.items() if n == service and (not cluster or c == cluster)), None)
                if nid:
                    targets[self.g.nodes[nid].attrs.get("cluster") or cluster].add(nid)
        if not targets and any(b(w["deploys_to_ecs"]) for w in workflows):
            for nid in self.svc_nodes.values():
                targets[self.g.nodes[nid].attrs.get("cluster", "")].add(nid)
        for cluster, svc_ids in sorted(targets.items()):
            launches = Counter(self.g.nodes[n].attrs.get("launch", "") for n in svc_ids)
            nid = f"cicd:cluster:{cluster}"
            self.g.add_node(nid, "ecs_cluster", f"ECS cluster {cluster}" if cluster else "ECS services", lane,
                            details=[f"{len(svc_ids)} service{'s' if len(svc_ids) != 1 else ''} deployed",
                                     " · ".join(f"{n} {k}" for k, n in launches.most_common() if k)],
                            cluster=cluster, services=sorted(svc_ids))
            self.g.add_edge(chain[-1], nid, "deploy")


def current_graph(snapshot: Snapshot) -> ArchitectureGraph:
    """The estate as collected: every VPC with something in it, its gateways, balancers, services and data."""
    return _Builder(snapshot).build()
