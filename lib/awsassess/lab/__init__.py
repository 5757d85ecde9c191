"""Exploring an assessment in JupyterLab (``awsassess lab``): the session's choice of run and account,
what-if controls, live outputs, zoomable diagrams. In a batch or a report build these functions show
nothing extra and render exactly the static outputs (see :mod:`awsassess.lab.mode`)."""

from awsassess.lab.whatif import badge, explorer

__all__ = ["badge", "explorer"]
