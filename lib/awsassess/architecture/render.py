"""Draw an ArchitectureGraph with the ``diagrams`` library to PNG and self-contained SVG.

- Rendering is in memory (``Digraph.pipe``): no ``.gv`` file, nothing in the current directory,
  so any number of processes or threads may render at once. Files are written to explicit paths
  through a temporary sibling and an atomic rename.
- Labels are Graphviz HTML-like tables (icon, bold name, grey detail lines); every piece of text
  from AWS is escaped (:func:`awsassess.architecture.legend.esc`).
- The SVG embeds each icon once (``<defs>`` + ``<use>``), as ``data:`` URIs: it opens anywhere.
- Large graphs are aggregated (:mod:`awsassess.architecture.aggregate`) and every VPC whose
  detail left the overview gets its own page ``<stem>-<vpc>.png|svg``.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import os
import re
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import diagrams
import graphviz
from diagrams import Cluster, Diagram, Edge
from diagrams import Node as DNode
from diagrams.aws import compute, database, devtools, general, network, storage
from diagrams.onprem import ci

from awsassess.architecture import aggregate
from awsassess.architecture._cells import slug
from awsassess.architecture.graph import ArchitectureGraph, Node
from awsassess.architecture.legend import EDGE_STYLES, FONT, GROUP_STYLES, INK, MUTED, esc, title_block, wrap
from awsassess.safe_files import write_bytes_atomic

ICON_CLASSES: dict[str, type[DNode]] = {
    "internet": general.Users,
    "cloudfront": network.CloudFront,
    "s3": storage.S3,
    "external": general.InternetAlt1,
    "igw": network.InternetGateway,
    "nat": network.NATGateway,
    "alb": network.ALB,
    "nlb": network.NLB,
    "gwlb": network.ELB,
    "ecs_service": compute.ElasticContainerServiceService,
    "ecs_cluster": compute.ElasticContainerService,
    "asg": compute.EC2AutoScaling,
    "ec2": compute.EC2,
    "rds": database.RDS,
    "aurora": database.Aurora,
    "docdb": database.DocumentDB,
    "elasticache": database.ElasticacheForRedis,
    "dynamodb": database.Dynamodb,
    "vpc": network.VPCRouter,
    "tgw": network.TransitGateway,
    "vpn": network.SiteToSiteVpn,
    "vpc_endpoint": network.Endpoint,
    "codepipeline": devtools.Codepipeline,
    "codebuild": devtools.Codebuild,
    "codedeploy": devtools.Codedeploy,
    "github_actions": ci.GithubActions,
    "ecr": compute.ECR,
}
FARGATE = compute.Fargate
ICON_PX = 40
NAME_WIDTH = 20
DETAIL_WIDTH = 26
NAME_PT = 15
DETAIL_PT = 12
NODESEP = "0.3"
RANKSEP = "0.5"
PNG_DPI = 96
WRAP_VPCS = 4  # from this many VPCs in a region, two columns of VPCs are tried (kept if they print larger)
A4_PT = (510.0, 680.0)  # printable A4 portrait area in points (180 x 240 mm)
MANAGED_END: int | None = 1  # AWS-managed box of a one-VPC region: 0 = after its first column, 1 = after its last
BUS_MIN = 3  # from this many sources, egress edges of one box join into one bus


class RenderError(RuntimeError):
    """Graphviz is missing or failed."""


def icon_path(cls: type[DNode]) -> str:
    base = Path(diagrams.__file__).resolve().parent.parent
    return str(base / str(cls._icon_dir) / str(cls._icon))


def node_icon(node: Node) -> type[DNode]:
    if node.kind == "ecs_service":
        launches = node.attrs.get("launches") or {str(node.attrs.get("launch", "")): 1}
        if all(str(k).startswith("Fargate") for k in launches):
            return FARGATE
    return ICON_CLASSES[node.kind]


def node_label(node: Node) -> str:
    icon = icon_path(node_icon(node))
    name = "<BR/>".join(esc(x) for x in wrap(node.label, NAME_WIDTH))
    out = [f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{ICON_PX}" HEIGHT="{ICON_PX}"><IMG SRC="{esc(icon)}" SCALE="TRUE"/></TD></TR>',
           f'<TR><TD><FONT POINT-SIZE="{NAME_PT}"><B>{name}</B></FONT></TD></TR>']
    for detail in node.details:
        text = "<BR/>".join(esc(x) for x in wrap(detail, DETAIL_WIDTH))
        out.append(f'<TR><TD><FONT POINT-SIZE="{DETAIL_PT}" COLOR="{MUTED}">{text}</FONT></TD></TR>')
    frame = 'BORDER="1" STYLE="rounded,dashed" COLOR="#879196"' if node.attrs.get("aggregated") else 'BORDER="0"'
    return f'<<TABLE {frame} CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">{"".join(out)}</TABLE>>'


def group_label(label: str, details: tuple[str, ...]) -> str:
    rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{NAME_PT}"><B>{esc(x)}</B></FONT></TD></TR>' for x in wrap(label, 56)]
    rows += [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{DETAIL_PT}" COLOR="{MUTED}">{esc(x)}</FONT></TD></TR>'
             for d in details for x in wrap(d, 80)]
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{"".join(rows)}</TABLE>>'


class _Box(Cluster):
    """A diagrams Cluster with a safe, unique Graphviz name and an HTML label."""

    def __init__(self, cid: str, label: str, attrs: dict[str, str]) -> None:
        super().__init__(label=cid, graph_attr={"fontname": FONT, "fontcolor": INK, "margin": "14", **attrs})
        self.dot.graph_attr["label"] = label


def build_diagram(graph: ArchitectureGraph, wrap_at: int | None = None) -> Diagram:
    """The diagrams.Diagram for ``graph``, built in a private context (nothing global is left set).
    ``wrap_at``: VPCs per region from which they are laid out in two columns (None: the default)."""
    return contextvars.copy_context().run(_build, graph, wrap_at)


def _build(graph: ArchitectureGraph, wrap_at: int | None = None) -> Diagram:
    graph.validate()
    diagram = Diagram(
        name="", filename=f"awsassess-{uuid.uuid4().hex}", show=False, direction="LR", curvestyle="ortho",
        graph_attr={"fontname": FONT, "fontcolor": INK, "pad": "0.4", "nodesep": NODESEP, "ranksep": RANKSEP,
                    "labelloc": "t", "labeljust": "l", "newrank": "true", "compound": "true"},
        node_attr={"fontname": FONT, "fontcolor": INK, "shape": "plain", "fixedsize": "false",
                   "width": "0", "height": "0", "margin": "0", "imagescale": "false"},
        edge_attr={"fontname": FONT, "fontsize": "10", "fontcolor": MUTED, "arrowsize": "0.8"},
    )
    diagram.dot.graph_attr["label"] = title_block(graph)
    diagrams.setdiagram(diagram)
    ids = {nid: f"n{k}" for k, nid in enumerate(graph.nodes)}
    drawn: dict[str, DNode] = {}
    children: dict[str | None, list[str]] = {}
    order = {"global": 0, "lane": 2}  # edge services drawn first (top), the CI/CD lane last (bottom)
    for g in sorted(graph.groups.values(), key=lambda g: order.get(g.kind, 1)):
        children.setdefault(g.parent, []).append(g.id)
    members: dict[str | None, list[Node]] = {}
    for n in graph.nodes.values():
        members.setdefault(n.group, []).append(n)
    gids = {gid: f"g{k}" for k, gid in enumerate(graph.groups)}

    # many services of one box going out through the same NAT gateways: one bus, not a tangle
    egress_to: dict[str, list[str]] = {}
    for e in graph.edges:
        if e.kind == "egress":
            egress_to.setdefault(e.src, []).append(e.dst)
    by_target: dict[tuple[str | None, tuple[str, ...]], list[str]] = {}
    for src, dsts in egress_to.items():
        by_target.setdefault((graph.nodes[src].group, tuple(sorted(dsts))), []).append(src)
    buses = [(gid, dsts, srcs) for (gid, dsts), srcs in by_target.items() if gid is not None and len(srcs) >= BUS_MIN]
    bused = {src for _, _, srcs in buses for src in srcs}
    junctions: dict[int, DNode] = {}

    def draw_junctions(gid: str) -> None:
        color = EDGE_STYLES["egress"]["color"]
        for k, (bus_gid, _, _) in enumerate(buses):
            if bus_gid == gid:
                junctions[k] = DNode("", nodeid=f"bus{k}", shape="point", width="0.09", height="0.09",
                                     color=color, fillcolor=color)

    def draw_node(n: Node) -> None:
        cls = node_icon(n)
        drawn[n.id] = cls(node_label(n), nodeid=ids[n.id], image="", shape="plain", height="0", width="0")

    def draw_group(gid: str) -> None:
        g = graph.groups[gid]
        with _Box(gids[gid], group_label(g.label, g.details), GROUP_STYLES.get(g.kind, {})):
            for child in children.get(gid, []):
                draw_group(child)
            for n in members.get(gid, []):
                draw_node(n)
            draw_junctions(gid)

    try:
        for n in members.get(None, []):
            draw_node(n)
        for gid in children.get(None, []):
            draw_group(gid)
        for k, (_gid, bus_dsts, bus_srcs) in enumerate(buses):
            style = dict(EDGE_STYLES["egress"])
            junction = junctions[k]
            for src in bus_srcs:
                diagram.connect(junction, drawn[src], Edge(**style))
            for dst in bus_dsts:
                diagram.connect(drawn[dst], junction, Edge(reverse=True, **style))
        for e in graph.edges:
            if e.kind == "egress" and e.src in bused:
                continue
            attrs = dict(EDGE_STYLES[e.kind])
            attrs.pop("dir", None)
            label = e.label or (f"×{e.count}" if e.count > 1 and e.kind in ("peering", "deploy", "traffic") else "")
            if label:
                attrs["xlabel"] = esc(label)
            if e.kind == "peering":
                attrs["constraint"] = "false"
            if e.kind == "egress":
                # drawn from the gateway inwards (so ranks read internet -> public -> private), arrow outwards
                diagram.connect(drawn[e.dst], drawn[e.src], Edge(reverse=True, **attrs))
            else:
                both = e.kind in ("peering", "tgw")
                diagram.connect(drawn[e.src], drawn[e.dst], Edge(forward=True, reverse=both, **attrs))
        for src, dst in layout_hints(graph, wrap_at):
            diagram.connect(drawn[src], drawn[dst], Edge(style="invis", forward=True))
    finally:
        diagrams.setdiagram(None)
        diagrams.setcluster(None)
    return diagram


def column(node: Node) -> int | None:
    """Left-to-right position of a node inside its VPC: router, IGW, public tier, front services,
    internal LBs, back services, capacity, data."""
    kind = node.kind
    if kind in ("alb", "nlb", "gwlb"):
        return 2 if node.attrs.get("scheme", "internet-facing") == "internet-facing" else 4
    if kind == "ecs_service":
        return 3 if node.attrs.get("public") or node.attrs.get("caller") else 5
    return {"vpc": 1, "igw": 1, "nat": 2, "ec2": 5, "asg": 6, "rds": 7, "aurora": 7, "docdb": 7,
            "elasticache": 7, "vpc_endpoint": 7}.get(kind)


def layout_hints(graph: ArchitectureGraph, wrap_at: int | None = None) -> list[tuple[str, str]]:
    """Invisible edges that steer the layout: every VPC's nodes in the same columns and, from
    ``wrap_at`` VPCs in a region, the VPCs in two side-by-side columns (a tall page reads badly)."""
    wrap_at = WRAP_VPCS if wrap_at is None else wrap_at
    hints: list[tuple[str, str]] = []
    ends: dict[str, tuple[str, str]] = {}  # VPC group -> (first-column node, last-column node)
    for g in graph.groups.values():
        if g.kind not in ("vpc", "more"):
            continue
        buckets: dict[int, list[str]] = {}
        for n in graph.nodes_in(g.id, recursive=True):
            col = column(n)
            if col is not None:
                buckets.setdefault(col, []).append(n.id)
        cols = sorted(buckets)
        for a, b in zip(cols, cols[1:], strict=False):
            hints.extend((buckets[a][0], dst) for dst in buckets[b])
        if cols:
            ends[g.id] = (buckets[cols[0]][0], buckets[cols[-1]][0])
    for region in graph.groups.values():
        vpcs = [g.id for g in graph.child_groups(region.id) if g.id in ends]
        if region.kind == "region" and len(vpcs) == 1 and MANAGED_END is not None:
            # one VPC: AWS-managed services to its right, clear of the internet's request path
            for box in graph.child_groups(region.id):
                if box.kind in ("managed", "datastores"):
                    hints.extend((ends[vpcs[0]][MANAGED_END], n.id) for n in graph.nodes_in(box.id))
        if region.kind != "region" or len(vpcs) < wrap_at:
            continue
        half = (len(vpcs) + 1) // 2
        for left, right in zip(vpcs[:half], vpcs[half:], strict=False):
            hints.append((ends[left][1], ends[right][0]))
    return hints


@cache
def _data_uri(path: str) -> str:
    data = Path(path).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


_IMAGE = re.compile(r'<image\b([^>]*?)xlink:href="([^"]+)"([^>]*?)/?>')
_ATTR = re.compile(r'\b(width|height|x|y|preserveAspectRatio)="([^"]*)"')


def inline_svg_images(svg: str) -> str:
    """Replace every ``<image xlink:href="/local/file.png">`` by a ``<use>`` of a data-URI image in ``<defs>``."""
    defs: dict[tuple[str, str, str, str], str] = {}

    def repl(m: re.Match[str]) -> str:
        href = m.group(2)
        if href.startswith("data:") or href.startswith("#"):
            return m.group(0)
        attrs = dict(_ATTR.findall(m.group(1) + " " + m.group(3)))
        key = (href, attrs.get("width", ""), attrs.get("height", ""), attrs.get("preserveAspectRatio", ""))
        if key not in defs:
            defs[key] = f"icon{len(defs)}"
        return f'<use xlink:href="#{defs[key]}" x="{attrs.get("x", "0")}" y="{attrs.get("y", "0")}"/>'

    body = _IMAGE.sub(repl, svg)
    if not defs:
        return body
    parts = []
    for (href, w, h, par), ident in defs.items():
        if not os.path.isfile(href):
            raise RenderError(f"icon {href} referenced by the SVG does not exist")
        parts.append(f'<image id="{ident}" xlink:href="{_data_uri(href)}" x="0" y="0" width="{w}" height="{h}"'
                     + (f' preserveAspectRatio="{par}"' if par else "") + "/>")
    block = "<defs>" + "".join(parts) + "</defs>"
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + "\n" + block, body, count=1)


def _pipe(diagram: Diagram, fmt: str, name: str) -> bytes:
    try:
        return diagram.dot.pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound as exc:
        raise RenderError("Graphviz 'dot' was not found on PATH. Install it: `apt-get install graphviz` "
                          "(Debian/Ubuntu), `brew install graphviz` or `conda install -c conda-forge graphviz`.") from exc
    except graphviz.CalledProcessError as exc:
        err = exc.stderr.decode(errors="replace")[-800:] if exc.stderr else str(exc)
        raise RenderError(f"Graphviz failed on {name!r}: {err}") from exc


_SVG_SIZE = re.compile(rb'<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"')


def page_fit(graph: ArchitectureGraph, wrap_at: int | None) -> float:
    """How much the laid-out diagram must shrink to fit an A4 page's printable area (1.0 = not at all)."""
    svg = _pipe(build_diagram(graph, wrap_at), "svg", graph.name)
    m = _SVG_SIZE.search(svg[:2000])
    if not m:
        return 0.0
    w, h = float(m.group(1)), float(m.group(2))
    return min(1.0, A4_PT[0] / w, A4_PT[1] / h)


def choose_wrap(graph: ArchitectureGraph) -> int:
    """One column of VPCs or two: whichever prints larger on an A4 page (a tall column shrinks badly)."""
    regions = [g for g in graph.groups.values() if g.kind == "region"]
    if not any(len([c for c in graph.child_groups(r.id) if c.kind in ("vpc", "more")]) >= WRAP_VPCS for r in regions):
        return 10**6
    return WRAP_VPCS if page_fit(graph, WRAP_VPCS) > page_fit(graph, 10**6) else 10**6


STAMP_KEY = "awsassess-source-sha256"


def _stamped_diagram(graph: ArchitectureGraph, fmt: str, dpi: int, wrap_at: int | None) -> tuple[Diagram, str]:
    """(the diagram to draw, the stamp of its drawing): the Graphviz source with format, DPI and version."""
    from awsassess import __version__

    diagram = build_diagram(graph, wrap_at)
    if fmt == "png":
        diagram.dot.graph_attr["dpi"] = str(dpi)
    return diagram, hashlib.sha256(f"{fmt}\0{__version__}\0{diagram.dot.source}".encode()).hexdigest()


def drawn_wrap(graph: ArchitectureGraph, paths: dict[str, Path], dpi: int) -> int | None:
    """The wrap (:func:`choose_wrap`'s answer) with which every file in ``paths`` (format -> path) was
    drawn from ``graph``, read from their stamps; None when they are missing or drawn otherwise. Lets a
    second draw of the same graph skip the two trial layouts of :func:`choose_wrap`."""
    stamps = {fmt: read_stamp(path) for fmt, path in paths.items()}
    if not all(stamps.values()):
        return None
    for columns in (WRAP_VPCS, 10**6):
        if all(stamps[fmt] == _stamped_diagram(graph, fmt, dpi, columns)[1] for fmt in paths):
            return columns
    return None


def render_file(graph: ArchitectureGraph, fmt: str, path: Path, dpi: int = PNG_DPI,
                wrap_at: int | None = None) -> Path:
    """Write ``graph`` as ``path`` (PNG or SVG), unless ``path`` already holds this very drawing.

    The Graphviz source (with the format, DPI and the awsassess version) is hashed and the hash is
    stamped inside the image (a PNG ``tEXt`` chunk, an SVG comment); when the file's stamp matches,
    Graphviz is not run again. The analyze step and the architecture notebook draw the same diagrams
    from the same snapshot: the second draw is free, and any change of the graph, the options or the
    tool draws anew.
    """
    diagram, digest = _stamped_diagram(graph, fmt, dpi, wrap_at)
    if read_stamp(path) == digest:
        return path
    data = _pipe(diagram, fmt, graph.name)
    if fmt == "svg":
        data = inline_svg_images(data.decode("utf-8")).encode("utf-8")
    return _write(path, with_stamp(data, fmt, digest))


def with_stamp(data: bytes, fmt: str, digest: str) -> bytes:
    """``data`` (PNG or SVG bytes) carrying ``digest`` under :data:`STAMP_KEY`."""
    if fmt == "png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return data
        end_ihdr = 8 + 12 + int.from_bytes(data[8:12], "big")
        body = b"tEXt" + STAMP_KEY.encode("latin-1") + b"\0" + digest.encode("ascii")
        chunk = (len(body) - 4).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
        return data[:end_ihdr] + chunk + data[end_ihdr:]
    comment = f"<!-- {STAMP_KEY}: {digest} -->\n".encode()
    head_end = data.find(b"?>") + 2 if data.startswith(b"<?xml") else 0
    return data[:head_end] + b"\n" + comment + data[head_end:].lstrip(b"\n")


def read_stamp(path: Path) -> str | None:
    """The digest :func:`with_stamp` put in the image at ``path``, if any."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        pos = 8
        while pos + 8 <= len(head):
            length, kind = int.from_bytes(head[pos:pos + 4], "big"), head[pos + 4:pos + 8]
            if kind == b"tEXt":
                key, _, value = head[pos + 8:pos + 8 + length].partition(b"\0")
                if key == STAMP_KEY.encode("latin-1"):
                    return value.decode("ascii", errors="replace")
            if kind == b"IDAT":
                return None
            pos += 12 + length
        return None
    m = re.search(rb"<!-- " + re.escape(STAMP_KEY.encode()) + rb": ([0-9a-f]{64}) -->", head)
    return m.group(1).decode() if m else None


def _write(path: Path, data: bytes) -> Path:
    return write_bytes_atomic(path, data)


def _stem(graph: ArchitectureGraph, out_base: Path) -> Path:
    out_base = Path(out_base)
    if out_base.is_dir():
        return out_base / graph.name
    if out_base.suffix.lower() in (".png", ".svg"):
        return out_base.with_suffix("")
    return out_base


def _page_names(graph: ArchitectureGraph, vpc_gids: list[str]) -> dict[str, str]:
    """A readable, unique, filesystem-safe name per VPC: its Name tag slug, else its id."""
    names: dict[str, str] = {}
    for gid in vpc_gids:
        g = graph.groups[gid]
        names[gid] = slug(str(g.attrs.get("name") or "")) or slug(str(g.attrs.get("vpc_id") or gid))
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {gid: (n if counts[n] == 1 else slug(f"{n}-{graph.groups[gid].attrs.get('vpc_id') or gid}"))
            for gid, n in names.items()}


def _page_adds_detail(overview: ArchitectureGraph, page: ArchitectureGraph, gid: str) -> bool:
    """False when the page would show no more of the VPC than the overview (NAT gateways, merged per
    tier on the overview without losing anything, do not count)."""
    if gid not in overview.groups:
        return True

    def count(g: ArchitectureGraph) -> int:
        return sum(1 for n in g.nodes_in(gid, recursive=True) if n.kind != "nat")

    return count(page) > count(overview)


def render(graph: ArchitectureGraph, out_base: Path, *, formats: tuple[str, ...] = ("png", "svg"),
           max_per_kind: int = aggregate.MAX_PER_KIND, max_nodes: int = aggregate.MAX_NODES,
           max_vpcs: int = aggregate.MAX_VPCS, pages: bool = True, max_pages: int = 50,
           dpi: int = PNG_DPI, workers: int | None = None) -> dict[str, Path]:
    """Write ``graph`` as ``<out_base>.png`` and ``.svg`` (``out_base`` may be an existing folder:
    then ``<folder>/<graph.name>.*``). Past the thresholds the overview aggregates and up to
    ``max_pages`` VPC detail pages ``<stem>-<vpc>.png|svg`` are written too (biggest VPCs first;
    a page that would show no more than the overview is skipped).

    Graphviz runs as subprocesses on up to ``workers`` threads (default: CPUs, at most 4).
    Returns ``{"png": path, "svg": path}`` plus ``"<page stem>.<fmt>"`` keys for detail pages.
    """
    for fmt in formats:
        if fmt not in ("png", "svg"):
            raise ValueError(f"formats: {fmt!r} is not supported; use 'png' and/or 'svg'")
    stem = _stem(graph, out_base)
    overview, touched = aggregate.overview(graph, max_per_kind=max_per_kind, max_nodes=max_nodes, max_vpcs=max_vpcs)
    paths = {fmt: stem.with_name(f"{stem.name}.{fmt}") for fmt in formats}
    wrap = drawn_wrap(overview, paths, dpi) or choose_wrap(overview)
    jobs: list[tuple[str, ArchitectureGraph, str, Path, int]] = [
        (fmt, overview, fmt, paths[fmt], wrap) for fmt in formats]
    if pages and touched:
        names = _page_names(graph, touched)
        count = 0
        for gid in touched:
            if count >= max_pages:
                overview.notes.append(f"Detail pages were drawn for the {max_pages} largest VPCs only.")
                break
            page = aggregate.vpc_page(graph, gid)
            if not _page_adds_detail(overview, page, gid):
                continue
            count += 1
            page_stem = f"{stem.name}-{names[gid]}"
            jobs.extend((f"{page_stem}.{fmt}", page, fmt, stem.with_name(f"{page_stem}.{fmt}"), 10**6)
                        for fmt in formats)
    n = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, n), thread_name_prefix="awsassess-render") as pool:
        futures = [(key, pool.submit(render_file, g, fmt, path, dpi, w)) for key, g, fmt, path, w in jobs]
        return {key: fut.result() for key, fut in futures}
