"""Tag condition keys, filled from what the emulator knows (IAM User Guide, "Controlling access
to and for IAM users and roles using tags" and "Controlling access to AWS resources using tags":
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html):

- `aws:PrincipalTag/<key>`: the tags of the role the session belongs to (a role session carries its
  role's tags; the emulator passes no session tags, so role tags are all there is);
- `aws:ResourceTag/<key>`: the tags of the resource the action is on, for the services whose tags
  the emulator stores and whose actions support the key (Service Authorization Reference): Glue,
  SNS, SQS, KMS, Secrets Manager, Step Functions, Lambda; IAM roles (`aws:ResourceTag/<key>` and
  `iam:ResourceTag/<key>`, both listed for the role resource type: "Controlling access to IAM
  resources", https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html#access_iam-tags_control-resources);
  S3 general purpose buckets only where ABAC is enabled on the bucket (PutBucketAbac: "When ABAC
  is disabled for the general purpose buckets, you can only use tags for cost tracking purposes",
  botocore model s3 AbacStatus; https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging.html):
  then the bucket's tags, for actions on the bucket and on its objects (object tags are the
  separate `s3:ExistingObjectTag/<key>`, not evaluated here);
- `aws:RequestTag/<key>` and `aws:TagKeys`: the tags a request carries (a `Tags` parameter as a map
  or as a list of Key/Value pairs, Glue's `TagsToAdd`), and the keys an untagging request names
  (`TagKeys`, Glue's `TagsToRemove`).

A tag that is absent leaves its key out of the context, so `StringEquals` on it does not match and
`...IfExists` / `Null` behave as documented.
"""

from __future__ import annotations

from typing import Any, Mapping

from local_emulator.iam.policy import Principal


def _pairs(tags: Any) -> dict[str, str]:
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    if isinstance(tags, list):
        found = {}
        for item in tags:
            if isinstance(item, Mapping) and ("Key" in item or "key" in item):
                found[str(item.get("Key", item.get("key")))] = str(item.get("Value", item.get("value", "")))
        return found
    return {}


def principal_tags(principal: Principal) -> dict[str, str]:
    if principal.kind != "role":
        return {}
    from local_emulator.iam.judge import _iam  # noqa: PLC0415 - moto loads lazily

    try:
        role = _iam(principal.account).get_role_by_arn(principal.arn)
    except Exception:
        return {}
    return _pairs(getattr(role, "tags", None))


def _resource_tags_of(service: str, region: str, account: str, resource: str) -> Any:  # noqa: PLR0911
    if service == "glue":
        from moto.glue.models import glue_backends  # noqa: PLC0415

        return glue_backends[account][region].get_tags(resource)
    if service == "sns":
        from moto.sns.models import sns_backends  # noqa: PLC0415

        return sns_backends[account][region].list_tags_for_resource(resource)
    if service == "sqs":
        from moto.sqs.models import sqs_backends  # noqa: PLC0415

        return sqs_backends[account][region].list_queue_tags(resource.rsplit(":", 1)[1]).tags
    if service == "kms":
        from moto.kms.models import kms_backends  # noqa: PLC0415

        return kms_backends[account][region].list_resource_tags(resource).get("Tags")
    if service == "secretsmanager":
        from moto.secretsmanager.models import secretsmanager_backends  # noqa: PLC0415

        backend = secretsmanager_backends[account][region]
        secret = next((s for s in backend.secrets.values() if getattr(s, "arn", None) == resource), None)
        return getattr(secret, "tags", None)
    if service == "states":
        from moto.stepfunctions.models import stepfunctions_backends  # noqa: PLC0415

        return stepfunctions_backends[account][region].list_tags_for_resource(resource).get("tags")
    if service == "lambda":
        from moto.awslambda.models import lambda_backends  # noqa: PLC0415

        return lambda_backends[account][region].list_tags(resource)
    return None


def _s3_bucket_tags(resource: str) -> Any:
    """The bucket's tags when ABAC is enabled on it (arn:aws:s3:::bucket or .../key), else None."""
    from moto.s3.models import s3_backends  # noqa: PLC0415

    from local_emulator.constants import ACCOUNT_ID  # noqa: PLC0415
    from local_emulator.corrections.s3_bucket_abac import enabled  # noqa: PLC0415

    name = resource.split(":::", 1)[1].split("/", 1)[0]
    backend = s3_backends[ACCOUNT_ID]["aws"]
    bucket = backend.buckets.get(name)
    if bucket is None or not enabled(bucket):
        return None
    return backend.get_bucket_tagging(name).get("Tags")


def _iam_role_tags(resource: str, account: str) -> Any:
    if ":role/" not in resource:
        return None
    from local_emulator.iam.judge import _iam  # noqa: PLC0415 - moto loads lazily

    return getattr(_iam(account).get_role_by_arn(resource), "tags", None)


def resource_tags(resource: str) -> dict[str, str]:
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return {}
    try:
        if parts[2] == "s3":
            return _pairs(_s3_bucket_tags(resource))
        if parts[2] == "iam":
            return _pairs(_iam_role_tags(resource, parts[4]))
        return _pairs(_resource_tags_of(parts[2], parts[3], parts[4], resource))
    except Exception:  # the resource does not exist (yet): no tags
        return {}


def request_tags(params: Mapping[str, Any]) -> dict[str, Any]:
    """aws:RequestTag/<key> for each tag the request carries, and aws:TagKeys (multi-valued)."""
    tags = _pairs(params.get("Tags")) or _pairs(params.get("tags")) or _pairs(params.get("TagsToAdd"))
    removed = params.get("TagKeys") or params.get("TagsToRemove") or []  # untagging: keys only
    keys = list(tags) or [str(k) for k in removed]
    context: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    if keys:
        context["aws:TagKeys"] = keys
    return context


def context_for(principal: Principal, resource: str) -> dict[str, Any]:
    """aws:PrincipalTag/* and aws:ResourceTag/* for one (principal, resource) pair."""
    context: dict[str, Any] = {f"aws:PrincipalTag/{k}": v for k, v in principal_tags(principal).items()}
    found = resource_tags(resource)
    context.update({f"aws:ResourceTag/{k}": v for k, v in found.items()})
    if resource.startswith("arn:aws:iam::"):  # IAM resources also answer to iam:ResourceTag/<key>
        context.update({f"iam:ResourceTag/{k}": v for k, v in found.items()})
    return context
