"""API request -> the IAM calls AWS authorises for it: (action, resource ARN, condition keys).

The table is data (`operations.json`, from the Service Authorization Reference); this module
fills its templates from the request's parameters and adds the KMS calls that encrypted
resources imply (the caller's own kms:GenerateDataKey / kms:Decrypt, made through the service):
- S3 SSE-KMS: PutObject/CopyObject need kms:GenerateDataKey, GetObject/HeadObject kms:Decrypt,
  with kms:ViaService s3.<region>.amazonaws.com and the encryption context aws:s3:arn
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms);
- SNS topics with SSE: Publish needs kms:GenerateDataKey and kms:Decrypt
  (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse);
- SQS queues with SSE: SendMessage needs kms:GenerateDataKey and kms:Decrypt
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
"""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from local_emulator.iam import judge
from local_emulator.iam.tags import request_tags

TABLE_PATH = Path(__file__).with_name("operations.json")
PUBLIC = "public"


@dataclass(frozen=True)
class Call:
    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)


class UnmappedOperation(LookupError):
    """The operation has no entry in operations.json."""


@functools.lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return {k: v for k, v in json.loads(TABLE_PATH.read_text()).items() if not k.startswith("_")}


def _get(params: Any, path: str, many: bool = False) -> Any:
    value = params
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            # A field of every item of a list of structures (PutEvents' Entries[].EventBusName).
            value = [v.get(part) for v in value]
        else:
            return None
    if isinstance(value, list) and len(value) == 1 and not many and not path.endswith("s"):
        return value[0]  # query protocol: every value is a one-item list
    return value


# ---------------------------------------------------------------------------------------------
# Converters: request values -> ARNs
# ---------------------------------------------------------------------------------------------
def _lambda_function(value: str, account: str, region: str, partition: str) -> str:
    if value.startswith("arn:"):
        return value
    name, _, qualifier = value.partition(":")
    arn = f"arn:{partition}:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def _sqs_queue(value: str, account: str, region: str, partition: str) -> str:
    parts = value.rstrip("/").split("/")
    return f"arn:{partition}:sqs:{region}:{parts[-2]}:{parts[-1]}"


def _ssm_parameter(value: str, account: str, region: str, partition: str) -> str:
    if value.startswith("arn:"):
        return value
    return f"arn:{partition}:ssm:{region}:{account}:parameter/{value.lstrip('/')}"


def _secret_arn(value: str, account: str, region: str, partition: str) -> str:
    if value.startswith("arn:"):
        return value
    from moto.secretsmanager.models import secretsmanager_backends  # noqa: PLC0415

    backend = secretsmanager_backends[account][region]
    secret = backend.secrets.get(value)
    return getattr(secret, "arn", None) or f"arn:{partition}:secretsmanager:{region}:{account}:secret:{value}"


def _kms_key(value: str, account: str, region: str, partition: str) -> str:
    key = judge.kms_key(value, account, region)
    return key.arn if key is not None else value


def _event_bus(value: str, account: str, region: str, partition: str) -> str:
    # PutEvents without EventBusName (or "default") puts on the region's default bus.
    if value.startswith("arn:"):
        return value
    name = value or "default"
    return f"arn:{partition}:events:{region}:{account}:event-bus/{name}"


def _role_arn(value: str, account: str, region: str, partition: str) -> str:
    return value if value.startswith("arn:") else f"arn:{partition}:iam::{account}:role/{value}"


def _iam_role(value: str, account: str, region: str, partition: str) -> str:
    # A role's ARN carries its path (arn:aws:iam::<account>:role/<path><name>): look it up.
    from local_emulator.iam.judge import _iam  # noqa: PLC0415 - moto loads lazily

    try:
        return str(_iam(account).get_role(value).arn)
    except Exception:  # no such role: the ARN without a path (the call then fails NoSuchEntity)
        return f"arn:{partition}:iam::{account}:role/{value}"


CONVERTERS: dict[str, Callable[[str, str, str, str], str]] = {
    "lambda_function": _lambda_function,
    "sqs_queue": _sqs_queue,
    "ssm_parameter": _ssm_parameter,
    "secret_arn": _secret_arn,
    "kms_key": _kms_key,
    "role_arn": _role_arn,
    "event_bus": _event_bus,
    "iam_role": _iam_role,
}

# Values a request may leave out, and what AWS uses then: a PutEvents entry without EventBusName
# goes to the default bus (botocore model events 2015-10-07, PutEventsRequestEntry.EventBusName:
# "If you omit this, the default event bus is used."), authorised on that bus's ARN.
_ABSENT = {"event_bus": "default"}

_PLACEHOLDER = re.compile(r"\{([^}]+)\}")


def expand(template: str, params: Any, account: str, region: str, partition: str = "aws") -> list[str]:
    """Fill one ARN template; `{X[]}` yields one ARN per list item. A missing value -> []."""
    fixed = {"region": region, "account": account, "partition": partition}
    results = [""]
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        position = match.end()
        name, _, converter = match.group(1).partition("|")
        if name in fixed:
            values = [fixed[name]]
        else:
            many = name.endswith("[]")
            raw = _get(params, name[:-2] if many else name, many)
            if isinstance(raw, list) and converter in _ABSENT:
                raw = [_ABSENT[converter] if v in (None, "") else v for v in raw]
            if raw is None or raw in ("", []):
                return []
            values = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if v is not None]
            if not many:
                values = values[:1]
            if converter:
                values = [CONVERTERS[converter](v, account, region, partition) for v in values]
        results = [r + literal + v for r in results for v in values]
    return [r + template[position:] for r in results]


def api_calls(service: str, operation: str, params: Any, account: str, region: str) -> list[Call]:
    """The IAM calls of one API request (signing name + operation). Raises UnmappedOperation."""
    entry_service = table().get(service)
    spec = (entry_service or {}).get("operations", {}).get(operation)
    if spec is None:
        raise UnmappedOperation(f"{service}:{operation}")
    if spec.get("public"):
        return []
    action = spec.get("action") or f"{entry_service['iam_prefix']}:{operation}"
    context = {
        k: _get(params, v[1:-1]) if v.startswith("{") else v for k, v in spec.get("context", {}).items()
    }
    context = {k: v for k, v in context.items() if v is not None}
    context.update(request_tags(params) if isinstance(params, Mapping) else {})
    calls = [Call(action, r, context) for t in spec["resources"] for r in expand(t, params, account, region)]
    for extra in spec.get("extra", []):
        extra_context = dict(extra.get("context", {}))
        calls += [
            Call(extra["action"], r, extra_context)
            for t in extra["resources"]
            for r in expand(t, params, account, region)
        ]
    if not calls:
        raise UnmappedOperation(f"{service}:{operation} (a parameter its resource ARN needs is missing)")
    return calls + implied_kms(calls, account, region)


# ---------------------------------------------------------------------------------------------
# S3 (moto names the action and the bucket/key; the IAM action differs for a few requests)
# ---------------------------------------------------------------------------------------------
_S3_ACTIONS = {"HeadBucket": "ListBucket", "ListBucketVersions": "ListBucketVersions"}


def s3_calls(  # noqa: PLR0917 - what the S3 dispatcher knows about the request
    moto_action: str,
    resource: str,
    method: str,
    querystring: Mapping[str, Any],
    headers: Mapping[str, str],
    body: bytes,
    account: str,
    region: str,
) -> list[Call]:
    action = _S3_ACTIONS.get(moto_action, moto_action)
    if method == "HEAD" and "versionId" in querystring:
        action = "GetObjectVersion"
    context: dict[str, Any] = {}
    if action in ("ListBucket", "ListBucketVersions"):
        prefix = _get(querystring, "prefix")
        context["s3:prefix"] = prefix if prefix is not None else ""
    if method == "POST" and "delete" in querystring:
        return _delete_objects(resource, body)
    calls = [Call(f"s3:{action}", resource, context)]
    source = headers.get("x-amz-copy-source") or headers.get("X-Amz-Copy-Source")
    if source and action == "PutObject":
        source_key, _, version = source.lstrip("/").partition("?versionId=")
        from urllib.parse import unquote  # noqa: PLC0415

        source_arn = f"arn:aws:s3:::{unquote(source_key)}"
        calls.append(Call("s3:GetObjectVersion" if version else "s3:GetObject", source_arn, {}))
    headers_kms = {
        "sse": headers.get("x-amz-server-side-encryption"),
        "key": headers.get("x-amz-server-side-encryption-aws-kms-key-id"),
    }
    return calls + s3_kms(calls, headers_kms, account, region)


def _delete_objects(bucket_arn: str, body: bytes) -> list[Call]:
    """DeleteObjects is authorised as s3:DeleteObject (s3:DeleteObjectVersion) per key."""
    calls = []
    try:
        root = ET.fromstring(body or b"<Delete/>")
    except ET.ParseError:
        return [Call("s3:DeleteObject", f"{bucket_arn}/*", {})]
    for obj in root.iter():
        if not obj.tag.endswith("Object"):
            continue
        key = next((c.text for c in obj if c.tag.endswith("Key")), None)
        version = next((c.text for c in obj if c.tag.endswith("VersionId")), None)
        if key is not None:
            action = "s3:DeleteObjectVersion" if version else "s3:DeleteObject"
            calls.append(Call(action, f"{bucket_arn}/{key}", {}))
    return calls


def _bucket_kms_key(bucket: Any) -> Optional[tuple[str, bool]]:
    rule = (getattr(bucket, "encryption", None) or {}).get("Rule") or {}
    if isinstance(rule, list):
        rule = rule[0] if rule else {}
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    if default.get("SSEAlgorithm") not in ("aws:kms", "aws:kms:dsse"):
        return None
    return default.get("KMSMasterKeyID") or "alias/aws/s3", str(
        rule.get("BucketKeyEnabled")
    ).lower() == "true"


def s3_kms(calls: list[Call], headers: Mapping[str, Optional[str]], account: str, region: str) -> list[Call]:
    from moto.s3.models import s3_backends  # noqa: PLC0415

    backend = s3_backends[account]["aws"]
    implied: list[Call] = []
    for call in calls:
        if call.action not in ("s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"):
            continue
        bucket_name, _, key_name = call.resource.split(":::", 1)[1].partition("/")
        bucket = backend.buckets.get(bucket_name)
        if bucket is None:
            continue
        if call.action == "s3:PutObject":
            key_id, bucket_key = None, False
            if headers.get("sse") in ("aws:kms", "aws:kms:dsse"):
                key_id = headers.get("key") or "alias/aws/s3"
            elif (found := _bucket_kms_key(bucket)) is not None:
                key_id, bucket_key = found
            kms_action = "kms:GenerateDataKey"
        else:
            stored = bucket.keys.get(key_name)
            stored = stored if stored is not None and hasattr(stored, "encryption") else None
            if stored is None or stored.encryption not in ("aws:kms", "aws:kms:dsse"):
                continue
            key_id, bucket_key = (
                stored.kms_key_id or "alias/aws/s3",
                bool(getattr(stored, "bucket_key_enabled", False)),
            )
            kms_action = "kms:Decrypt"
        if key_id is None:
            continue
        arn_context = f"arn:aws:s3:::{bucket_name}" if bucket_key else call.resource
        implied.append(
            Call(
                kms_action,
                _kms_key(key_id, account, region, "aws"),
                {
                    "kms:ViaService": f"s3.{region}.amazonaws.com",
                    "kms:CallerAccount": account,
                    "kms:EncryptionContext:aws:s3:arn": arn_context,
                    "kms:EncryptionContextKeys": ["aws:s3:arn"],
                },
            )
        )
    return implied


def implied_kms(calls: list[Call], account: str, region: str) -> list[Call]:
    """KMS calls made with the caller's credentials when it uses an encrypted topic or queue."""
    implied: list[Call] = []
    for call in calls:
        key_id = None
        if call.action == "sns:Publish":
            _, model = judge.resource_policy(call.resource)
            key_id, via = getattr(model, "kms_master_key_id", None), f"sns.{region}.amazonaws.com"
        elif call.action == "sqs:SendMessage":
            _, model = judge.resource_policy(call.resource)
            key_id, via = getattr(model, "kms_master_key_id", None), f"sqs.{region}.amazonaws.com"
        if not key_id:
            continue
        key_arn = _kms_key(key_id, account, region, "aws")
        context = {"kms:ViaService": via, "kms:CallerAccount": account}
        implied += [Call("kms:GenerateDataKey", key_arn, context), Call("kms:Decrypt", key_arn, context)]
    return implied
