"""The CloudTrail management event EventBridge receives for glue:CreateSession (shape as AWS sends it).

Moto emits no CloudTrail events, so the e2e test, the demo and the bench put this event on the
default bus themselves, exactly where a trail would.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def cloudtrail_create_session_event(session_id: str, **request: Any) -> dict[str, Any]:
    """The shape CloudTrail gives EventBridge for glue:CreateSession (management event)."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    parameters = {
        "id": session_id,
        "role": "arn:aws:iam::123456789012:role/GlueNotebookRole",
        "command": {"name": "glueetl", "pythonVersion": "3"},
        "idleTimeout": 60,
        "numberOfWorkers": 2,
        "workerType": "G.1X",
        "glueVersion": "4.0",
        "tags": {"owner": "alice@example.com"},
        "requestOrigin": "GlueStudioNotebook",
    }
    parameters.update(request)
    detail = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alice",
            "arn": "arn:aws:sts::123456789012:assumed-role/DataEngineer/alice",
            "accountId": "123456789012",
        },
        "eventTime": now,
        "eventSource": "glue.amazonaws.com",
        "eventName": "CreateSession",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-internal/3",
        "requestParameters": parameters,
        "responseElements": {"session": {"id": session_id, "status": "PROVISIONING"}},
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
    }
    return {
        "Source": "aws.glue",
        "DetailType": "AWS API Call via CloudTrail",
        "Detail": json.dumps(detail),
        "EventBusName": "default",
    }
