"""CloudTrail delivers log and digest files to its bucket as `cloudtrail.amazonaws.com`.

moto 5.2.1 stores trails and never delivers anything. The emulator delivers on demand
(`POST /_emulator/cloudtrail/deliver {"trail": name or ARN, "records": [...]?}`), as CloudTrail
does on its own schedule, so the bucket and key policies the trail depends on are exercised:

- bucket policy (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):
  `s3:GetBucketAcl` on the bucket, then `s3:PutObject` on each file with
  `s3:x-amz-acl = bucket-owner-full-control`; CloudTrail sends `aws:SourceArn` (the trail ARN)
  and `aws:SourceAccount`;
- key policy, for a trail with a KMS key (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):
  `kms:GenerateDataKey*` with the encryption context `aws:cloudtrail:arn` = the trail ARN (the
  `kms:EncryptionContext:aws:cloudtrail:arn` condition key) and `aws:SourceArn`;
- files and paths (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html,
  cloudtrail-log-file-validation-digest-file-structure.html): a log file
  `[prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz`
  (gzip JSON `{"Records": [...]}`; only when there are records: CloudTrail writes no empty log
  file) under SSE-KMS with the trail's key when it has one, and - with log file validation on - a
  digest file `[prefix/]AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/` +
  `<account>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHmmssZ>.json.gz` under SSE-S3
  (digests are delivered every hour, with or without log files). The emulator does not sign
  digests (no `digestSignature`): it checks permissions, not integrity validation.
A refused delivery is silent on AWS (the trail status shows the last delivery error): nothing is
written, every decision is in the decisions log, and the answer names the refusal.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid
from typing import Any, Optional

from local_emulator.constants import ACCOUNT_ID, REGION
from local_emulator.iam import services as iam_services
from local_emulator.iam.requests import Call

PRINCIPAL = "cloudtrail.amazonaws.com"


class NoSuchTrail(ValueError):
    pass


def _trail(name: str) -> Any:
    from moto.cloudtrail.models import cloudtrail_backends  # noqa: PLC0415 - moto loads lazily

    try:
        return cloudtrail_backends[ACCOUNT_ID][REGION].get_trail(name)
    except Exception as exc:
        raise NoSuchTrail(f"no trail {name}") from exc


def _key_arn(key_id: str) -> str:
    if key_id.startswith("arn:"):
        return key_id
    return f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{key_id}"


def _files(trail: Any, records: list[Any], now: dt.datetime) -> list[tuple[str, bytes, bool]]:
    """(key, body, encrypted with the trail key) of each file to deliver."""
    prefix = f"{trail.s3_key_prefix.strip('/')}/" if trail.s3_key_prefix else ""
    day = now.strftime("%Y/%m/%d")
    files = []
    if records:
        name = (
            f"{ACCOUNT_ID}_CloudTrail_{REGION}_{now.strftime('%Y%m%dT%H%MZ')}_{uuid.uuid4().hex[:16]}.json.gz"
        )
        body = gzip.compress(json.dumps({"Records": records}).encode())
        files.append((f"{prefix}AWSLogs/{ACCOUNT_ID}/CloudTrail/{REGION}/{day}/{name}", body, True))
    if trail.log_validation:
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        name = f"{ACCOUNT_ID}_CloudTrail-Digest_{REGION}_{trail.trail_name}_{REGION}_{stamp}.json.gz"
        key = f"{prefix}AWSLogs/{ACCOUNT_ID}/CloudTrail-Digest/{REGION}/{day}/{name}"
        digest = {
            "awsAccountId": ACCOUNT_ID,
            "digestStartTime": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digestEndTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digestS3Bucket": trail.bucket_name,
            "digestS3Object": key,
            "logFiles": [{"s3Bucket": trail.bucket_name, "s3Object": k} for k, _, _ in files],
        }
        files.append((key, gzip.compress(json.dumps(digest).encode()), False))
    return files


def deliver(
    name: str, records: Optional[list[Any]] = None, now: Optional[dt.datetime] = None
) -> dict[str, Any]:
    trail = _trail(name)
    now = now or dt.datetime.now(dt.timezone.utc)
    files = _files(trail, list(records or []), now)
    if not files:
        return {"delivered": [], "denial": None}
    bucket = trail.bucket_name
    calls = [Call("s3:GetBucketAcl", f"arn:aws:s3:::{bucket}")]
    calls += [
        Call("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}", {"s3:x-amz-acl": "bucket-owner-full-control"})
        for key, _, _ in files
    ]
    key_arn = _key_arn(trail.kms_key_id) if trail.kms_key_id else None
    if key_arn and any(encrypted for _, _, encrypted in files):
        context = {"kms:EncryptionContext:aws:cloudtrail:arn": trail.arn}
        calls.append(Call("kms:GenerateDataKey", key_arn, context))
    denial = iam_services.service_delivers(PRINCIPAL, calls, trail.arn)
    if denial is not None:
        return {"delivered": [], "denial": denial}
    from moto.s3.models import s3_backends  # noqa: PLC0415

    backend = s3_backends[ACCOUNT_ID]["aws"]
    for key, body, encrypted in files:
        if encrypted and key_arn:
            backend.put_object(bucket, key, body, encryption="aws:kms", kms_key_id=key_arn)
        else:
            backend.put_object(bucket, key, body, encryption="AES256")
    trail.status.latest_delivery_time = int(now.timestamp())
    return {"delivered": [key for key, _, _ in files], "denial": None}
