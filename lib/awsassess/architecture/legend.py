"""Styles of edges and boxes, and the legend/title block drawn at the top of every diagram.

The legend is an HTML-like Graphviz label (a table), so it needs no extra nodes and always sits
in the same place. All user text passes through :func:`esc`.
"""

from __future__ import annotations

from awsassess import escaping
from awsassess.architecture.graph import EDGE_KINDS, PLURALS, ArchitectureGraph

FONT = "Helvetica"
INK = "#232F3E"  # AWS squid ink
MUTED = "#545B64"

EDGE_STYLES: dict[str, dict[str, str]] = {
    "traffic": {"color": INK, "penwidth": "1.6", "style": "solid"},
    "egress": {"color": "#879196", "penwidth": "1.1", "style": "dashed"},
    "peering": {"color": "#E07B00", "penwidth": "2.2", "style": "solid", "dir": "both", "arrowhead": "dot",
                "arrowtail": "dot", "arrowsize": "0.6"},
    "tgw": {"color": "#8C4FFF", "penwidth": "2.2", "style": "solid", "dir": "both", "arrowhead": "dot",
            "arrowtail": "dot", "arrowsize": "0.6"},
    "deploy": {"color": "#1A73E8", "penwidth": "1.4", "style": "dashed"},
    "data": {"color": "#3F8624", "penwidth": "1.2", "style": "dotted"},
}
# what a reader sees in the legend: a line drawn with characters in the edge's colour
EDGE_SAMPLES = {"solid": "━━━━", "dashed": "╍╍╍╍", "dotted": "┅┅┅┅"}

GROUP_STYLES: dict[str, dict[str, str]] = {
    "account": {"pencolor": INK, "bgcolor": "#FFFFFF", "style": "rounded", "penwidth": "1.6"},
    "region": {"pencolor": "#147EBA", "bgcolor": "#FFFFFF", "style": "dashed", "penwidth": "1.2"},
    "global": {"pencolor": "#879196", "bgcolor": "#F7F8F8", "style": "rounded,dashed"},
    "vpc": {"pencolor": "#248814", "bgcolor": "#FFFFFF", "style": "rounded", "penwidth": "1.6"},
    "more": {"pencolor": "#248814", "bgcolor": "#F4F9F2", "style": "rounded,dashed", "penwidth": "1.6"},
    "tier_public": {"pencolor": "#7AA116", "bgcolor": "#F2F8EA", "style": "rounded"},
    "tier_private": {"pencolor": "#147EBA", "bgcolor": "#EAF3FA", "style": "rounded"},
    "az": {"pencolor": "#879196", "bgcolor": "#FFFFFF", "style": "dashed"},
    "ecs_cluster": {"pencolor": "#ED7100", "bgcolor": "#FFF6EC", "style": "rounded"},
    "datastores": {"pencolor": "#C925D1", "bgcolor": "#FBF0FC", "style": "rounded,dashed"},
    "managed": {"pencolor": "#879196", "bgcolor": "#F7F8F8", "style": "rounded,dashed"},
    "lane": {"pencolor": "#1A73E8", "bgcolor": "#EEF4FD", "style": "rounded"},
}



def esc(text: object) -> str:
    """Text for a Graphviz HTML-like label: XML-escaped (& < > " '), control and bidi characters dropped
    (:func:`awsassess.escaping.plain`, the project's one escaper, without break tags)."""
    return escaping.plain(text)


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters: at a space if that keeps the line at
    least a third full, else after - _ . / : , else hard."""
    lines: list[str] = []
    rest = text.strip()
    while len(rest) > width:
        cut = rest.rfind(" ", 0, width + 1)
        if cut >= width // 3:
            lines.append(rest[:cut])
            rest = rest[cut + 1:].lstrip()
            continue
        cut = max(rest.rfind(ch, 0, width) for ch in "-_./:,")
        if cut < width // 3:
            cut = width - 1
        lines.append(rest[:cut + 1])
        rest = rest[cut + 1:].lstrip()
    if rest:
        lines.append(rest)
    return lines


def summary_line(graph: ArchitectureGraph) -> str:
    counts = graph.counts()
    vpcs = len([g for g in graph.groups.values() if g.kind == "vpc" and not g.id.startswith("stub:")])
    vpcs += sum(len(g.attrs.get("vpc_ids") or []) for g in graph.groups.values() if g.kind == "more")
    parts = [f"{vpcs} VPC{'s' if vpcs != 1 else ''}"] if vpcs else []
    for kind in ("nat", "alb", "nlb", "ecs_service", "rds", "docdb", "aurora", "elasticache", "dynamodb", "cloudfront"):
        if counts.get(kind):
            n = counts[kind]
            parts.append(f"{n} {PLURALS[kind] if n != 1 else PLURALS[kind].rstrip('s')}")
    peer = sum(e.count for e in graph.edges if e.kind == "peering")
    if peer:
        parts.append(f"{peer} peering link{'s' if peer != 1 else ''}")
    return " · ".join(parts)


def title_block(graph: ArchitectureGraph) -> str:
    """Title, a one-line summary and the legend (only what this diagram uses), as an HTML-like label."""
    kinds = [k for k in EDGE_KINDS if any(e.kind == k for e in graph.edges)]
    cells = []
    for k in kinds:
        style = EDGE_STYLES[k]
        sample = EDGE_SAMPLES.get(style["style"], EDGE_SAMPLES["solid"])
        cells.append(f'<TD ALIGN="LEFT"><FONT COLOR="{style["color"]}">{sample}</FONT> {esc(EDGE_KINDS[k])}</TD>')
    if any(n.attrs.get("aggregated") for n in graph.nodes.values()):
        cells.append('<TD ALIGN="LEFT" BORDER="1" STYLE="dashed" COLOR="#879196"> N … = N resources in one node </TD>')
    legend = ""
    if cells:
        legend = ('<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="6" CELLPADDING="2"><TR>'
                  f'<TD ALIGN="LEFT"><B>Legend</B></TD>{"".join(cells)}</TR></TABLE></TD></TR>')
    notes = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="14" COLOR="{MUTED}">{esc(n)}</FONT></TD></TR>'
                    for n in graph.notes)
    summary = summary_line(graph)
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="28"><B>{esc(graph.title)}</B></FONT></TD></TR>'
        + (f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="18" COLOR="{MUTED}">{esc(summary)}</FONT></TD></TR>' if summary else "")
        + legend + notes + "</TABLE>>"
    )
