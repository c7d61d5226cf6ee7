"""S3 PutBucketAbac / GetBucketAbac: a general purpose bucket's attribute-based access control.

AWS behaviour (botocore model s3 2006-03-01, PutBucketAbac / GetBucketAbac / AbacStatus;
https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging-enable-abac.html):
- ABAC is disabled by default on general purpose buckets; `PUT /?abac` with
  `<AbacStatus><Status>Enabled|Disabled</Status></AbacStatus>` sets it (IAM action
  `s3:PutBucketAbac`), `GET /?abac` returns it (`s3:GetBucketAbac`);
- "When ABAC is disabled for the general purpose buckets, you can only use tags for cost
  tracking purposes": only with ABAC enabled do the bucket's tags take part in authorisation as
  `aws:ResourceTag/<key>` (the IAM judge reads them through `enabled()`, `iam/tags.py`).

moto 5.2.1 knows neither operation: `PUT /?abac` falls through to CreateBucket
(BucketAlreadyOwnedByYou) and `GET /?abac` lists the bucket.
"""

from __future__ import annotations

import re
from typing import Any

from local_emulator.patching import target

_STATUS = re.compile(r"<Status>\s*(Enabled|Disabled)\s*</Status>")


def enabled(bucket: Any) -> bool:
    return getattr(bucket, "_emu_abac_status", "Disabled") == "Enabled"


def _put(self: Any, bucket_name: str) -> Any:
    body = self.body.decode("utf-8") if isinstance(self.body, bytes) else str(self.body or "")
    match = _STATUS.search(body)
    if match is None:
        return 400, {}, _error("MalformedXML", "AbacStatus/Status must be Enabled or Disabled")
    self.backend.get_bucket(bucket_name)._emu_abac_status = match.group(1)
    return 200, {}, ""


def _get(self: Any, bucket_name: str) -> Any:
    status = getattr(self.backend.get_bucket(bucket_name), "_emu_abac_status", "Disabled")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<AbacStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>{status}</Status></AbacStatus>'
    )
    return 200, {"Content-Type": "application/xml"}, body


def _error(code: str, message: str) -> str:
    document = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{document}'


def apply() -> None:
    _, _, action_map = target("moto.s3.responses", "ACTION_MAP")
    action_map["BUCKET"]["PUT"]["abac"] = "PutBucketAbac"
    action_map["BUCKET"]["GET"]["abac"] = "GetBucketAbac"

    owner, put_attr, bucket_put = target("moto.s3.responses", "S3Response._bucket_response_put")

    def bucket_response_put(self: Any, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        if "abac" in querystring:
            self._set_action("BUCKET", "PUT", querystring)
            self._authenticate_and_authorize_s3_action(bucket_name=bucket_name)
            return _put(self, bucket_name)
        return bucket_put(self, request, bucket_name, querystring)

    _, get_attr, bucket_get = target("moto.s3.responses", "S3Response._bucket_response_get")

    def bucket_response_get(self: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        if "abac" in querystring:
            self._set_action("BUCKET", "GET", querystring)
            self._authenticate_and_authorize_s3_action(bucket_name=bucket_name)
            return _get(self, bucket_name)
        return bucket_get(self, bucket_name, querystring)

    setattr(owner, put_attr, bucket_response_put)
    setattr(owner, get_attr, bucket_response_get)
