"""S3 PutBucketLogging accepts a target bucket whose policy also holds other statements.

AWS behaviour (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html):
the target bucket grants the logging service principal `logging.s3.amazonaws.com` s3:PutObject on
the target prefix, typically in a bucket policy that also contains other statements (such as the
TLS-only Deny with `"Principal": "*"`); policy elements may be strings or lists.

moto 5.2.1 assumes every statement's Principal is an object and Action/Resource exact strings:
a `"Principal": "*"` statement raises AttributeError (HTTP 500), so no bucket with a TLS-only
policy can be a log target.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any, Optional

from local_emulator.patching import target

LOGGING_PRINCIPAL = "logging.s3.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants_log_delivery(
    policy: dict[str, Any], bucket: str, prefix: Optional[str], partition: str = "aws"
) -> bool:
    """True when an Allow statement lets the S3 logging service put objects under the prefix."""
    object_arn = f"arn:{partition}:s3:::{bucket}/{prefix or ''}access-log-object"
    for stmt in _as_list(policy.get("Statement", [])):
        principal = stmt.get("Principal")
        services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
        if stmt.get("Effect") != "Allow" or LOGGING_PRINCIPAL not in services:
            continue
        actions = _as_list(stmt.get("Action", []))
        if not any(fnmatch.fnmatchcase("s3:PutObject", a) for a in actions):
            continue
        if any(fnmatch.fnmatchcase(object_arn, r) for r in _as_list(stmt.get("Resource", []))):
            return True
    return False


def apply() -> None:
    owner, attr, _ = target("moto.s3.models", "FakeBucket._log_permissions_enabled_policy")

    def _log_permissions_enabled_policy(target_bucket: Any, target_prefix: Optional[str]) -> bool:
        if not target_bucket.policy:
            return False
        policy = target_bucket.policy
        document = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
        return grants_log_delivery(document, target_bucket.name, target_prefix, target_bucket.partition)

    setattr(owner, attr, staticmethod(_log_permissions_enabled_policy))
