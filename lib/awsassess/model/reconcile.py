"""How much of the Cost Explorer bill the bottom-up current model explains, service by service.

Cost lines carry the catalog service (Price List service code) and item; :func:`ce_service` maps them
to the Cost Explorer ``SERVICE`` dimension (NAT gateways, EBS and cross-AZ traffic bill under
"EC2 - Other"; public IPv4, Transit Gateway and PrivateLink under "Amazon Virtual Private Cloud").

Spend months have different lengths; each month is normalised to the model's month
(``hours_per_month``) before averaging, so a 31-day month does not look like a 2% gap.
"""

from __future__ import annotations

import calendar
import re

import pandas as pd

from awsassess.values import text

#: the bill's row for spend whose Cost Explorer service is missing: the dollars were billed, so they stay in the
#: bill (and in what the model must explain) under a name of their own rather than being dropped
UNNAMED_SERVICE = "(no service in the bill)"

CE_NAMES = {
    "AmazonEC2:instance": "Amazon Elastic Compute Cloud - Compute",
    "AmazonEC2:other": "EC2 - Other",
    "AWSDataTransfer": "EC2 - Other",
    "AmazonVPC": "Amazon Virtual Private Cloud",
    "AWSELB": "Amazon Elastic Load Balancing",
    "AmazonECS": "Amazon Elastic Container Service",
    "AmazonRDS": "Amazon Relational Database Service",
    "AmazonDocDB": "Amazon DocumentDB (with MongoDB compatibility)",
    "AmazonElastiCache": "Amazon ElastiCache",
    "AmazonDynamoDB": "Amazon DynamoDB",
    "AmazonCloudFront": "Amazon CloudFront",
    "AmazonCloudWatch": "AmazonCloudWatch",
    "AWSCodePipeline": "AWS CodePipeline",
    "CodeBuild": "CodeBuild",
    "AWSCodeDeploy": "AWS CodeDeploy",
    "AWSCostExplorer": "AWS Cost Explorer",
    "GitHubActions": "GitHub (outside AWS)",
}
# other spellings Cost Explorer has used for the same services
ALIASES = {
    "amazonec2containerservice": "Amazon Elastic Container Service",
    "amazonelasticcontainerserviceforkubernetes": "Amazon Elastic Kubernetes Service",
    "awscodebuild": "CodeBuild",
    "amazoncloudwatch": "AmazonCloudWatch",
    "amazonelasticcomputecloud": "Amazon Elastic Compute Cloud - Compute",
    "amazondocumentdb": "Amazon DocumentDB (with MongoDB compatibility)",
    "ec2other": "EC2 - Other",
    "amazonvpc": "Amazon Virtual Private Cloud",
    "elasticloadbalancing": "Amazon Elastic Load Balancing",
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def ce_service(price_key: str) -> str:
    """Cost Explorer service name for a cost line's ``price_key`` (``service/item/region``)."""
    service, _, rest = price_key.partition("/")
    item = rest.split("/", 1)[0]
    if service == "AmazonEC2":
        return CE_NAMES["AmazonEC2:instance" if item.startswith("instance_hour") else "AmazonEC2:other"]
    return CE_NAMES.get(service, service)


def canonical(spend_name: str) -> str:
    n = _norm(spend_name)
    for name in set(CE_NAMES.values()):
        if _norm(name) == n:
            return name
    return ALIASES.get(n, spend_name)


def monthly_spend(spend: pd.DataFrame, hours_per_month: float = 730.0) -> pd.DataFrame:
    """Per service: mean monthly spend, raw and normalised to ``hours_per_month``; months used."""
    if not len(spend):
        return pd.DataFrame(columns=["service", "spend_usd", "spend_raw_usd", "months"])
    df = spend.copy()
    df["usd"] = pd.to_numeric(df["usd"], errors="coerce").fillna(0.0)
    # text(), not astype(str): a missing service stays NaN under astype(str) and the spend row has no name
    df["service"] = df["service"].map(lambda v: canonical(text(v)) if text(v).strip() else UNNAMED_SERVICE)

    def hours(month: str) -> float:
        try:
            y, m = (int(x) for x in str(month)[:7].split("-"))
            return calendar.monthrange(y, m)[1] * 24.0
        except ValueError:
            return hours_per_month

    df["norm"] = df["usd"] * hours_per_month / df["month"].map(hours)
    months = df["month"].nunique()
    g = df.groupby("service")
    out = pd.DataFrame({"spend_usd": g["norm"].sum() / months, "spend_raw_usd": g["usd"].sum() / months})
    out["months"] = months
    return out.reset_index()


def reconcile(lines: pd.DataFrame, spend: pd.DataFrame, hours_per_month: float = 730.0) -> pd.DataFrame:
    """Model vs bill per Cost Explorer service (current scenario lines only).

    No billing data (Cost Explorer not read, or it answered with no amounts, as for a new or a linked
    account without access to its bill) gives an empty frame: "no billing data", never a $0 bill
    against which every modelled dollar would look unexplained."""
    columns = ["service", "spend_usd", "model_usd", "difference_usd", "explained_pct"]
    billed = pd.to_numeric(spend["usd"], errors="coerce").abs().sum() if len(spend) and "usd" in spend else 0.0
    if not billed:
        return pd.DataFrame(columns=columns)
    cur = lines[lines["scenario"] == "current"].copy()
    cur["ce_service"] = cur["price_key"].astype(str).map(ce_service)
    model = cur.groupby("ce_service")["monthly_usd"].sum().rename("model_usd")
    bill = monthly_spend(spend, hours_per_month).set_index("service")
    df = pd.concat([bill[["spend_usd"]] if len(bill) else pd.DataFrame(columns=["spend_usd"]), model], axis=1)
    df = df.fillna(0.0).astype({"spend_usd": float, "model_usd": float})
    df.index.name = "service"
    df["difference_usd"] = df["spend_usd"] - df["model_usd"]
    spent = df["spend_usd"].where(df["spend_usd"] > 0)  # NaN, not a division by zero, where nothing was billed
    df["explained_pct"] = 100 * df["model_usd"] / spent
    df = df.reset_index().sort_values("spend_usd", ascending=False)
    return df[["service", "spend_usd", "model_usd", "difference_usd", "explained_pct"]].reset_index(drop=True)


def summary(recon: pd.DataFrame) -> dict[str, float | None]:
    if not len(recon):  # no billing data: nothing to compare with
        return {"spend_usd": None, "model_usd": None, "explained_pct": None}
    aws = recon[recon["service"] != CE_NAMES["GitHubActions"]]
    spend = float(aws["spend_usd"].sum())
    model = float(aws["model_usd"].sum())
    return {"spend_usd": round(spend, 2), "model_usd": round(model, 2),
            "explained_pct": round(100 * model / spend, 1) if spend else None}
