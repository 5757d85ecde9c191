"""AWS's published responses as boto3 returns them, after botocore validated them against the service model.

    resp = stubbed("rds", "DescribeDBInstances", body)

Shared by the collector test modules' parse tests (no network: botocore's Stubber answers).
"""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.stub import Stubber

REGION = "us-east-1"


def stubbed(service: str, operation: str, response: dict[str, Any], **params: Any) -> dict[str, Any]:
    """``response`` as boto3 returns it after botocore validated it against the service model."""
    client = botocore.session.get_session().create_client(
        service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    name = next(m for m, op in client.meta.method_to_api_mapping.items() if op == operation)
    with Stubber(client) as stub:
        stub.add_response(name, response, params or None)
        return getattr(client, name)(**params)
