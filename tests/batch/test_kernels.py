"""awsassess.batch.kernels: notebooks one after another in one real, kept IPython kernel."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from awsassess.batch.kernels import WarmKernel, execute_notebook

pytestmark = pytest.mark.timeout(180)

RECORD = """
import json, os
from pathlib import Path
Path(record).write_text(json.dumps({"pid": os.getpid(), "cwd": os.getcwd(),
                                    "leaked": sorted(k for k in ("secret", "record_prev") if k in globals())}))
"""


def notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("record = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def run(kernel: WarmKernel | None, nb: Path, tmp: Path, name: str, cwd: Path) -> dict:
    record = tmp / f"{name}.json"
    execute_notebook(kernel, str(nb), tmp / f"{name}.out.ipynb", cwd=cwd, parameters={"record": str(record)},
                     kernel_name="python3", progress_bar=False, log_output=False)
    return json.loads(record.read_text())


@pytest.fixture()
def kernel():
    k = WarmKernel()
    yield k
    k.close()


def test_notebooks_share_the_kernel_but_not_the_variables(tmp_path: Path, kernel: WarmKernel) -> None:
    first = notebook(tmp_path / "first.ipynb", "secret = 'from the first notebook'", RECORD)
    second = notebook(tmp_path / "second.ipynb", RECORD)
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()

    a = run(kernel, first, tmp_path, "first", a_dir)
    b = run(kernel, second, tmp_path, "second", b_dir)

    assert a["pid"] == b["pid"] == kernel.pid, "both notebooks ran in the one kept kernel"
    assert kernel.started == 1
    assert a["leaked"] == ["secret"]
    assert b["leaked"] == [], "the second notebook must not see the first one's variables"
    assert Path(a["cwd"]) == a_dir.resolve() and Path(b["cwd"]) == b_dir.resolve()
    executed = nbformat.read(tmp_path / "second.out.ipynb", as_version=4)
    counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "cell numbers restart at 1 in every notebook"


def test_a_failed_notebook_discards_the_kernel(tmp_path: Path, kernel: WarmKernel) -> None:
    from papermill.exceptions import PapermillExecutionError

    ok = notebook(tmp_path / "ok.ipynb", RECORD)
    bad = notebook(tmp_path / "bad.ipynb", "import sys; sys.modules['json'].planted = True", "raise RuntimeError('planted')")
    before = run(kernel, ok, tmp_path, "before", tmp_path)
    with pytest.raises(PapermillExecutionError, match="planted"):
        run(kernel, bad, tmp_path, "bad", tmp_path)
    assert kernel.pid is None, "the failed kernel is shut down at once"
    after = run(kernel, notebook(tmp_path / "check.ipynb", RECORD, "assert not hasattr(json, 'planted')"),
                tmp_path, "after", tmp_path)
    assert after["pid"] != before["pid"]
    assert kernel.started == 2
    with pytest.raises(ProcessLookupError):
        os.kill(before["pid"], 0)


def test_the_kernel_is_replaced_after_max_uses(tmp_path: Path) -> None:
    kernel = WarmKernel(max_uses=2)
    try:
        nb = notebook(tmp_path / "nb.ipynb", RECORD)
        pids = [run(kernel, nb, tmp_path, f"r{i}", tmp_path)["pid"] for i in range(3)]
    finally:
        kernel.close()
    assert pids[0] == pids[1] != pids[2]
    assert kernel.started == 2


def test_close_ends_the_kernel_process(tmp_path: Path) -> None:
    kernel = WarmKernel()
    pid = run(kernel, notebook(tmp_path / "nb.ipynb", RECORD), tmp_path, "r", tmp_path)["pid"]
    kernel.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_without_a_warm_kernel_each_notebook_gets_a_new_one(tmp_path: Path) -> None:
    nb = notebook(tmp_path / "nb.ipynb", "secret = 1", RECORD)
    a = run(None, nb, tmp_path, "a", tmp_path)
    b = run(None, nb, tmp_path, "b", tmp_path)
    assert a["pid"] != b["pid"]


def test_a_timed_out_notebook_is_written_for_diagnosis(tmp_path: Path, kernel: WarmKernel) -> None:
    nb = notebook(tmp_path / "slow.ipynb", "done_before = True", "import time; time.sleep(30)")
    out = tmp_path / "slow.out.ipynb"
    with pytest.raises(Exception, match="(?i)timed out|timeout"):
        execute_notebook(kernel, str(nb), out, cwd=tmp_path, parameters={"record": "x"}, kernel_name="python3",
                         progress_bar=False, execution_timeout=2)
    kept = nbformat.read(out, as_version=4)
    assert kept.cells[2].execution_count is not None, "the cells that ran are in the kept notebook"
    papermill = kept.metadata["papermill"]  # written by papermill's own final save: with its end time
    assert papermill["end_time"] and papermill["duration"] > 0
    assert kernel.pid is None, "a kernel that timed out is not reused"
