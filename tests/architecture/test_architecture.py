"""Architecture diagrams: graphs from snapshots, aggregation, rendering with real Graphviz, the change table.

Most tests use a hand-built snapshot mirroring ``awsassess.demo.estate`` (``tests/architecture_sample.py``);
``test_real_demo_snapshot`` collects the simulated estate over HTTP (slow).
"""

from __future__ import annotations

import json
import multiprocessing
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from architecture_sample import scaled_spec, snapshot_for
from awsassess.architecture import (
    ArchitectureGraph,
    ProposedSpec,
    aggregate,
    current_graph,
    diff_table,
    proposed_graph,
    render,
)
from awsassess.architecture.graph import GraphError
from awsassess.architecture.legend import esc, wrap
from awsassess.demo.estate import PRODUCTION, STAGING, AccountSpec, expected_counts
from awsassess.snapshot import Snapshot

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def svg_texts(path: Path) -> str:
    root = ET.parse(path).getroot()  # also proves the SVG is well-formed XML
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def svg_hrefs(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [el.get(XLINK) or el.get("href") or "" for el in root.iter() if el.get(XLINK) or el.get("href")]


# ------------------------------------------------------------------ current graph
@pytest.mark.parametrize("acct", [PRODUCTION, STAGING], ids=lambda a: a.name)
def test_current_graph_counts_match_the_estate(acct: AccountSpec) -> None:
    g = current_graph(snapshot_for(acct))
    want = expected_counts(acct)
    n = len(acct.services)
    vpcs = [x for x in g.groups.values() if x.kind == "vpc"]
    assert len(vpcs) == want["vpcs"]
    assert g.count("nat") == want["nat_gateways"]
    assert g.count("igw") == want["internet_gateways"]
    assert g.count("alb") == want["load_balancers"]
    assert sum(1 for x in g.nodes.values() if x.kind == "alb" and x.attrs["scheme"] == "internet-facing") \
        == want["internet_facing_load_balancers"]
    assert g.count("ecs_service") == want["ecs_services"]
    assert sum(e.count for e in g.edges_of("peering")) == want["vpc_peerings"] == n - 1
    assert (g.count("rds"), g.count("docdb"), g.count("elasticache"), g.count("dynamodb")) == (1, 1, 1, 2)
    assert g.count("cloudfront") == want["distributions"]
    assert g.count("codepipeline") == want["pipelines"] and g.count("codedeploy") == want["deployment_groups"]
    # every service sits in its own VPC's private subnets, behind its own ALB
    lb_to_svc = [e for e in g.edges_of("traffic") if g.nodes[e.src].kind == "alb" and g.nodes[e.dst].kind == "ecs_service"]
    assert len(lb_to_svc) == n
    for e in lb_to_svc:
        assert g.enclosing(e.src, "vpc") == g.enclosing(e.dst, "vpc")
        assert g.groups[g.nodes[e.dst].group].kind == "tier_private"
    # egress: each service to each NAT of its VPC, each NAT to its VPC's internet gateway
    nats_per_vpc = len(acct.azs) if acct.nat_per_az else 1
    assert len(g.edges_of("egress")) == n * nats_per_vpc + want["nat_gateways"]
    # CloudFront fronts the web ALB; the lane ends at the ECS cluster
    cf = next(x for x in g.nodes.values() if x.kind == "cloudfront")
    targets = [g.nodes[e.dst] for e in g.edges_of("traffic") if e.src == cf.id]
    assert [t.label for t in targets] == [f"fintech-{acct.environment[:4]}-web"]
    deploy = [(g.nodes[e.src].kind, g.nodes[e.dst].kind) for e in g.edges_of("deploy")]
    assert deploy == [("codepipeline", "codebuild"), ("codebuild", "codedeploy"), ("codedeploy", "ecs_cluster")]
    lane_end = next(x for x in g.nodes.values() if x.kind == "ecs_cluster")
    assert len(lane_end.attrs["services"]) == n
    g.validate()


def test_services_placed_by_target_group_when_subnets_are_missing_and_data_without_vpc() -> None:
    snap = snapshot_for(STAGING)
    svc = snap.tables["ecs_services"].copy()
    svc["subnets"] = "[]"
    snap.tables["ecs_services"] = svc
    db = snap.tables["db_instances"].copy()
    db["vpc_id"] = ""
    snap.tables["db_instances"] = db
    g = current_graph(snap)
    for n in g.nodes.values():
        if n.kind == "ecs_service":
            assert g.enclosing(n.id, "vpc") is not None, n.label
    rds = next(n for n in g.nodes.values() if n.kind == "rds")
    assert g.groups[rds.group].label == "Data stores (VPC not recorded)"


def test_empty_snapshot_gives_an_empty_but_valid_graph() -> None:
    snap = Snapshot(manifest={"account_id": "123456789012", "name": "empty"}, tables={})
    g = current_graph(snap)
    assert g.nodes == {} and g.edges == []
    out = proposed_graph(snap)
    assert out.count("ecs_service") == 0 and out.count("igw") == 1


def test_graph_rejects_dangling_references_and_round_trips() -> None:
    g = ArchitectureGraph("x", "x")
    with pytest.raises(GraphError, match="parent group 'nope'"):
        g.add_group("a", "vpc", "A", parent="nope")
    g.add_group("a", "vpc", "A")
    g.add_node("n1", "nat", "NAT", "a")
    with pytest.raises(GraphError, match="unknown kind"):
        g.add_node("n2", "teleporter", "?", "a")
    with pytest.raises(GraphError, match="node 'n9' does not exist"):
        g.add_edge("n1", "n9", "egress")
    full = current_graph(snapshot_for(PRODUCTION))
    back = ArchitectureGraph.from_dict(json.loads(json.dumps(full.to_dict())))
    assert back.counts() == full.counts() and len(back.edges) == len(full.edges)


# ------------------------------------------------------------------ proposed graph
def test_proposed_defaults_from_the_snapshot() -> None:
    snap = snapshot_for(PRODUCTION)
    g = proposed_graph(snap, instance_type="m6g.large", instances=5)
    assert len(g.groups_of("vpc")) == 1
    assert g.count("nat") == len(PRODUCTION.azs) and g.count("igw") == 1
    albs = {n.attrs["scheme"]: n for n in g.nodes.values() if n.kind == "alb"}
    assert set(albs) == {"internet-facing", "internal"}
    assert "web, api" in albs["internet-facing"].details[1]
    assert g.count("ecs_service") == len(PRODUCTION.services)
    asgs = [n for n in g.nodes.values() if n.kind == "asg"]
    assert [n.attrs["az"] for n in asgs] == list(PRODUCTION.azs)
    assert sorted(n.details[0] for n in asgs) == ["2 × m6g.large", "3 × m6g.large"]
    # api (the peering hub today) calls the others through the internal ALB
    calls = [g.nodes[e.src].label for e in g.edges_of("traffic") if e.dst == albs["internal"].id]
    assert calls == ["api"]
    lane = [g.nodes[e.dst].kind for e in g.edges_of("deploy")]
    assert lane == ["ecr", "ecs_cluster"]
    data = {n.kind for n in g.nodes.values() if g.enclosing(n.id, "vpc")} & {"rds", "docdb", "elasticache"}
    assert data == {"rds", "docdb", "elasticache"}


def test_proposed_overrides_from_a_mapping_and_a_spec() -> None:
    snap = snapshot_for(STAGING)
    g = proposed_graph(snap, {"instance_type": "c7g.large", "instances": 2, "azs": ["us-east-1a", "us-east-1b", "us-east-1c"],
                              "nat_per_az": False, "gateway_endpoints": ["s3", "dynamodb"]})
    assert g.count("nat") == 1 and g.count("asg") == 3 and g.count("vpc_endpoint") == 2
    assert sum(n.attrs["instances"] or 0 for n in g.nodes.values() if n.kind == "asg") == 2
    spec = ProposedSpec(name="x", vpc_name="one", azs=["a", "b"], launch="FARGATE", instance_type="", cloudfront=False)
    g2 = proposed_graph(snap, spec)
    assert g2.count("asg") == 0 and g2.count("cloudfront") == 0 and g2.count("ecs_service") == 0


def test_proposed_from_the_cost_model_dataclasses() -> None:
    from awsassess.model.architecture import (
        ProposedArchitecture,
        ProposedCluster,
        ProposedDatastore,
        ProposedLoadBalancer,
        ProposedNat,
        ProposedService,
        ProposedVpc,
        ScalingPolicy,
    )

    snap = snapshot_for(STAGING)
    azs = ["us-east-1a", "us-east-1b"]
    svc = [ProposedService(f"fintech-staging-{s.name}", "c", "us-east-1", s.desired, s.cpu, s.memory, 256, 512, "EC2",
                           "arm64", "", s.public, ScalingPolicy(1, 3, "cpu", 60), "right-sized")
           for s in STAGING.services]
    arch = ProposedArchitecture(
        "111111111111", "fintech-staging", "staging", ["us-east-1"],
        vpcs=[ProposedVpc("shared", "us-east-1", "10.100.0.0/16", azs, nat_gateways=[ProposedNat("n", azs[0])],
                          gateway_endpoints=["s3"])],
        load_balancers=[ProposedLoadBalancer("pub-1", "us-east-1", "internet-facing", "shared", azs, ["fintech-staging-web"], 1, 1),
                        ProposedLoadBalancer("pub-2", "us-east-1", "internet-facing", "shared", azs, ["fintech-staging-api"], 1, 1),
                        ProposedLoadBalancer("int", "us-east-1", "internal", "shared", azs,
                                             [s.name for s in svc if not s.public], 3, 3)],
        clusters=[ProposedCluster("c", "us-east-1", "shared", "EC2", "arm64", "m6g.large", 3, 3, 6, azs, None, services=svc)],
        datastores=[ProposedDatastore("docdb", f"fintech-staging-docdb-{k}", "us-east-1", "docdb", "docdb", "db.t3.medium",
                                      "db.t4g.medium", 1, 1, False, False) for k in (1,)])
    g = proposed_graph(snap, arch)
    assert [n.label for n in g.nodes.values() if n.kind == "alb"] == ["pub-1", "pub-2", "int"]
    assert g.count("nat") == 1 and g.count("vpc_endpoint") == 1
    assert sorted(n.details[0] for n in g.nodes.values() if n.kind == "asg") == ["1 × m6g.large", "2 × m6g.large"]
    web = g.nodes["svc:fintech-staging-web"]
    assert web.details[:3] == ("EC2 arm64 · 1 task", "0.25 vCPU · 512 MB per task", "was 1 vCPU · 2 GB")
    # the model lists DocumentDB instances; the diagram shows their cluster
    docdb = [n for n in g.nodes.values() if n.kind == "docdb"]
    assert [n.label for n in docdb] == ["fintech-staging-docdb"]
    assert docdb[0].details[0] == "db.t4g.medium (was db.t3.medium)"


# ------------------------------------------------------------------ aggregation
def test_overview_aggregates_large_estates_and_keeps_counts() -> None:
    snap = snapshot_for(scaled_spec(300), services_per_vpc=10)
    full = current_graph(snap)
    over, touched = aggregate.overview(full)
    assert len(over.nodes) <= aggregate.MAX_NODES < len(full.nodes)
    for kind in ("ecs_service", "nat", "alb", "igw"):
        assert over.count(kind) == full.count(kind), kind
    assert len(touched) == 30
    assert any(g.kind == "more" for g in over.groups.values())
    page = aggregate.vpc_page(full, touched[0])
    inside = [n for n in page.nodes.values() if n.kind == "ecs_service" and page.enclosing(n.id, "vpc") == touched[0]]
    assert len(inside) == 10 and not any(n.attrs.get("aggregated") for n in inside)
    assert any(g.id == "stub:peers" for g in page.groups.values())  # 29 peers folded into one box


def test_small_estate_overview_is_not_aggregated() -> None:
    full = current_graph(snapshot_for(PRODUCTION))
    over, touched = aggregate.overview(full)
    assert touched == [] and over.count("nat") == full.count("nat") == 14
    assert not any(n.attrs.get("aggregated") for n in over.nodes.values())


# ------------------------------------------------------------------ rendering
def test_render_writes_png_and_self_contained_svg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    snap = snapshot_for(PRODUCTION)
    out = render(current_graph(snap), tmp_path / "diagrams" / "current")
    assert set(out) == {"png", "svg"}
    assert out["png"] == tmp_path / "diagrams" / "current.png"
    assert out["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg_texts(out["svg"])
    for label in ("VPC fintech-production-api", "trading-engine", "NAT gateways", "Internet gateway",
                  "postgres · db.m5.large", "CodeDeploy", "Legend"):
        assert label in text, label
    hrefs = svg_hrefs(out["svg"])
    assert hrefs and all(h.startswith(("#", "data:image/png;base64,")) for h in hrefs)
    assert "/site-packages/" not in out["svg"].read_text()
    assert list(cwd.iterdir()) == []  # nothing written to the working directory
    assert sorted(p.name for p in (tmp_path / "diagrams").iterdir()) == ["current.png", "current.svg"]


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    snap = snapshot_for(STAGING)
    vpcs = snap.tables["vpcs"].copy()
    hostile = 'kyc <script>alert(1)</script> & "quoted" \\n <b>'
    vpcs.loc[vpcs.index[-1], "name"] = hostile
    snap.tables["vpcs"] = vpcs
    svc = snap.tables["ecs_services"].copy()
    svc.loc[svc.index[0], "service_name"] = "svc>\"'<&"
    snap.tables["ecs_services"] = svc
    out = render(current_graph(snap), tmp_path / "current", formats=("svg",))
    root = ET.parse(out["svg"]).getroot()
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    text = svg_texts(out["svg"])
    assert "<script>alert(1)</script>" in text and '& "quoted" \\n <b>' in text
    assert "svc>\"'<&" in text
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    # an existing folder as out_base: files are named after the graph
    folder = tmp_path / "diagrams"
    folder.mkdir()
    assert render(proposed_graph(snap), folder, formats=("svg",)) == {"svg": folder / "proposed.svg"}


def test_large_estate_writes_vpc_detail_pages(tmp_path: Path) -> None:
    snap = snapshot_for(scaled_spec(18), services_per_vpc=9)
    out = render(current_graph(snap), tmp_path / "current", formats=("svg",))  # PNG is covered above
    pages = sorted(k for k in out if k != "svg")
    assert pages == [f"current-fintech-production-group00{k}.svg" for k in range(2)]
    overview = svg_texts(out["svg"])
    assert "9 ECS services" in overview and "svc-0004" not in overview
    page = svg_texts(out["current-fintech-production-group000.svg"])
    assert "svc-0004" in page and "svc-0008" in page
    for key, path in out.items():
        assert path.exists() and path.stat().st_size > 1000, key


def test_a_second_draw_of_a_wrapped_overview_runs_no_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough VPCs for choose_wrap's two trial layouts; drawn again, the stamps give the wrap back."""
    import importlib

    render_module = importlib.import_module("awsassess.architecture.render")
    graph = current_graph(snapshot_for(scaled_spec(6)))
    calls: list[str] = []
    real_pipe = render_module._pipe
    monkeypatch.setattr(render_module, "_pipe", lambda d, fmt, name: calls.append(fmt) or real_pipe(d, fmt, name))
    first = render_module.render(graph, tmp_path / "current", formats=("svg",), pages=False)["svg"].read_bytes()
    assert calls == ["svg", "svg", "svg"]  # two trial layouts, then the drawing
    second = render_module.render(graph, tmp_path / "current", formats=("svg",), pages=False)["svg"].read_bytes()
    assert calls == ["svg", "svg", "svg"] and second == first
    graph.title += " (changed)"
    render_module.render(graph, tmp_path / "current", formats=("svg",), pages=False)
    assert len(calls) == 6, "a changed graph is laid out anew"


def _render_in_child(args: tuple[str, str, tuple[str, ...]]) -> dict[str, str]:
    base, which, formats = args
    snap = snapshot_for(STAGING)
    graph = current_graph(snap) if which == "current" else proposed_graph(snap)
    return {k: str(v) for k, v in render(graph, Path(base), formats=formats).items()}


def test_parallel_processes_do_not_collide(tmp_path: Path) -> None:
    out = tmp_path / "diagrams"
    out.mkdir()
    both, svg = ("png", "svg"), ("svg",)
    jobs = [(str(out / "current"), "current", both), (str(out / "proposed"), "proposed", both),
            (str(out / "same"), "current", svg), (str(out / "same"), "proposed", svg)]
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_render_in_child, jobs))
    for res in results:
        for path in res.values():
            p = Path(path)
            ET.parse(p) if p.suffix == ".svg" else None
            assert p.exists() and p.stat().st_size > 1000
    names = sorted(p.name for p in out.iterdir())  # no temporary files left behind
    assert names == ["current.png", "current.svg", "proposed.png", "proposed.svg", "same.svg"]
    assert "Proposed architecture" in svg_texts(out / "proposed.svg")


def test_wrap_keeps_every_character() -> None:
    for text in ("fintech-production-trading-engine", "one per AZ: us-east-1a, us-east-1b", "x" * 70, ""):
        lines = wrap(text, 24)
        assert all(len(line) <= 24 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


# ------------------------------------------------------------------ change table
def test_diff_table_for_the_demo_estate() -> None:
    snap = snapshot_for(PRODUCTION)
    df = diff_table(current_graph(snap), proposed_graph(snap))
    assert list(df.columns) == ["aspect", "current", "proposed", "change"]
    rows = df.set_index("aspect")
    assert rows.loc["VPCs", ["current", "proposed", "change"]].tolist() == ["7", "1", "-6"]
    assert rows.loc["NAT gateways", "change"] == "-12"
    assert rows.loc["Load balancers", "current"] == "7 (5 internal, 2 internet-facing)"
    assert rows.loc["Load balancers", "proposed"] == "2 (1 internal, 1 internet-facing)"
    assert rows.loc["VPC peering links", ["current", "proposed"]].tolist() == ["6", "0"]
    assert rows.loc["ECS launch type", ["current", "proposed", "change"]].tolist() == ["7 Fargate", "7 EC2", "changed"]
    assert rows.loc["ECS tasks (desired)", "change"] == "same"
    assert rows.loc["CI/CD", "current"] == "CodePipeline ×7 → CodeBuild ×7 → CodeDeploy ×7 → ECS"
    assert "Transit Gateway attachments" not in rows.index  # none on either side


# ------------------------------------------------------------------ the real simulated estate (slow)
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_real_demo_snapshot(demo_estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from awsassess.collect import collect_account, load_collectors
    from awsassess.params import AccountParams, AuthParams

    acct = PRODUCTION
    params = AccountParams(name=acct.name, account_id=acct.account_id, environment=acct.environment,
                           regions=[acct.region],
                           auth=AuthParams(role_arn=demo_estate.role_arn(acct.account_id),
                                           external_id=demo_estate.external_id, endpoint_url=demo_estate.endpoint_url))
    wanted = {"network", "compute", "datastores", "cdn", "pipelines"}
    snap = collect_account(params, tmp_path, collectors=[c for c in load_collectors() if c.name in wanted])
    g = current_graph(snap)
    want = expected_counts(acct)
    assert len(g.groups_of("vpc")) == want["vpcs"]
    assert g.count("nat") == want["nat_gateways"] and g.count("alb") == want["load_balancers"]
    assert g.count("ecs_service") == want["ecs_services"]
    assert sum(e.count for e in g.edges_of("peering")) == want["vpc_peerings"]
    assert g.count("rds") == 1 and g.count("docdb") == 1 and g.count("elasticache") == 1
    for n in g.nodes.values():  # every service and data store found its VPC from the data
        if n.kind in ("ecs_service", "rds", "docdb", "elasticache"):
            assert g.enclosing(n.id, "vpc") is not None, n.label
    assert [e for e in g.edges_of("deploy") if g.nodes[e.dst].kind == "ecs_cluster"]
    p = proposed_graph(snap)
    out = render(g, tmp_path / "diagrams" / "current") | render(p, tmp_path / "diagrams" / "proposed")
    assert {"png", "svg"} <= set(out)
    assert "VPC fintech-production-api" in svg_texts(tmp_path / "diagrams" / "current.svg")
    assert all(h.startswith(("#", "data:")) for h in svg_hrefs(tmp_path / "diagrams" / "proposed.svg"))
    df = diff_table(g, p).set_index("aspect")
    assert df.loc["VPCs", "change"] == "-6" and df.loc["NAT gateways", "change"] == "-12"


def test_a_drawing_is_not_rendered_again_when_its_source_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    render_module = importlib.import_module("awsassess.architecture.render")  # the package exports the function
    graph = current_graph(snapshot_for(PRODUCTION))
    calls: list[str] = []
    real_pipe = render_module._pipe
    monkeypatch.setattr(render_module, "_pipe", lambda d, fmt, name: calls.append(fmt) or real_pipe(d, fmt, name))
    first = render_module.render_file(graph, "png", tmp_path / "current.png")
    png = first.read_bytes()
    assert calls == ["png"]
    assert render_module.render_file(graph, "png", tmp_path / "current.png").read_bytes() == png
    assert calls == ["png"], "the same drawing is reused"
    render_module.render_file(graph, "png", tmp_path / "current.png", dpi=72)
    assert calls == ["png", "png"], "another DPI draws anew"
    graph.title = graph.title + " (changed)"
    render_module.render_file(graph, "png", tmp_path / "current.png", dpi=72)
    assert calls == ["png", "png", "png"], "a changed graph draws anew"
    (tmp_path / "current.png").unlink()
    render_module.render_file(graph, "png", tmp_path / "current.png", dpi=72)
    assert len(calls) == 4, "a missing image is drawn again"
    svg = render_module.render_file(graph, "svg", tmp_path / "current.svg")
    render_module.render_file(graph, "svg", tmp_path / "current.svg")
    assert calls[4:] == ["svg"]
    ET.parse(svg)  # the stamp (a comment) keeps the SVG well-formed
    from PIL import Image

    assert Image.open(tmp_path / "current.png").size[0] > 100  # and the PNG readable
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current.png", "current.svg"]
