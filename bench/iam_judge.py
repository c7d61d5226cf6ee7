"""What judging permissions costs per call: the evaluator alone, the judge with the emulator's
state (policies read from moto's backends), and a role-signed request against an admin-signed
one over HTTPS on a running emulator. Prints numbers and ratios; asserts nothing.

    python bench/iam_judge.py [--calls N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "emulator" / "src"), str(ROOT / "tools")]

import boto3  # noqa: E402
from local_emulator.iam.evaluate import Request, evaluate  # noqa: E402
from local_emulator.iam.policy import Policy, Principal  # noqa: E402

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench"
BUCKET = "bench-data"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/bench"

# A job-role-sized policy (the glue_job module writes about this many statements).
IDENTITY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "List",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{BUCKET}"],
            "Condition": {"StringLike": {"s3:prefix": ["src/", "src/*"]}},
        },
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/src/*"],
        },
        {
            "Sid": "Write",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/out/*"],
        },
        {
            "Sid": "Keys",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [KEY],
        },
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws-glue/jobs/bench:*"],
        },
        {
            "Sid": "Metrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "Glue"}},
        },
        {
            "Sid": "Publish",
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "Resource": [f"arn:aws:sns:eu-west-1:{ACCOUNT}:failures"],
        },
    ],
}
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TLSOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


def per_call(func: Callable[[], Any], calls: int) -> float:
    """Median of 5 rounds, microseconds per call."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            func()
        rounds.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(rounds)


def bench_evaluator(calls: int) -> float:
    principal = Principal(
        arn=ROLE, account=ACCOUNT, kind="role", session_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/bench/s"
    )
    identity = [Policy.parse("bench/p", json.dumps(IDENTITY))]
    bucket = Policy.parse("bucket", json.dumps(BUCKET_POLICY))
    request = Request(
        principal,
        "s3:PutObject",
        f"arn:aws:s3:::{BUCKET}/out/part-0.parquet",
        {"aws:SecureTransport": "true"},
    )
    return per_call(lambda: evaluate(request, identity, bucket), calls)


def bench_judge(calls: int) -> float:
    from local_emulator.iam import judge  # noqa: PLC0415
    from moto import mock_aws  # noqa: PLC0415

    with mock_aws():
        iam = boto3.client("iam", region_name="eu-west-1")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "glue.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName="bench", PolicyName="p", PolicyDocument=json.dumps(IDENTITY))
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(BUCKET_POLICY))
        principal = Principal(
            arn=ROLE, account=ACCOUNT, kind="role", session_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/bench/s"
        )
        resource = f"arn:aws:s3:::{BUCKET}/out/part-0.parquet"
        context = {"aws:SecureTransport": "true"}
        return per_call(
            lambda: judge.decide(principal, "s3:PutObject", resource, context, record=False), calls
        )


def bench_https(calls: int) -> tuple[float, float]:
    """(admin-signed, role-signed) milliseconds per GetCrawler on a running emulator."""
    from local_emulator.handle import running_emulator  # noqa: PLC0415

    with running_emulator(Path(tempfile.mkdtemp(prefix="bench-iam-"))) as emu:
        iam = emu.client("iam")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(RoleName="bench", AssumeRolePolicyDocument=json.dumps(trust))
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sns:GetTopicAttributes", "Resource": "*"}],
        }
        iam.put_role_policy(RoleName="bench", PolicyName="p", PolicyDocument=json.dumps(policy))
        topic = emu.client("sns").create_topic(Name="bench")["TopicArn"]
        admin, role = emu.client("sns"), emu.client_as(ROLE, "sns")
        admin_ms = per_call(lambda: admin.get_topic_attributes(TopicArn=topic), calls) / 1000
        role_ms = per_call(lambda: role.get_topic_attributes(TopicArn=topic), calls) / 1000
        return admin_ms, role_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    evaluator_us = bench_evaluator(args.calls)
    judge_us = bench_judge(args.calls)
    admin_ms, role_ms = bench_https(max(50, args.calls // 20))
    print(f"evaluator, one call (7-statement identity policy + bucket policy): {evaluator_us:8.1f} us")
    print(f"judge, one call (policies read from moto's state):                 {judge_us:8.1f} us")
    print(f"HTTPS request, admin key (not judged):                             {admin_ms:8.2f} ms")
    print(f"HTTPS request, role session (mapped, judged, recorded):            {role_ms:8.2f} ms")
    print(f"role-signed / admin-signed request:                                {role_ms / admin_ms:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
