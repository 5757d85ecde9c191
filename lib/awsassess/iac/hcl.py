"""A small HCL writer whose output is already in ``terraform fmt`` layout.

The layout follows hclwrite's formatter (the code behind ``terraform fmt``): two spaces per open bracket
or block; within a run of consecutive lines that each hold a one-line ``name = value``, the ``=`` signs
line up one column after the longest name; a line that opens a multi-line value (``tags = {``), a
comment line, a blank line or a nested block ends the run. Values are always written the same way:
strings quoted and escaped (``${`` and ``%{`` doubled so nothing is interpolated), objects and lists of
objects over several lines, short lists of scalars on one line, references and calls through
:class:`Expr` and :class:`Call`.

Nothing here knows about AWS: :mod:`awsassess.iac.terraform` builds the blocks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
INDENT = "  "
ONE_LINE_LIST_MAX = 100  # characters of a one-line list of scalars before it is written over several lines


class Expr(str):
    """An HCL expression written as it is (``module.vpc.vpc_id``, ``var.image["web"]``). One line only."""

    def __new__(cls, text: str) -> Expr:
        if "\n" in text:
            raise ValueError(f"an Expr is one line: {text!r}")
        return super().__new__(cls, text)


@dataclass(frozen=True)
class Call:
    """A function call whose one argument may span lines: ``jsonencode({...})``, ``merge(var.tags, {...})``."""

    name: str
    args: tuple[Value, ...]


Value = Union[str, int, float, bool, None, Expr, Call, "Block", Sequence["Value"], Mapping[str, "Value"]]  # noqa: UP007


@dataclass(frozen=True)
class Attr:
    name: str
    value: Value


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass(frozen=True)
class Blank:
    pass


@dataclass
class Block:
    """A block (``resource "aws_x" "y" { ... }``); as a value, an object literal keeping its comments."""

    type: str
    labels: tuple[str, ...] = ()
    body: list[Item] = field(default_factory=list)

    def attr(self, name: str, value: Value, comment: str | None = None) -> Block:
        """Append ``name = value`` (after a ``# comment`` line when given); returns self."""
        if comment:
            self.body.append(Comment(comment))
        self.body.append(Attr(name, value))
        return self

    def block(self, type_: str, *labels: str) -> Block:
        """Append and return a nested block."""
        child = Block(type_, tuple(labels))
        self.body.append(child)
        return child

    def comment(self, text: str) -> Block:
        self.body.append(Comment(text))
        return self

    def blank(self) -> Block:
        self.body.append(Blank())
        return self

    def attributes(self) -> dict[str, Value]:
        return {i.name: i.value for i in self.body if isinstance(i, Attr)}

    def blocks(self, type_: str | None = None) -> list[Block]:
        return [i for i in self.body if isinstance(i, Block) and (type_ is None or i.type == type_)]


Item = Union[Attr, Block, Comment, Blank]  # noqa: UP007


# ----------------------------------------------------------------------------------------- values
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(text: str) -> str:
    """An HCL string literal: ``\\``, ``\"``, ``\\n``, ``\\r``, ``\\t`` and ``\\uNNNN`` for other control characters
    (HCL has no ``\\b`` or ``\\f``), with ``${`` and ``%{`` doubled (no interpolation, no directive)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'



def key(name: str) -> str:
    """An object key: bare when it is an identifier, an :class:`Expr` key in parentheses, else quoted."""
    if isinstance(name, Expr):
        return f"({name})"
    return name if _IDENT.match(name) else quote(name)


def _scalar(v: Value) -> str | None:
    if isinstance(v, Expr):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"not a finite number: {v!r}")
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return quote(v)
    return None


def _one_line(v: Value) -> str | None:
    """The value on one line, or None when it needs several (objects, lists of objects, long lists, calls)."""
    s = _scalar(v)
    if s is not None:
        return s
    if isinstance(v, Mapping):
        return "{}" if not v else None
    if isinstance(v, Block):
        return "{}" if not v.body else None
    if isinstance(v, Call):
        return None
    if isinstance(v, Sequence):
        parts = [_scalar(x) for x in v]
        if any(p is None for p in parts):
            return None
        text = "[" + ", ".join(p for p in parts if p is not None) + "]"
        return text if len(text) <= ONE_LINE_LIST_MAX else None
    raise TypeError(f"cannot write {type(v).__name__} as HCL: {v!r}")


def _value_lines(v: Value, depth: int) -> list[str]:
    """The value as lines; the first line continues the ``name = `` before it, the others are indented."""
    one = _one_line(v)
    if one is not None:
        return [one]
    pad, inner = INDENT * depth, INDENT * (depth + 1)
    if isinstance(v, Mapping):
        return ["{", *_body_lines([Attr(k, x) for k, x in v.items()], depth + 1, object_keys=True), pad + "}"]
    if isinstance(v, Block):  # an object written with the comments and blank lines of a block body
        return ["{", *_body_lines(v.body, depth + 1, object_keys=True), pad + "}"]
    if isinstance(v, Call):
        heads = [_one_line(a) for a in v.args[:-1]]
        if all(h is not None for h in heads):  # only the last argument spans lines: name(a, b, {
            head = ", ".join(h for h in heads if h is not None)
            first = f"{v.name}({head}, " if head else f"{v.name}("
            last = _value_lines(v.args[-1], depth) if v.args else [""]
            return [first + last[0], *last[1:-1], last[-1] + ")"] if len(last) > 1 else [first + last[0] + ")"]
        out = [f"{v.name}("]  # several multi-line arguments: one per line group, inside the parentheses
        for i, a in enumerate(v.args):
            lines = _value_lines(a, depth + 1)
            out.append(inner + lines[0])
            out.extend(lines[1:])
            if i < len(v.args) - 1:
                out[-1] += ","
        return [*out, pad + ")"]
    out = ["["]
    for x in v:  # type: ignore[union-attr]
        lines = _value_lines(x, depth + 1)
        out.append(inner + lines[0])
        out.extend(lines[1:])
        out[-1] += ","
    return [*out, pad + "]"]


def _align(run: list[tuple[str, str]], pad: str) -> list[str]:
    width = max(len(k) for k, _ in run)
    return [f"{pad}{k.ljust(width)} = {v}" for k, v in run]


def _body_lines(items: Iterable[Item], depth: int, object_keys: bool = False) -> list[str]:
    pad = INDENT * depth
    out: list[str] = []
    run: list[tuple[str, str]] = []  # consecutive one-line attributes: their "=" line up

    def flush() -> None:
        if run:
            out.extend(_align(run, pad))
            run.clear()

    for item in items:
        if isinstance(item, Attr):
            name = key(item.name) if object_keys else item.name
            lines = _value_lines(item.value, depth)
            if len(lines) == 1:
                run.append((name, lines[0]))
                continue
            flush()  # a line opening a multi-line value is not aligned and ends the run
            out.append(f"{pad}{name} = {lines[0]}")
            out.extend(lines[1:])
            continue
        flush()
        if isinstance(item, Comment):
            out.extend(f"{pad}# {line}".rstrip() for line in item.text.splitlines() or [""])
        elif isinstance(item, Blank):
            out.append("")
        else:
            out.extend(_block_lines(item, depth))
    flush()
    return out


def _block_lines(b: Block, depth: int) -> list[str]:
    pad = INDENT * depth
    head = " ".join([b.type, *(quote(label) for label in b.labels)])
    if not b.body:
        return [f"{pad}{head} {{", f"{pad}}}"]
    return [f"{pad}{head} {{", *_body_lines(b.body, depth + 1), f"{pad}}}"]


def render(items: Iterable[Item]) -> str:
    """A whole file: top-level blocks separated by one blank line, comments kept above their block;
    consecutive top-level attributes (a ``.tfvars`` file) aligned as one run."""
    out: list[str] = []
    previous: Item | None = None
    attrs: list[Item] = []
    for item in [*items, None]:
        if isinstance(item, Attr):
            attrs.append(item)
            continue
        if attrs:
            out.extend(_body_lines(attrs, 0))
            previous, attrs = attrs[-1], []
        if item is None:
            break
        if out and isinstance(item, Block | Comment) and not isinstance(previous, Comment | Blank):
            out.append("")
        if isinstance(item, Block):
            out.extend(_block_lines(item, 0))
        elif isinstance(item, Comment):
            out.extend(f"# {line}".rstrip() for line in item.text.splitlines() or [""])
        elif isinstance(item, Blank):
            out.append("")
        previous = item
    text = "\n".join(out).rstrip("\n")
    return text + "\n" if text else ""
