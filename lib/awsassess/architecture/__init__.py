"""Architecture diagrams from data: the current estate (snapshot) and the proposed one (cost model).

    from awsassess.architecture import current_graph, proposed_graph, render, diff_table
    cur, new = current_graph(snapshot), proposed_graph(snapshot, assess(snapshot).proposed)
    render(cur, account_dir / "diagrams" / "current")    # current.png + current.svg (+ per-VPC pages)
    render(new, account_dir / "diagrams" / "proposed")
    diff_table(cur, new)                                  # what changes, as a DataFrame
"""

from awsassess.architecture.build_current import current_graph
from awsassess.architecture.build_proposed import ProposedSpec, proposed_graph, proposed_spec
from awsassess.architecture.diff import diff_table
from awsassess.architecture.graph import ArchitectureGraph, Edge, Group, Node
from awsassess.architecture.render import RenderError, render

__all__ = ["ArchitectureGraph", "Edge", "Group", "Node", "ProposedSpec", "RenderError", "current_graph",
           "diff_table", "proposed_graph", "proposed_spec", "render"]
