"""Step Functions execution logs reach their log group through CloudWatch Logs vended delivery.

moto 5.2.1 stores a state machine's logging configuration and never writes a log. The emulator
delivers on demand (`POST /_emulator/states/deliver-execution-logs {"executionArn"}`): the
execution's history events at or above the configured level, one JSON log event each, into the
configured log group, after judging the service principals that take part on AWS:

- `delivery.logs.amazonaws.com` decrypts the execution data of a state machine encrypted with a
  customer managed key: `kms:Decrypt` with the encryption context `aws:states:stateMachineArn`
  (the `kms:EncryptionContext:aws:states:stateMachineArn` key) against that key's policy, needed
  when the logging configuration includes execution data
  (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html, "Logging");
- `logs.<region>.amazonaws.com` encrypts the events of a KMS-encrypted log group: `kms:GenerateDataKey`
  with `kms:EncryptionContext:aws:logs:arn` = the log group ARN against the group key's policy
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
Not judged: the log group's resource policy for `delivery.logs.amazonaws.com` - AWS writes that
policy itself when the logging configuration is set by a caller allowed `logs:PutResourcePolicy`
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html), and
the emulator does not reproduce that step. Levels
(https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html): ALL every event,
ERROR the failed/timed-out/aborted ones, FATAL the execution's own failure, OFF nothing.
A refused delivery is silent on AWS (the logs are dropped); the decisions are recorded and the
answer names the refusal.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from local_emulator import runtime
from local_emulator.constants import ACCOUNT_ID, REGION
from local_emulator.iam import services as iam_services
from local_emulator.iam.requests import Call

_FATAL = ("ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")


def _logged(event_type: str, level: str) -> bool:
    if level == "ALL":
        return True
    if level == "ERROR":
        return event_type.endswith(("Failed", "TimedOut", "Aborted"))
    return level == "FATAL" and event_type in _FATAL


def _key_arn(key_id: str) -> str:
    return key_id if key_id.startswith("arn:") else f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{key_id}"


def deliver(execution_arn: str) -> dict[str, Any]:
    sfn, logs = runtime.server_client("stepfunctions"), runtime.server_client("logs")
    execution = sfn.describe_execution(executionArn=execution_arn)
    machine_arn = execution["stateMachineArn"]
    machine = sfn.describe_state_machine(stateMachineArn=machine_arn)
    logging_config = machine.get("loggingConfiguration") or {}
    level = logging_config.get("level", "OFF")
    destinations = logging_config.get("destinations") or []
    if level == "OFF" or not destinations:
        return {"delivered": 0, "denial": None}
    group_arn = destinations[0]["cloudWatchLogsLogGroup"]["logGroupArn"].removesuffix(":*")
    group_name = group_arn.split(":log-group:", 1)[1]
    events = [
        e
        for e in sfn.get_execution_history(executionArn=execution_arn)["events"]
        if _logged(e["type"], level)
    ]
    if not events:
        return {"delivered": 0, "denial": None}
    denial = None
    machine_key = (machine.get("encryptionConfiguration") or {}).get("kmsKeyId")
    if machine_key and logging_config.get("includeExecutionData"):
        context = {"kms:EncryptionContext:aws:states:stateMachineArn": machine_arn}
        call = Call("kms:Decrypt", _key_arn(machine_key), context)
        denial = iam_services.service_delivers("delivery.logs.amazonaws.com", [call], machine_arn)
    group = next(
        (
            g
            for g in logs.describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
            if g["logGroupName"] == group_name
        ),
        None,
    )
    if group is None:
        return {"delivered": 0, "denial": f"log group {group_name} does not exist"}
    if denial is None and group.get("kmsKeyId"):
        call = Call(
            "kms:GenerateDataKey", group["kmsKeyId"], {"kms:EncryptionContext:aws:logs:arn": group_arn}
        )
        denial = iam_services.service_delivers(f"logs.{REGION}.amazonaws.com", [call], group_arn)
    if denial is not None:
        return {"delivered": 0, "denial": denial}
    stream = (
        f"states/{machine['name']}/{dt.datetime.now(dt.timezone.utc):%Y-%m-%d-%H-%M}/{execution['name'][:8]}"
    )
    logs.create_log_stream(logGroupName=group_name, logStreamName=stream)
    records = [
        {
            "timestamp": int(e["timestamp"].timestamp() * 1000),
            "message": json.dumps(
                {
                    "id": str(e["id"]),
                    "type": e["type"],
                    "details": {k: v for k, v in e.items() if k.endswith("EventDetails")},
                    "previous_event_id": str(e.get("previousEventId", 0)),
                    "event_timestamp": str(int(e["timestamp"].timestamp() * 1000)),
                    "execution_arn": execution_arn,
                },
                default=str,
            ),
        }
        for e in events
    ]
    logs.put_log_events(logGroupName=group_name, logStreamName=stream, logEvents=records)
    return {"delivered": len(records), "denial": None, "logStream": stream}
