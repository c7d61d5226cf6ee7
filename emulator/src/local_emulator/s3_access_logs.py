"""S3 server access logs are delivered to the target bucket as `logging.s3.amazonaws.com`.

moto 5.2.1 stores a bucket's logging configuration and never writes a log. The emulator delivers
on demand (`POST /_emulator/s3/deliver-access-logs {"bucket": source, "records": [line, ...]}`),
as S3 does on its own best-effort schedule, so the target bucket's policy is exercised
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general):

- `s3:PutObject` on `arn:aws:s3:::<target>/<prefix>...` by `logging.s3.amazonaws.com`, with
  `aws:SourceArn` = the source bucket ARN and `aws:SourceAccount` = its account (the keys the
  documented policy conditions on);
- the target bucket's default encryption must be SSE-S3: "Server access log delivery to buckets
  with SSE-KMS default encryption is not supported" (same page, "Prerequisites"); such a target
  gets nothing;
- one log object per delivery, key `<prefix><YYYY-mm-DD-HH-MM-SS>-<UniqueString>` (the simple
  key format, https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html#server-log-keyname-format),
  body = the given log records, one per line. No records, no object: S3 writes logs of requests,
  and the emulator does not record S3 requests itself, so the caller says what was requested.
A refused delivery is silent on AWS; every decision is in the decisions log, and the answer names
the refusal.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Optional

from local_emulator.constants import ACCOUNT_ID
from local_emulator.iam import services as iam_services
from local_emulator.iam.requests import Call

PRINCIPAL = "logging.s3.amazonaws.com"


class NotLogged(ValueError):
    pass


def _backend() -> Any:
    from moto.s3.models import s3_backends  # noqa: PLC0415 - moto loads lazily

    return s3_backends[ACCOUNT_ID]["aws"]


def deliver(source: str, records: list[str], now: Optional[dt.datetime] = None) -> dict[str, Any]:
    backend = _backend()
    bucket = backend.buckets.get(source)
    if bucket is None or not bucket.logging.get("TargetBucket"):
        raise NotLogged(f"bucket {source} does not exist or has no access logging configured")
    if not records:
        return {"delivered": None, "denial": None}
    target_name = bucket.logging["TargetBucket"]
    now = now or dt.datetime.now(dt.timezone.utc)
    prefix = bucket.logging.get("TargetPrefix") or ""
    key = f"{prefix}{now.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid.uuid4().hex[:16].upper()}"
    target = backend.buckets.get(target_name)
    if target is not None and "aws:kms" in json.dumps(target.encryption or {}):
        return {"delivered": None, "denial": f"target bucket {target_name} uses SSE-KMS default encryption"}
    call = Call("s3:PutObject", f"arn:aws:s3:::{target_name}/{key}")
    denial = iam_services.service_delivers(PRINCIPAL, [call], f"arn:aws:s3:::{source}")
    if denial is not None:
        return {"delivered": None, "denial": denial}
    backend.put_object(target_name, key, ("\n".join(records) + "\n").encode(), encryption="AES256")
    return {"delivered": f"s3://{target_name}/{key}", "denial": None}
