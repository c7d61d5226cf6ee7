"""envs/local on the emulator: the lakehouse storage that was applied is the storage the module
promised (versioning, SSE-KMS with bucket key, public-access block, ownership, logging, lifecycle
rules, TLS-only policy, key, catalog, parameters), and the TLS-only policy really denies plain HTTP.

The promised lifecycle rules come from the `storage_lifecycle_rules` output (the s3_bucket module's
normalised view of what it configured); the emulator's GetBucketLifecycleConfiguration answer is
normalised the same way and compared bucket by bucket. The local env's ageing is also checked
against the numbers bench/storage_cost.py prices, so the documented costs cannot drift from the
configuration.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Optional

import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

LAYERS = ("raw", "bronze", "silver", "gold")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("storage_cost", REPO_ROOT / "bench" / "storage_cost.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve string annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def _all_buckets(outputs: dict[str, Any]) -> dict[str, str]:
    """Bucket name by key: the four layers plus "access_logs"."""
    return {**outputs["storage_bucket_names"], "access_logs": outputs["storage_access_log_bucket_name"]}


def _transitions(items: list[dict[str, Any]], days_key: str) -> list[dict[str, Any]]:
    pairs = [{"days": t[days_key], "storage_class": t["StorageClass"]} for t in items]
    return sorted(pairs, key=lambda t: t["days"])


def _rule_prefix(rule: dict[str, Any]) -> str:
    filt = rule.get("Filter") or {}
    if "And" in filt:
        return filt["And"].get("Prefix", "")
    return filt.get("Prefix", rule.get("Prefix", ""))


def normalise_s3_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A GetBucketLifecycleConfiguration rule in the s3_bucket module's `lifecycle_rules` shape."""
    expiration = rule.get("Expiration") or {}
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    abort = rule.get("AbortIncompleteMultipartUpload") or {}
    return {
        "id": rule["ID"],
        "prefix": _rule_prefix(rule),
        "enabled": rule["Status"] == "Enabled",
        "transitions": _transitions(rule.get("Transitions", []), "Days"),
        "expiration_days": expiration.get("Days"),
        "expired_object_delete_marker": expiration.get("ExpiredObjectDeleteMarker") or None,
        "noncurrent_transitions": _transitions(
            rule.get("NoncurrentVersionTransitions", []), "NoncurrentDays"
        ),
        "noncurrent_expiration_days": noncurrent.get("NoncurrentDays"),
        "abort_incomplete_upload_days": abort.get("DaysAfterInitiation"),
    }


def normalise_promised_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        **rule,
        "transitions": sorted(rule["transitions"], key=lambda t: t["days"]),
        "noncurrent_transitions": sorted(rule["noncurrent_transitions"], key=lambda t: t["days"]),
    }


def _statement(policy: dict[str, Any], sid: str) -> Optional[dict[str, Any]]:
    return next((s for s in policy["Statement"] if s.get("Sid") == sid), None)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def storage(applied_local_env):
    return applied_local_env


def test_outputs_name_every_layer(storage):
    out = storage.outputs
    account = storage.emulator.client("sts").get_caller_identity()["Account"]
    assert out["storage_bucket_names"] == {layer: f"frugal-local-{layer}-{account}" for layer in LAYERS}
    assert out["storage_access_log_bucket_name"] == f"frugal-local-access-logs-{account}"
    assert out["storage_database_names"] == {
        "bronze": "frugal_local_bronze",
        "silver": "frugal_local_silver",
        "gold": "frugal_local_gold",
    }
    assert out["storage_kms_key_arn"].startswith(f"arn:aws:kms:eu-west-1:{account}:key/")


def test_versioning_ownership_and_public_access_block(storage):
    s3 = storage.emulator.client("s3")
    for bucket in _all_buckets(storage.outputs).values():
        assert s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled", bucket
        rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}], bucket
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert block == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }, bucket


def test_layer_buckets_use_the_lakehouse_key_with_a_bucket_key(storage):
    s3 = storage.emulator.client("s3")
    key_arn = storage.outputs["storage_kms_key_arn"]
    for layer, bucket in storage.outputs["storage_bucket_names"].items():
        (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rule["ApplyServerSideEncryptionByDefault"] == {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": key_arn,
        }, layer
        assert rule["BucketKeyEnabled"] is True, layer


def test_access_log_bucket_is_sse_s3_and_receives_every_layer(storage):
    s3 = storage.emulator.client("s3")
    log_bucket = storage.outputs["storage_access_log_bucket_name"]
    (rule,) = s3.get_bucket_encryption(Bucket=log_bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=log_bucket)
    for layer, bucket in storage.outputs["storage_bucket_names"].items():
        assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {
            "TargetBucket": log_bucket,
            "TargetPrefix": f"s3-access/{layer}/",
        }, layer


def test_lifecycle_rules_are_the_promised_rules(storage):
    s3 = storage.emulator.client("s3")
    promised = storage.outputs["storage_lifecycle_rules"]
    for key, bucket in _all_buckets(storage.outputs).items():
        answer = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
        assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K", key
        actual = sorted((normalise_s3_rule(r) for r in answer["Rules"]), key=lambda r: r["id"])
        expected = sorted((normalise_promised_rule(r) for r in promised[key]), key=lambda r: r["id"])
        assert actual == expected, key


def test_local_ageing_matches_the_documented_defaults_and_the_bench(storage):
    rules = {
        key: {r["id"]: r for r in rules} for key, rules in storage.outputs["storage_lifecycle_rules"].items()
    }
    for layer in ("raw", "bronze"):
        ageing = rules[layer][f"{layer}-ageing"]
        assert ageing["prefix"] == ""
        assert ageing["transitions"] == [
            {"days": 30, "storage_class": "STANDARD_IA"},
            {"days": 60, "storage_class": "GLACIER_IR"},
        ]
        assert ageing["expiration_days"] == 180
    assert rules["silver"]["silver-ageing"]["transitions"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    assert rules["gold"]["gold-ageing"]["transitions"] == [{"days": 90, "storage_class": "STANDARD_IA"}]
    assert rules["silver"]["silver-ageing"]["expiration_days"] is None
    for key in (*LAYERS, "access_logs"):
        base = rules[key]["abort-incomplete-and-noncurrent"]
        assert base["abort_incomplete_upload_days"] == 7
        assert base["noncurrent_expiration_days"] == (1 if key == "access_logs" else 7)
    for layer in LAYERS:
        staging = rules[layer]["spark-staging-root"]
        assert (staging["prefix"], staging["expiration_days"], staging["noncurrent_expiration_days"]) == (
            ".spark-staging",
            1,
            1,
        )
    gold_staging = rules["gold"]["spark-staging-wordpress_api.statistics_postname"]
    assert gold_staging["prefix"] == "wordpress_api/statistics_postname/.spark-staging"
    assert rules["access_logs"]["access-logs-expire"]["expiration_days"] == 30

    bench = _bench_module()
    assert bench.ENV_SETTINGS["local"] == {
        layer: bench.LayerAgeing(**storage.outputs["storage_layer_settings"][layer]) for layer in LAYERS
    }


def test_bucket_policies_deny_insecure_transport(storage):
    s3 = storage.emulator.client("s3")
    account = storage.emulator.client("sts").get_caller_identity()["Account"]
    for key, bucket in _all_buckets(storage.outputs).items():
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        deny = _statement(policy, "DenyInsecureTransport")
        assert deny is not None, key
        assert deny["Effect"] == "Deny"
        assert deny["Principal"] == "*"
        assert _as_list(deny["Action"]) == ["s3:*"]
        assert sorted(_as_list(deny["Resource"])) == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        sids = [s.get("Sid") for s in policy["Statement"]]
        expected_sids = ["DenyInsecureTransport"] + (
            ["S3ServerAccessLogsDelivery"] if key == "access_logs" else []
        )
        assert sids == expected_sids, key

    log_bucket = storage.outputs["storage_access_log_bucket_name"]
    policy = json.loads(s3.get_bucket_policy(Bucket=log_bucket)["Policy"])
    delivery = _statement(policy, "S3ServerAccessLogsDelivery")
    assert delivery is not None
    assert _as_list(delivery["Principal"]["Service"]) == ["logging.s3.amazonaws.com"]
    assert _as_list(delivery["Action"]) == ["s3:PutObject"]
    assert _as_list(delivery["Resource"]) == [f"arn:aws:s3:::{log_bucket}/*"]
    assert _as_list(delivery["Condition"]["ArnLike"]["aws:SourceArn"]) == ["arn:aws:s3:::frugal-local-*"]
    assert _as_list(delivery["Condition"]["StringEquals"]["aws:SourceAccount"]) == [account]


def test_plain_http_is_denied_and_https_allowed(storage):
    emulator = storage.emulator
    bucket = storage.outputs["storage_bucket_names"]["bronze"]
    https = emulator.client("s3")
    plain = emulator.client("s3", endpoint_url=emulator.http_endpoint)
    key = "e2e-storage/tls-check.txt"

    https.put_object(Bucket=bucket, Key=key, Body=b"over tls")
    head = https.head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == storage.outputs["storage_kms_key_arn"]

    with pytest.raises(ClientError) as err:
        plain.put_object(Bucket=bucket, Key="e2e-storage/plain.txt", Body=b"plain")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as err:
        plain.get_object(Bucket=bucket, Key=key)
    assert err.value.response["Error"]["Code"] == "AccessDenied"

    keys = [o["Key"] for o in https.list_objects_v2(Bucket=bucket, Prefix="e2e-storage/").get("Contents", [])]
    assert keys == [key]
    # Remove every version (not just add a delete marker) so the bucket is as Terraform left it.
    versions = https.list_object_versions(Bucket=bucket, Prefix="e2e-storage/")
    for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        https.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    assert "Versions" not in https.list_object_versions(Bucket=bucket, Prefix="e2e-storage/")


def test_key_rotation_policy_and_alias(storage):
    kms = storage.emulator.client("kms")
    key_arn = storage.outputs["storage_kms_key_arn"]
    meta = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
    assert meta["Enabled"] is True
    assert meta["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    sids = [s["Sid"] for s in policy["Statement"]]
    assert sids == [
        "AccountAdministersKey",
        "AccountRolesUseKey",
        "AccountRolesGrantToAwsServices",
        "CloudWatchLogsUseKey",
        "NotificationServicesUseKey",
    ]
    for statement in policy["Statement"]:
        assert all(a not in ("*", "kms:*") for a in _as_list(statement["Action"])), statement["Sid"]
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases(KeyId=meta["KeyId"])["Aliases"]}
    assert aliases == {"alias/frugal-local-lakehouse": meta["KeyId"]}


def test_glue_databases_point_at_their_layer_bucket(storage):
    glue = storage.emulator.client("glue")
    buckets = storage.outputs["storage_bucket_names"]
    for layer, name in storage.outputs["storage_database_names"].items():
        database = glue.get_database(Name=name)["Database"]
        assert database["LocationUri"] == f"s3://{buckets[layer]}/"


def test_parameter_store_publishes_the_names(storage):
    ssm = storage.emulator.client("ssm")
    out = storage.outputs
    params = out["storage_parameter_names"]
    expected = {
        **{f"bucket/{k}": v for k, v in _all_buckets(out).items()},
        "kms_key_arn": out["storage_kms_key_arn"],
        **{f"glue_database/{k}": v for k, v in out["storage_database_names"].items()},
    }
    assert set(params) == set(expected)
    for key, name in params.items():
        assert name.startswith("/frugal/local/storage/"), name
        assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == expected[key], key
