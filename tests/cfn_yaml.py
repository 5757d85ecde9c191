"""Load CloudFormation YAML templates, short-form tags included.

``yaml.safe_load`` rejects the CloudFormation short forms (``!Ref``, ``!Sub``, ``!GetAtt``, ...).
:func:`load` accepts them and returns the equivalent long form, exactly as CloudFormation reads it::

    !Ref Foo                -> {"Ref": "Foo"}
    !Condition IsProd       -> {"Condition": "IsProd"}
    !GetAtt Res.Attr        -> {"Fn::GetAtt": ["Res", "Attr"]}
    !Sub "x-${AWS::Region}" -> {"Fn::Sub": "x-${AWS::Region}"}
    !If [c, a, b]           -> {"Fn::If": ["c", "a", "b"]}

Dates stay strings (``AWSTemplateFormatVersion: 2010-09-09`` is not turned into a ``date``), as in
CloudFormation. JSON templates load too (JSON is YAML).

A test helper (the tests read the real Copilot and CodePipeline templates with it): it was
``awsassess/cfn_yaml.py`` until issue 15 moved it here, as nothing in the package used it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["CfnLoader", "CfnYamlError", "load", "load_file", "resource_count", "resource_types"]


class CfnYamlError(ValueError):
    """The text is not a CloudFormation template (YAML/JSON syntax error or not a mapping)."""


class CfnLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` plus CloudFormation short-form tags, without implicit timestamps."""


# CloudFormation keeps dates as strings: drop the implicit timestamp resolver for this loader only.
CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_node(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _short_form(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value = _construct_node(loader, node)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _short_form)


def load(text: str | bytes, source: str = "<template>") -> dict[str, Any]:
    """Parse a CloudFormation template (YAML with short-form tags, or JSON) into a dict."""
    try:
        doc = yaml.load(text, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CfnYamlError(f"{source}: not valid CloudFormation YAML/JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise CfnYamlError(f"{source}: a template must be a mapping at the top level, got {type(doc).__name__}")
    return doc


def load_file(path: str | Path) -> dict[str, Any]:
    """:func:`load` on a file."""
    p = Path(path)
    return load(p.read_text(encoding="utf-8"), source=str(p))


def resource_count(template: dict[str, Any]) -> int:
    """Number of entries in the template's ``Resources`` map."""
    resources = template.get("Resources") or {}
    return len(resources) if isinstance(resources, dict) else 0


def resource_types(template: dict[str, Any]) -> dict[str, int]:
    """Histogram ``{resource type: count}`` of the template's resources."""
    counts: dict[str, int] = {}
    for res in (template.get("Resources") or {}).values():
        rtype = res.get("Type", "") if isinstance(res, dict) else ""
        counts[rtype] = counts.get(rtype, 0) + 1
    return counts
