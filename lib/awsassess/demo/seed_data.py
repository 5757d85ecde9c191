"""Seed the data stores of one account: RDS PostgreSQL, DocumentDB, ElastiCache Redis, DynamoDB.

They live in the private subnets of the api VPC (the shared "data" tier of the case).
"""

from __future__ import annotations

from awsassess.demo.estate import APP
from awsassess.demo.seedkit import AccountState, Seeder, copilot_tags, stable_hex, tag_list
from awsassess.demo.sim.docdb import relabel_docdb
from awsassess.demo.sim.elasticache import fill_replication_group_members

POSTGRES_VERSION = "15.7"
DOCDB_VERSION = "5.0.0"
REDIS_VERSION = "7.1"
# which services use which store: the data tier's security group admits their VPCs' CIDRs on the port
STORE_CLIENTS = {"postgres": (5432, ("api", "wallet", "trading-engine", "kyc")),
                 "docdb": (27017, ("market-data", "notifications")),
                 "redis": (6379, ("web", "api", "trading-engine"))}


def names(state: AccountState) -> dict[str, str]:
    prefix = f"{APP}-{state.env}"
    return {"postgres": f"{prefix}-postgres", "docdb": f"{prefix}-docdb", "redis": f"{prefix}-redis",
            "ledger": f"{prefix}-ledger", "sessions": f"{prefix}-sessions", "subnets": f"{prefix}-data"}


def data_security_group(seeder: Seeder, state: AccountState, vpc_id: str) -> str:
    """The data tier's security group: each store's port open to the VPCs of the services using it."""
    ec2 = seeder.client("ec2", state.account_id)
    sg = ec2.create_security_group(GroupName=f"{APP}-{state.env}-data", Description="fintech data tier",
                                   VpcId=vpc_id)["GroupId"]
    permissions = []
    for port, clients in STORE_CLIENTS.values():
        cidrs = sorted({state.vpcs[c].cidr for c in clients if c in state.vpcs})
        if cidrs:
            permissions.append({"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                                "IpRanges": [{"CidrIp": c, "Description": "services using it"} for c in cidrs]})
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=permissions)
    return sg


def seed_datastores(seeder: Seeder, state: AccountState) -> None:
    acct, n = state.spec, names(state)
    home = state.vpcs.get("api") or next(iter(state.vpcs.values()))
    tags = tag_list(copilot_tags(state.env))
    password = f"Pw{stable_hex(state.env, 'db', n=16)}"
    sg_data = data_security_group(seeder, state, home.vpc_id)
    rds = seeder.client("rds", state.account_id)
    rds.create_db_subnet_group(DBSubnetGroupName=n["subnets"], DBSubnetGroupDescription="fintech data tier",
                               SubnetIds=home.private_subnets, Tags=tags)
    rds.create_db_instance(
        DBInstanceIdentifier=n["postgres"], DBInstanceClass=acct.rds_class, Engine="postgres",
        EngineVersion=POSTGRES_VERSION, AllocatedStorage=acct.rds_storage_gb, StorageType="gp2",
        MultiAZ=acct.rds_multi_az, MasterUsername="fintech", MasterUserPassword=password,
        DBSubnetGroupName=n["subnets"], VpcSecurityGroupIds=[sg_data], PubliclyAccessible=False,
        BackupRetentionPeriod=7, StorageEncrypted=True, Tags=tags)
    docdb = seeder.client("docdb", state.account_id)
    # moto refuses Engine=docdb: create as aurora-postgresql, then relabel (simulation fill)
    docdb.create_db_cluster(
        DBClusterIdentifier=n["docdb"], Engine="aurora-postgresql", EngineVersion=DOCDB_VERSION, Port=27017,
        MasterUsername="fintech", MasterUserPassword=password, DBSubnetGroupName=n["subnets"],
        VpcSecurityGroupIds=[sg_data], StorageEncrypted=True, Tags=tags)
    instance_ids = []
    for i in range(acct.docdb_instances):
        iid = f"{n['docdb']}-{i + 1}"
        docdb.create_db_instance(DBInstanceIdentifier=iid, DBInstanceClass=acct.docdb_class,
                                 Engine="aurora-postgresql", DBClusterIdentifier=n["docdb"],
                                 AvailabilityZone=acct.azs[i % len(acct.azs)], Tags=tags)
        instance_ids.append(iid)
    relabel_docdb(state.account_id, acct.region, n["docdb"], instance_ids, DOCDB_VERSION)

    ec = seeder.client("elasticache", state.account_id)
    ec.create_cache_subnet_group(CacheSubnetGroupName=n["subnets"], CacheSubnetGroupDescription="fintech data tier",
                                 SubnetIds=home.private_subnets)
    multi = acct.redis_nodes > 1
    ec.create_replication_group(
        ReplicationGroupId=n["redis"], ReplicationGroupDescription="fintech sessions and rate limits",
        Engine="redis", EngineVersion=REDIS_VERSION, CacheNodeType=acct.redis_node_type,
        NumCacheClusters=acct.redis_nodes, AutomaticFailoverEnabled=multi, MultiAZEnabled=multi,
        PreferredCacheClusterAZs=[acct.azs[i % len(acct.azs)] for i in range(acct.redis_nodes)],
        CacheSubnetGroupName=n["subnets"], SecurityGroupIds=[sg_data], Tags=tags,
        TransitEncryptionEnabled=True, AtRestEncryptionEnabled=True)
    fill_replication_group_members(
        state.account_id, acct.region, n["redis"], nodes=acct.redis_nodes, node_type=acct.redis_node_type,
        engine_version=REDIS_VERSION, azs=list(acct.azs), subnet_group=n["subnets"], security_group_ids=[sg_data])

    ddb = seeder.client("dynamodb", state.account_id)
    keys = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}
    rcu, wcu = acct.ddb_provisioned
    ddb.create_table(TableName=n["ledger"], BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu},
                     Tags=tags, **keys)
    ddb.create_table(TableName=n["sessions"], BillingMode="PAY_PER_REQUEST", Tags=tags, **keys)
