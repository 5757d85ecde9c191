"""Exploring an assessment in JupyterLab: the session's choice of run and account, what-if controls,
interactive tables and drill-downs. Nothing here runs in a batch or a report build (see :mod:`.mode`)."""
