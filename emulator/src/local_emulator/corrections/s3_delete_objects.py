"""S3 DeleteObject(s) of a specific version in a versioning-suspended bucket; quiet DeleteObjects.

AWS behaviour:
- In a bucket whose versioning is Enabled *or Suspended*, deleting with a VersionId permanently
  removes that one version (object or delete marker) and nothing else
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/VersionSuspendedBehavior.html).
- DeleteObjects in quiet mode returns only the keys that failed
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).

moto 5.2.1 treats a Suspended bucket as unversioned: a versioned delete removes *all* versions of
the key and, when one of them is a delete marker, crashes (`'FakeDeleteMarker' object has no
attribute 'dispose'`, HTTP 500). Terraform hits exactly this on `terraform destroy` of a bucket with
`force_destroy`: it removes aws_s3_bucket_versioning first (versioning -> Suspended), then empties
the bucket version by version. moto also ignores `<Quiet>true</Quiet>`.
"""

from __future__ import annotations

import re
from typing import Any

import xmltodict
from moto.s3.exceptions import AccessDeniedByLock
from moto.s3.models import FakeDeleteMarker, FakeKey

from local_emulator.patching import target

_DELETED = re.compile(r"<Deleted>.*?</Deleted>", re.DOTALL)


def is_quiet(body: bytes) -> bool:
    try:
        document = xmltodict.parse(body or b"<Delete/>")
    except Exception:  # moto reports malformed XML itself
        return False
    quiet = (document.get("Delete") or {}).get("Quiet")
    return str(quiet).strip().lower() == "true"


def delete_version(bucket: Any, key_name: str, version_id: str, bypass: bool) -> tuple[bool, dict[str, Any]]:
    """Permanently delete one version of a key (AWS semantics for Enabled and Suspended buckets)."""
    versions = bucket.keys.getlist(key_name, [])
    match = next((v for v in versions if str(v.version_id) == str(version_id)), None)
    if match is None:
        return False, {}
    if isinstance(match, FakeKey) and match.is_locked(governance_bypass=bypass):
        raise AccessDeniedByLock
    meta: dict[str, Any] = {"version-id": version_id}
    if isinstance(match, FakeDeleteMarker):
        meta["delete-marker"] = "true"
    remaining = [v for v in versions if v is not match]
    if remaining:
        bucket.keys.setlist(key_name, remaining)
    else:
        dict.pop(bucket.keys, key_name)
    if isinstance(match, FakeKey):
        match.dispose()
    return True, meta


def apply() -> None:
    del_owner, del_attr, original_delete = target("moto.s3.models", "S3Backend.delete_object")

    def delete_object(
        self: Any, bucket_name: str, key_name: str, version_id: Any = None, bypass: bool = False
    ) -> tuple[bool, dict[str, Any]]:
        bucket = self.get_bucket(bucket_name)
        if version_id is not None and getattr(bucket, "versioning_status", None) == "Suspended":
            return delete_version(bucket, key_name, version_id, bypass)
        return original_delete(self, bucket_name, key_name, version_id=version_id, bypass=bypass)

    setattr(del_owner, del_attr, delete_object)

    owner, attr, original = target("moto.s3.responses", "S3Response._bucket_response_delete_keys")

    def _bucket_response_delete_keys(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = original(self, *args, **kwargs)
        if is_quiet(self.body) and isinstance(body, (str, bytes)):
            text = body.decode() if isinstance(body, bytes) else body
            body = _DELETED.sub("", text)
        return status, headers, body

    setattr(owner, attr, _bucket_response_delete_keys)
