"""Seed the AWS Copilot CloudFormation stacks of one account.

``fintech-infrastructure-roles``, ``fintech-<env>`` and ``fintech-<env>-<svc>``, tagged like Copilot
tags them. Templates use only resource types moto supports and are Copilot-sized (the environment
template is close to the 51,200-byte inline limit). The network/ECS/ELB resources in them sit
behind a false ``Condition`` (``ImportedVPCID`` is set, as when an environment imports its VPC), so
moto does not create duplicates of what the API seeders made; IAM roles, log groups and SSM
parameters are created. Production ``kyc`` ends in UPDATE_ROLLBACK_COMPLETE after a failed
deployment, with per-resource events (simulation fill).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from awsassess.demo.estate import APP
from awsassess.demo.seedkit import AccountState, Seeder, copilot_tags, stable_hex, stable_rng, tag_list
from awsassess.demo.sim.cloudformation import fill_stack_history

INLINE_LIMIT = 51_200
ENV_TEMPLATE_BYTES = 46_300
SERVICE_TEMPLATE_BYTES = 17_500
ROLES_TEMPLATE_BYTES = 9_200
COPILOT_VERSION = "v1.34.0"


def _policy(actions: list[str], resource: str = "*", sid: str | None = None) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if sid:
        stmt["Sid"] = sid
    return stmt


def _role(name: dict[str, Any] | str, principal: str, statements: list[dict[str, Any]],
          condition: str | None = None) -> dict[str, Any]:
    role: dict[str, Any] = {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": name,
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]}}
    if condition:
        role["Condition"] = condition
    return role


_ENV_MANAGER_ACTIONS = [
    "cloudformation:CancelUpdateStack", "cloudformation:CreateChangeSet", "cloudformation:CreateStack",
    "cloudformation:DeleteChangeSet", "cloudformation:DeleteStack", "cloudformation:Describe*",
    "cloudformation:DetectStackDrift", "cloudformation:DetectStackResourceDrift", "cloudformation:ExecuteChangeSet",
    "cloudformation:GetTemplate", "cloudformation:GetTemplateSummary", "cloudformation:UpdateStack",
    "cloudformation:UpdateTerminationProtection", "ecs:DescribeServices", "ecs:DescribeTasks", "ecs:ListTasks",
    "ecs:StopTask", "ecs:UpdateService", "ecs:ListServices", "ecs:DescribeTaskDefinition", "ecs:ExecuteCommand",
    "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:PutParameter", "ssm:DeleteParameter",
    "logs:StartLiveTail", "logs:StopLiveTail", "logs:FilterLogEvents", "logs:DescribeLogStreams",
    "logs:GetLogEvents", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeLoadBalancers", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
    "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables",
    "servicediscovery:ListNamespaces", "servicediscovery:ListServices", "servicediscovery:GetNamespace",
    "application-autoscaling:DescribeScalingPolicies", "iam:ListRoleTags", "tag:GetResources",
    "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "states:StartExecution", "states:DescribeStateMachine",
    "secretsmanager:DescribeSecret", "rds:DescribeDBClusters", "rds:DescribeDBInstances", "s3:ListBucket",
    "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "kms:Decrypt", "kms:GenerateDataKey",
]


def _network_resources(prefix: str, azs: tuple[str, ...]) -> dict[str, Any]:
    """The Copilot environment's own VPC (conditional: this environment imports its VPC)."""
    r: dict[str, Any] = {
        "VPC": {"Type": "AWS::EC2::VPC", "Condition": "CreateVPC", "Properties": {
            "CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": True, "EnableDnsSupport": True,
            "InstanceTenancy": "default", "Tags": [{"Key": "Name", "Value": {"Fn::Sub": "copilot-${AppName}-${EnvironmentName}"}}]}},
        "InternetGateway": {"Type": "AWS::EC2::InternetGateway", "Condition": "CreateVPC", "Properties": {
            "Tags": [{"Key": "Name", "Value": {"Fn::Sub": "copilot-${AppName}-${EnvironmentName}"}}]}},
        "InternetGatewayAttachment": {"Type": "AWS::EC2::VPCGatewayAttachment", "Condition": "CreateVPC",
                                      "Properties": {"InternetGatewayId": {"Ref": "InternetGateway"},
                                                     "VpcId": {"Ref": "VPC"}}},
        "PublicRouteTable": {"Type": "AWS::EC2::RouteTable", "Condition": "CreateVPC",
                             "Properties": {"VpcId": {"Ref": "VPC"}}},
        "DefaultPublicRoute": {"Type": "AWS::EC2::Route", "Condition": "CreateVPC", "DependsOn": "InternetGatewayAttachment",
                               "Properties": {"RouteTableId": {"Ref": "PublicRouteTable"},
                                              "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "InternetGateway"}}},
        "EnvironmentSecurityGroup": {"Type": "AWS::EC2::SecurityGroup", "Condition": "CreateVPC", "Properties": {
            "GroupDescription": {"Fn::Join": ["", [{"Ref": "AppName"}, "-", {"Ref": "EnvironmentName"}, "EnvironmentSecurityGroup"]]},
            "VpcId": {"Ref": "VPC"}, "SecurityGroupEgress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "-1"}]}},
        "Cluster": {"Type": "AWS::ECS::Cluster", "Condition": "CreateVPC", "Properties": {
            "ClusterName": {"Fn::Sub": "${AppName}-${EnvironmentName}-copilot"},
            "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "ClusterSettings": [{"Name": "containerInsights", "Value": "disabled"}]}},
        "PublicLoadBalancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Condition": "CreateVPC",
                               "Properties": {"Scheme": "internet-facing", "Type": "application",
                                              "SecurityGroups": [{"Ref": "EnvironmentSecurityGroup"}],
                                              "Subnets": [{"Ref": f"PublicSubnet{i + 1}"} for i in range(len(azs))]}},
        "DefaultHTTPTargetGroup": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Condition": "CreateVPC",
                                   "Properties": {"HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 2,
                                                  "Port": 80, "Protocol": "HTTP", "TargetType": "ip",
                                                  "VpcId": {"Ref": "VPC"}}},
        "HTTPListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Condition": "CreateVPC", "Properties": {
            "DefaultActions": [{"TargetGroupArn": {"Ref": "DefaultHTTPTargetGroup"}, "Type": "forward"}],
            "LoadBalancerArn": {"Ref": "PublicLoadBalancer"}, "Port": 80, "Protocol": "HTTP"}},
    }
    for i, az in enumerate(azs):
        n = i + 1
        r[f"PublicSubnet{n}"] = {"Type": "AWS::EC2::Subnet", "Condition": "CreateVPC", "Properties": {
            "CidrBlock": f"10.0.{i}.0/24", "VpcId": {"Ref": "VPC"}, "AvailabilityZone": az, "MapPublicIpOnLaunch": True,
            "Tags": [{"Key": "Name", "Value": {"Fn::Sub": f"copilot-${{AppName}}-${{EnvironmentName}}-pub{i}"}}]}}
        r[f"PrivateSubnet{n}"] = {"Type": "AWS::EC2::Subnet", "Condition": "CreateVPC", "Properties": {
            "CidrBlock": f"10.0.{i + 2}.0/24", "VpcId": {"Ref": "VPC"}, "AvailabilityZone": az,
            "MapPublicIpOnLaunch": False,
            "Tags": [{"Key": "Name", "Value": {"Fn::Sub": f"copilot-${{AppName}}-${{EnvironmentName}}-priv{i}"}}]}}
        r[f"PublicSubnet{n}RouteTableAssociation"] = {
            "Type": "AWS::EC2::SubnetRouteTableAssociation", "Condition": "CreateVPC",
            "Properties": {"RouteTableId": {"Ref": "PublicRouteTable"}, "SubnetId": {"Ref": f"PublicSubnet{n}"}}}
        r[f"NatGateway{n}Attachment"] = {"Type": "AWS::EC2::EIP", "Condition": "CreateVPC", "DependsOn": "InternetGatewayAttachment",
                                         "Properties": {"Domain": "vpc"}}
        r[f"NatGateway{n}"] = {"Type": "AWS::EC2::NatGateway", "Condition": "CreateVPC", "Properties": {
            "AllocationId": {"Fn::GetAtt": [f"NatGateway{n}Attachment", "AllocationId"]},
            "SubnetId": {"Ref": f"PublicSubnet{n}"}}}
        r[f"PrivateRouteTable{n}"] = {"Type": "AWS::EC2::RouteTable", "Condition": "CreateVPC",
                                      "Properties": {"VpcId": {"Ref": "VPC"}}}
        r[f"PrivateRoute{n}"] = {"Type": "AWS::EC2::Route", "Condition": "CreateVPC", "Properties": {
            "RouteTableId": {"Ref": f"PrivateRouteTable{n}"}, "DestinationCidrBlock": "0.0.0.0/0",
            "NatGatewayId": {"Ref": f"NatGateway{n}"}}}
        r[f"PrivateRouteTable{n}Association"] = {
            "Type": "AWS::EC2::SubnetRouteTableAssociation", "Condition": "CreateVPC",
            "Properties": {"RouteTableId": {"Ref": f"PrivateRouteTable{n}"}, "SubnetId": {"Ref": f"PrivateSubnet{n}"}}}
    return r


def _pad(template: dict[str, Any], target: int) -> str:
    """Copilot stores the manifest in Metadata; grow it so the body is ``target`` bytes."""
    body = json.dumps(template, indent=2)
    filler_line = "#   (copilot manifest, comments kept)\n"
    missing = max(0, target - len(body))
    if missing:
        text = template["Metadata"]["Manifest"]
        extra = (filler_line * (missing // len(filler_line) + 1))
        template["Metadata"]["Manifest"] = text + extra
        body = json.dumps(template, indent=2)
        over = len(body) - target
        if over > 0:
            template["Metadata"]["Manifest"] = (text + extra)[:-over]
            body = json.dumps(template, indent=2)
    return body


def env_template(state: AccountState) -> str:
    acct, env = state.spec, state.env
    manifest = (f"# The manifest for the \"{env}\" environment.\nname: {env}\ntype: Environment\n"
                f"network:\n  vpc:\n    id: {state.vpcs['api'].vpc_id if 'api' in state.vpcs else ''}\n"
                "observability:\n  container_insights: false\n")
    statements = [_policy(_ENV_MANAGER_ACTIONS[i:i + 6], sid=f"Stmt{i // 6}") for i in range(0, len(_ENV_MANAGER_ACTIONS), 6)]
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"CloudFormation environment template for infrastructure shared among Copilot workloads. {COPILOT_VERSION}",
        "Metadata": {"Version": COPILOT_VERSION, "Manifest": manifest},
        "Parameters": {p: {"Type": "String", "Default": d} for p, d in {
            "AppName": APP, "EnvironmentName": env, "ALBWorkloads": "web,api",
            "InternalALBWorkloads": ",".join(s.name for s in acct.services if not s.public), "EFSWorkloads": "",
            "NATWorkloads": ",".join(s.name for s in acct.services), "ToolsAccountPrincipalARN": f"arn:aws:iam::{state.account_id}:root",
            "AppDNSName": "", "AppDNSDelegationRole": "", "Aliases": "", "CreateHTTPSListener": "false",
            "CreateInternalHTTPSListener": "false", "ServiceDiscoveryEndpoint": f"{env}.{APP}.local",
            "ImportedVPCID": state.vpcs["api"].vpc_id if "api" in state.vpcs else "vpc-imported"}.items()},
        "Conditions": {"CreateVPC": {"Fn::Equals": [{"Ref": "ImportedVPCID"}, ""]}},
        "Resources": {
            **_network_resources(f"{APP}-{env}", acct.azs),
            "CloudformationExecutionRole": _role(f"{APP}-{env}-CFNExecutionRole", "cloudformation.amazonaws.com",
                                                 [_policy(["*"], sid="CopilotCFNExecution")]),
            "EnvironmentManagerRole": _role(f"{APP}-{env}-EnvManagerRole", "cloudformation.amazonaws.com", statements),
            "EnvironmentManifestParameter": {"Type": "AWS::SSM::Parameter", "Properties": {
                "Name": f"/copilot/applications/{APP}/environments/{env}/manifest", "Type": "String",
                "Value": manifest}},
        },
        "Outputs": {
            "EnvironmentManagerRoleARN": {"Value": {"Fn::GetAtt": ["EnvironmentManagerRole", "Arn"]},
                                          "Export": {"Name": f"{APP}-{env}-EnvironmentManagerRoleARN"}},
            "CFNExecutionRoleARN": {"Value": {"Fn::GetAtt": ["CloudformationExecutionRole", "Arn"]},
                                    "Export": {"Name": f"{APP}-{env}-CFNExecutionRoleARN"}},
        },
    }
    return _pad(template, ENV_TEMPLATE_BYTES)


def service_template(state: AccountState, svc: str) -> str:
    spec = state.svc(svc)
    env = state.env
    manifest = (f"# The manifest for the \"{svc}\" service.\nname: {svc}\n"
                f"type: {'Load Balanced Web Service' if spec.public else 'Backend Service'}\n"
                f"cpu: {spec.cpu}\nmemory: {spec.memory}\ncount: {spec.desired}\nexec: true\n"
                "deployment:\n  rolling: 'recreate'\n")
    family = f"{APP}-{env}-{svc}"
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"CloudFormation template that represents a load balanced web service on Amazon ECS. {COPILOT_VERSION}",
        "Metadata": {"Version": COPILOT_VERSION, "Manifest": manifest},
        "Parameters": {p: {"Type": "String", "Default": str(d)} for p, d in {
            "AppName": APP, "EnvName": env, "WorkloadName": svc, "ContainerImage": f"{APP}/{svc}:latest",
            "ContainerPort": 8080, "TaskCPU": spec.cpu, "TaskMemory": spec.memory, "TaskCount": spec.desired,
            "AddonsTemplateURL": "", "EnvFileARN": "", "LogRetention": 30, "TargetContainer": svc,
            "TargetPort": 8080, "ImportedService": state.services.get(svc, "")}.items()},
        "Conditions": {"CreateWorkload": {"Fn::Equals": [{"Ref": "ImportedService"}, ""]}},
        "Resources": {
            "LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {
                "LogGroupName": f"/copilot/{family}", "RetentionInDays": 30}},
            "ExecutionRole": _role(f"{family}-ExecRole", "ecs-tasks.amazonaws.com", [
                _policy(["ssm:GetParameters"], f"arn:aws:ssm:*:{state.account_id}:parameter/*"),
                _policy(["secretsmanager:GetSecretValue"], f"arn:aws:secretsmanager:*:{state.account_id}:secret:*"),
                _policy(["kms:Decrypt"], f"arn:aws:kms:*:{state.account_id}:key/*"),
                _policy(["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                         "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"])]),
            "TaskRole": _role(f"{family}-TaskRole", "ecs-tasks.amazonaws.com", [
                _policy(["ssmmessages:CreateControlChannel", "ssmmessages:OpenControlChannel",
                         "ssmmessages:CreateDataChannel", "ssmmessages:OpenDataChannel"], sid="ExecuteCommand"),
                _policy(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                        f"arn:aws:dynamodb:*:{state.account_id}:table/{APP}-{env}-*", sid="Data")]),
            "TaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Condition": "CreateWorkload", "Properties": {
                "Family": family, "NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
                "Cpu": {"Ref": "TaskCPU"}, "Memory": {"Ref": "TaskMemory"},
                "ExecutionRoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
                "TaskRoleArn": {"Fn::GetAtt": ["TaskRole", "Arn"]},
                "ContainerDefinitions": [{"Name": svc, "Image": {"Ref": "ContainerImage"}, "Memory": spec.memory,
                                          "PortMappings": [{"ContainerPort": 8080}]}]}},
            "TargetGroup": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Condition": "CreateWorkload",
                            "Properties": {"Port": 8080, "Protocol": "HTTP", "TargetType": "ip",
                                           "HealthCheckPath": "/healthz", "VpcId": "vpc-imported",
                                           "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds",
                                                                      "Value": "60"}]}},
            "Service": {"Type": "AWS::ECS::Service", "Condition": "CreateWorkload", "Properties": {
                "Cluster": f"{APP}-{env}", "TaskDefinition": {"Ref": "TaskDefinition"},
                "DesiredCount": {"Ref": "TaskCount"}, "LaunchType": "FARGATE",
                "DeploymentController": {"Type": "CODE_DEPLOY"}, "HealthCheckGracePeriodSeconds": 60}},
            "WorkloadParameter": {"Type": "AWS::SSM::Parameter", "Properties": {
                "Name": f"/copilot/applications/{APP}/components/{env}/{svc}", "Type": "String", "Value": manifest}},
        },
        "Outputs": {"DiscoveryServiceARN": {"Value": f"arn:aws:servicediscovery:us-east-1:{state.account_id}:service/srv-{stable_hex(family, n=16)}"}},
    }
    return _pad(template, SERVICE_TEMPLATE_BYTES + stable_rng(family).randint(-1500, 1500))


def roles_template(state: AccountState) -> str:
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Configure the AWSCloudFormationStackSetAdministrationRole to enable use of AWS CloudFormation StackSets.",
        "Metadata": {"TemplateVersion": COPILOT_VERSION, "Version": "", "Manifest": "# application roles\n"},
        "Parameters": {"AppName": {"Type": "String", "Default": APP},
                       "AppDNSName": {"Type": "String", "Default": ""}},
        "Resources": {
            "AdministrationRole": _role(f"{APP}-adminrole", "cloudformation.amazonaws.com", [
                _policy(["sts:AssumeRole"], f"arn:aws:iam::*:role/{APP}-executionrole")]),
            "ExecutionRole": _role(f"{APP}-executionrole", "cloudformation.amazonaws.com", [
                _policy(["cloudformation:*", "s3:*", "sns:*", "ecr:*", "kms:*", "ssm:*"])]),
        },
        "Outputs": {"ExecutionRoleARN": {"Value": {"Fn::GetAtt": ["ExecutionRole", "Arn"]}},
                    "AdministrationRoleARN": {"Value": {"Fn::GetAtt": ["AdministrationRole", "Arn"]}}},
    }
    return _pad(template, ROLES_TEMPLATE_BYTES)


def seed_stacks(seeder: Seeder, state: AccountState) -> None:
    cfn = seeder.client("cloudformation", state.account_id)
    env, region = state.env, state.spec.region
    plan: list[tuple[str, str, dict[str, str], datetime]] = [
        (f"{APP}-infrastructure-roles", roles_template(state), {"copilot-application": APP}, seeder.days_ago(260)),
        (f"{APP}-{env}", env_template(state), copilot_tags(env), seeder.days_ago(250 if env == "production" else 210)),
    ]
    for i, svc in enumerate(state.spec.services):
        plan.append((f"{APP}-{env}-{svc.name}", service_template(state, svc.name), copilot_tags(env, svc.name),
                     seeder.days_ago(240 - 2 * i if env == "production" else 200 - 2 * i)))
    for name, body, tags, _created in plan:
        cfn.create_stack(StackName=name, TemplateBody=body, Tags=tag_list(tags),
                         Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
    for name, _body, _tags, created in plan:
        resources = cfn.describe_stack_resources(StackName=name)["StackResources"]
        rng = stable_rng(state.account_id, name, "events")
        events, t = _create_events(name, resources, created, rng)
        status, reason, updated = None, None, None
        if name == f"{APP}-production-kyc":
            # moto's update_stack fails on templates with conditional resources (500 AttributeError),
            # so the failed deployment exists only as history (simulation fill)
            updated = seeder.days_ago(2)
            events += _failed_update_events(name, state.services.get("kyc", ""), updated)
            status = "UPDATE_ROLLBACK_COMPLETE"
            reason = None
        elif name.startswith(f"{APP}-{env}-"):
            updated = seeder.days_ago(1 + rng.random() * 5)
            events += _update_events(name, resources, updated)
            status = "UPDATE_COMPLETE"
        fill_stack_history(state.account_id, region, name, created=created, events=events,
                           status=status, status_reason=reason, last_updated=updated)


def _ev(t: datetime, logical: str, physical: str, rtype: str, status: str, reason: str | None = None) -> dict[str, Any]:
    return {"timestamp": t, "logical_id": logical, "physical_id": physical, "type": rtype, "status": status,
            "reason": reason}


def _create_events(stack: str, resources: list[dict[str, Any]], start: datetime, rng: Any) -> tuple[list[dict[str, Any]], datetime]:
    events = [_ev(start, stack, stack, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated")]
    t = start
    for r in resources:
        lid, pid, rtype = r.get("LogicalResourceId", ""), r.get("PhysicalResourceId", ""), r.get("ResourceType", "")
        t += timedelta(seconds=rng.randint(1, 4))
        events.append(_ev(t, lid, "", rtype, "CREATE_IN_PROGRESS"))
        t += timedelta(seconds=1)
        events.append(_ev(t, lid, pid, rtype, "CREATE_IN_PROGRESS", "Resource creation Initiated"))
        t += timedelta(seconds=rng.randint(2, 25) if rtype != "AWS::IAM::Role" else rng.randint(15, 40))
        events.append(_ev(t, lid, pid, rtype, "CREATE_COMPLETE"))
    t += timedelta(seconds=2)
    events.append(_ev(t, stack, stack, "AWS::CloudFormation::Stack", "CREATE_COMPLETE"))
    return events, t


def _update_events(stack: str, resources: list[dict[str, Any]], start: datetime) -> list[dict[str, Any]]:
    log = next((r for r in resources if r.get("ResourceType") == "AWS::SSM::Parameter"), None)
    events = [_ev(start, stack, stack, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated")]
    t = start + timedelta(seconds=3)
    if log:
        events.append(_ev(t, log["LogicalResourceId"], log["PhysicalResourceId"], "AWS::SSM::Parameter",
                          "UPDATE_IN_PROGRESS"))
        t += timedelta(seconds=2)
        events.append(_ev(t, log["LogicalResourceId"], log["PhysicalResourceId"], "AWS::SSM::Parameter",
                          "UPDATE_COMPLETE"))
    t += timedelta(seconds=2)
    events.append(_ev(t, stack, stack, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))
    events.append(_ev(t + timedelta(seconds=1), stack, stack, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE"))
    return events


def _failed_update_events(stack: str, service_arn: str, start: datetime) -> list[dict[str, Any]]:
    """A Copilot deploy whose ECS service update trips the deployment circuit breaker and rolls back."""
    family = stack
    td_new = f"arn:aws:ecs:us-east-1:{service_arn.split(':')[4] if service_arn else '222222222222'}:task-definition/{family}:2"
    svc, td = ("Service", "AWS::ECS::Service"), ("TaskDefinition", "AWS::ECS::TaskDefinition")
    stack_t = "AWS::CloudFormation::Stack"
    t = start
    ev = [_ev(t, stack, stack, stack_t, "UPDATE_IN_PROGRESS", "User Initiated")]
    t += timedelta(seconds=4)
    ev += [_ev(t, td[0], "", td[1], "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one."),
           _ev(t + timedelta(seconds=2), td[0], td_new, td[1], "UPDATE_IN_PROGRESS", "Resource creation Initiated"),
           _ev(t + timedelta(seconds=3), td[0], td_new, td[1], "UPDATE_COMPLETE")]
    t += timedelta(seconds=6)
    ev.append(_ev(t, svc[0], service_arn, svc[1], "UPDATE_IN_PROGRESS"))
    t += timedelta(minutes=34)
    reason = ("Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit "
              "Breaker was triggered'.\" (RequestToken: 5b4e2f0c-6a53-ef1f-3c8e-1d6f0b7a9e21, "
              "HandlerErrorCode: GeneralServiceException)")
    ev.append(_ev(t, svc[0], service_arn, svc[1], "UPDATE_FAILED", reason))
    t += timedelta(seconds=1)
    ev.append(_ev(t, stack, stack, stack_t, "UPDATE_ROLLBACK_IN_PROGRESS",
                  "The following resource(s) failed to update: [Service]. "))
    t += timedelta(seconds=5)
    ev += [_ev(t, svc[0], service_arn, svc[1], "UPDATE_IN_PROGRESS")]
    t += timedelta(minutes=11)
    ev += [_ev(t, svc[0], service_arn, svc[1], "UPDATE_COMPLETE"),
           _ev(t + timedelta(seconds=2), stack, stack, stack_t, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
           _ev(t + timedelta(seconds=4), td[0], td_new, td[1], "DELETE_IN_PROGRESS"),
           _ev(t + timedelta(seconds=5), td[0], td_new, td[1], "DELETE_COMPLETE"),
           _ev(t + timedelta(seconds=6), stack, stack, stack_t, "UPDATE_ROLLBACK_COMPLETE")]
    return ev
