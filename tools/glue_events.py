"""CloudTrail management events for glue:CreateSession, as EventBridge receives them from a trail.

Moto emits no CloudTrail events, so the e2e tests, the demo and the bench put these on the default
bus themselves, exactly where a trail would. The record follows AWS's CloudTrail record contents
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
and userIdentity element
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):

- who called: an assumed role (with sessionContext), an IAM user or the account root user;
- from where: the API/SDK directly, a Glue Studio notebook, or a Glue Studio data preview (the
  console's sessions are created by Glue on the caller's behalf: `invokedBy` and
  `sourceIPAddress` are `glue.amazonaws.com`; data-preview sessions are named
  `glue-studio-datapreview-...` and carry no tags);
- a call that failed carries `errorCode` + `errorMessage` and `responseElements: null`.

requestParameters are the CreateSession request fields in camelCase (id, role, command, ...).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

ACCOUNT = "123456789012"
REGION = "eu-west-1"

IDENTITIES: dict[str, dict[str, Any]] = {
    "assumed_role": {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEROLEID:alice",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/DataEngineer/alice",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLEKEYID",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEROLEID",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/DataEngineer",
                "accountId": ACCOUNT,
                "userName": "DataEngineer",
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-12-01T08:00:00Z", "mfaAuthenticated": "false"},
        },
    },
    "iam_user": {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEUSERID",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/bob",
        "accountId": ACCOUNT,
        "accessKeyId": "AKIAEXAMPLEKEYID",
        "userName": "bob",
    },
    "root": {
        "type": "Root",
        "principalId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLEROOTKEY",
    },
}

ORIGINS = ("api", "notebook", "data_preview")


def cloudtrail_create_session_event(
    session_id: str,
    *,
    identity: str = "assumed_role",
    origin: str = "notebook",
    error: Optional[tuple[str, str]] = None,
    region: str = REGION,
    **request: Any,
) -> dict[str, Any]:
    """A PutEvents entry carrying the CloudTrail record of one glue:CreateSession call.

    identity: assumed_role | iam_user | root; origin: api | notebook | data_preview;
    error: (errorCode, errorMessage) for a call that failed; region: where the call was made
    (CloudTrail delivers it to EventBridge in that region: put it with a client of that region);
    request: requestParameters overrides.
    """
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = json.loads(json.dumps(IDENTITIES[identity]))
    parameters: dict[str, Any] = {
        "id": session_id,
        "role": f"arn:aws:iam::{ACCOUNT}:role/GlueNotebookRole",
        "command": {"name": "glueetl", "pythonVersion": "3"},
        "idleTimeout": 60,
        "numberOfWorkers": 2,
        "workerType": "G.1X",
        "glueVersion": "4.0",
        "tags": {"owner": "alice@example.com"},
    }
    source_ip, user_agent = (
        "203.0.113.10",
        "Boto3/1.40.4 md/Botocore#1.40.4 ua/2.1 os/linux#6.1 lang/python#3.12.9",
    )
    if origin != "api":
        # Glue Studio creates the session on the caller's behalf.
        user["invokedBy"] = "glue.amazonaws.com"
        source_ip = user_agent = "glue.amazonaws.com"
        parameters["requestOrigin"] = (
            "GlueStudioNotebook" if origin == "notebook" else "GlueStudioDataPreview"
        )
    if origin == "data_preview":
        parameters.pop("tags")
        parameters.update({"idleTimeout": 30, "numberOfWorkers": 2, "workerType": "G.1X"})
    parameters.update(request)
    detail: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": user,
        "eventTime": now,
        "eventSource": "glue.amazonaws.com",
        "eventName": "CreateSession",
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
        "requestParameters": parameters,
        "responseElements": {"session": {"id": session_id, "status": "PROVISIONING"}},
        "requestID": "5b1c2f86-0d2a-4c8e-9a51-2f3c1f0e7a10",
        "eventID": "0e2f9a3c-7d41-4f8a-b6c2-9a8d7e6f5a4b",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error is not None:
        detail["errorCode"], detail["errorMessage"] = error
        detail["responseElements"] = None
    return {
        "Source": "aws.glue",
        "DetailType": "AWS API Call via CloudTrail",
        "Detail": json.dumps(detail),
        "EventBusName": "default",
    }
