"""The pinned versions the kit writes and checks against: ``schema/*.json`` (see ``schema/PROVENANCE.md``)."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def _schema_text(name: str) -> str:
    return resources.files("awsassess.iac").joinpath("schema").joinpath(name).read_text()


def schema(name: str) -> dict[str, Any]:
    """A shipped schema excerpt (``modules.json``, ``aws_provider.json``, ``actions.json``); a fresh copy."""
    data: dict[str, Any] = json.loads(_schema_text(name))
    return data


def module_source(key: str) -> tuple[str, str]:
    """(source, exact version) of a pinned registry module (``terraform-aws-modules/vpc/aws``)."""
    return key, str(schema("modules.json")[key]["version"])
