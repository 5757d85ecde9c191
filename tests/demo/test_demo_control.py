"""The launcher reads the server's JSON lines through real pipes, also when a stray print without a
newline lands in front of one (seen once in CI: the "serving" line was lost, the estate "failed: None")."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from awsassess.demo.control import Estate, _Group, _our_message


def _printer(lines: list[str]) -> subprocess.Popen[bytes]:
    code = "import sys\n" + "".join(f"sys.stdout.write({line!r}); sys.stdout.flush()\n" for line in lines)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)


def test_our_message_finds_the_json_after_a_stray_print() -> None:
    assert _our_message('{"serving": "http://x"}') == {"serving": "http://x"}
    assert _our_message('warning: {not json} then {"estate": "a", "serving": "u"}') == {"estate": "a", "serving": "u"}
    assert _our_message("no message here") is None
    assert _our_message('["a list"]') is None


def test_group_routes_a_prefixed_serving_line_and_keeps_the_seeded_one() -> None:
    serving = json.dumps({"serving": "http://127.0.0.1:1", "estate": "a", "pid": 1})
    seeded = json.dumps({"endpoint_url": "http://127.0.0.1:1", "estate": "a", "pid": 1, "timings": {"total": 1.0}})
    proc = _printer(["stray text without newline", serving + "\n", seeded + "\n"])
    group = _Group(proc, {"a"})
    estate = Estate(proc, {"serving": ""}, Path("unused.log"), 0.0, name="a", t0=0.0, group=group)
    assert estate._next_message(10, "serving")["serving"] == "http://127.0.0.1:1"
    assert estate.wait_seeded(10).timings == {"total": 1.0}
    proc.wait(10)


def test_a_lost_serving_line_is_implied_by_the_seeded_line() -> None:
    seeded = json.dumps({"endpoint_url": "http://127.0.0.1:2", "estate": "a", "pid": 1, "timings": {"total": 2.0}})
    proc = _printer(["garbage {broken\n", seeded + "\n"])
    group = _Group(proc, {"a"})
    estate = Estate(proc, {"serving": ""}, Path("unused.log"), 0.0, name="a", t0=0.0, group=group)
    assert estate._next_message(10, "serving")["serving"] == "http://127.0.0.1:2"
    assert estate.wait_seeded(10).timings == {"total": 2.0}  # the same line, read again
    proc.wait(10)


def test_single_server_lost_serving_line_is_implied_by_the_seeded_line(tmp_path) -> None:  # noqa: ANN001
    seeded = json.dumps({"endpoint_url": "http://127.0.0.1:3", "pid": 1, "timings": {"total": 3.0}})
    proc = _printer(["oops " + seeded + "\n"])
    estate = Estate(proc, {"serving": ""}, tmp_path / "log", 0.0, name="solo", t0=0.0)
    assert estate._next_message(10, "serving")["serving"] == "http://127.0.0.1:3"
    assert estate.wait_seeded(10).timings == {"total": 3.0}
    proc.wait(10)
