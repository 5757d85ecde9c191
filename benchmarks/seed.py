"""Seed timings of the simulated estate: server start, per-phase seed times, first calls.

    .venv/bin/python benchmarks/seed.py [--estate fintech|scale:{json}] [--runs N]

Prints figures; asserts nothing (speed checks are not tests). ``total_cpu`` is the CPU time of the
server process while seeding (server + seeder share it), which does not depend on machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import boto3
from awsassess.demo import Estate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--estate", default="fintech")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f}")
    for run in range(args.runs):
        with Estate.start(args.estate, timeout=300) as estate:
            info = estate.info
            print(f"run {run + 1}: ready in {estate.start_s:.2f} s wall "
                  f"(server up {info['server_start_s']:.2f} s after launch, seed {info['seed_s']:.2f} s)")
            for phase, seconds in info["timings"].items():
                print(f"  {phase:<16} {seconds:8.3f} s")
            session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                            region_name="us-east-1")
            sts = session.client("sts", endpoint_url=estate.endpoint_url)
            t0 = time.perf_counter()
            for _ in range(50):
                sts.get_caller_identity()
            print(f"  sts.get_caller_identity: {(time.perf_counter() - t0) / 50 * 1000:.1f} ms/call")
            if args.estate == "fintech":
                ec2 = estate.session("222222222222").client("ec2", endpoint_url=estate.endpoint_url)
                t0 = time.perf_counter()
                for _ in range(10):
                    ec2.describe_subnets()
                print(f"  ec2.describe_subnets (production): {(time.perf_counter() - t0) / 10 * 1000:.1f} ms/call")
            print(json.dumps({"estate": args.estate, "start_s": round(estate.start_s, 3), **info["timings"]}))


if __name__ == "__main__":
    main()
