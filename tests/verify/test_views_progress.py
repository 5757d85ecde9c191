"""Every view of the "Progress against the plan" section on a real progress document, on none and on an error."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from awsassess.verify import verify_account
from awsassess.views import Note
from awsassess.views import progress as view
from demo_snapshots import demo_model, demo_snapshot
from migrated import migrate
from pandas.io.formats.style import Styler
from test_verify import _folder

VIEWS = [fn for name, fn in inspect.getmembers(view, inspect.isfunction)
         if not name.startswith("_") and fn.__module__ == view.__name__]


def _render(out: Any) -> str:
    if isinstance(out, Note):
        return out._repr_markdown_()
    if isinstance(out, Styler):
        return out.to_html()
    return str(out._repr_html_())


@pytest.fixture(scope="module")
def progress(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root: Path = tmp_path_factory.mktemp("p")
    before = _folder(root / "b", "fintech-production", demo_snapshot("production"))
    after = _folder(root / "a", "fintech-production", migrate(demo_snapshot("production"), demo_model("production"), 3))
    return verify_account(before, after).to_dict()


def test_every_view_shows_a_progress_document(progress: dict[str, Any]) -> None:
    assert len(VIEWS) >= 8
    html = {fn.__name__: _render(fn(progress)) for fn in VIEWS}
    assert "3 of 7 migration waves done" in html["headline"]
    assert "done" in html["waves"] and "not started" in html["waves"]
    assert "<table" in html["findings"] and "resolved" in html["findings"]
    assert "<table" in html["money"] and "<table" in html["against_plan"]


@pytest.mark.parametrize("doc", [None, {"error": "the baseline run has no snapshot of x. Fix: ..."}])
def test_an_unverified_or_failed_account_says_so(doc: dict[str, Any] | None) -> None:
    for fn in VIEWS:
        text = _render(fn(doc))
        if fn.__name__ != "notes":
            assert "verified" in text or "could not be measured" in text, fn.__name__


def test_text_from_the_estate_is_escaped(progress: dict[str, Any]) -> None:
    doc = dict(progress)
    doc["waves"] = [dict(progress["waves"][0], name="<script>alert(1)</script>")]
    assert "<script>" not in _render(view.waves(doc))
