"""EventBridge rules deliver to Step Functions targets, with AWS input handling, retries and DLQ.

AWS behaviour:
- A rule target may be a state machine; EventBridge calls StartExecution with the target input
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html). Disabled rules
  deliver nothing. The event's `time` is an ISO-8601 string ("2015-11-11T21:29:54Z").
- Target input (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html):
  `Input` (constant JSON), `InputPath` (part of the event), or `InputTransformer`; else the event.
- Input transformers (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html,
  API_InputTransformer.html): `<var>` placeholders take values from InputPathsMap JSON paths or
  the predefined variables aws.events.rule-arn, aws.events.rule-name,
  aws.events.event.ingestion-time, aws.events.event (event without detail) and
  aws.events.event.json. In a JSON template a string value replacing a bare placeholder is
  inserted as a JSON string (quoted and escaped); inside a quoted string it is inserted escaped
  without quotes; objects/arrays/numbers/booleans are inserted as JSON.
- Retries and DLQ (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html,
  API_RetryPolicy.html): retryable failures (throttling, 5xx) are retried up to
  RetryPolicy.MaximumRetryAttempts (default 185) within MaximumEventAgeInSeconds (default 86400);
  failures that cannot succeed (target resource missing, invalid input) are not retried. An
  event that cannot be delivered goes to the DeadLetterConfig SQS queue with the message
  attributes RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS and, when retries
  ran out, EXHAUSTED_RETRY_CONDITION.

moto 5.2.1 raises NotImplementedError (HTTP 500 from PutEvents) for a states target, replaces
placeholders textually (string values are not JSON-quoted), keeps `time` as epoch seconds,
delivers for disabled rules and has no retry/DLQ handling. Other target types keep moto's
delivery (logs, SQS, API destinations), except event buses:

- Event bus targets in another Region or account
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html,
  https://aws.amazon.com/blogs/compute/introducing-cross-region-event-routing-with-amazon-eventbridge/):
  the rule's target role must allow events:PutEvents on the target bus, and the target bus's rules
  receive the event itself - its id, time, source Region and account, resources and detail -
  which is how a central bus tells where each event came from.

moto 5.2.1 re-creates a forwarded event with PutEvents in the target Region: a new id and time,
the target's Region and account, no resources; and it needs no role. Here a role that may not put
on the target bus sends the event to the rule's dead-letter queue instead.

Emulator specifics: delivery runs on a background thread (PutEvents returns first, as on AWS);
retry back-off is 0.2 s x attempt instead of minutes. Faults injected for
stepfunctions/StartExecution (POST /_emulator/faults) apply to these deliveries too.
"""

from __future__ import annotations

import copy
import datetime
import json
import logging
import threading
import time
from typing import Any, Optional

from jsonpath_ng.ext import parse as parse_json_path
from moto.events.models import events_backends
from moto.sqs import sqs_backends
from moto.stepfunctions.responses import get_backend

from local_emulator import runtime
from local_emulator.iam import services as iam_services
from local_emulator.patching import target

LOG = logging.getLogger("local_emulator.events")

_RETRYABLE = {"ThrottlingException", "ServiceUnavailable", "InternalFailure", "InternalServerError"}
_ERROR_CODES = {
    "StateMachineDoesNotExist": "RESOURCE_NOT_FOUND",
    "ResourceNotFoundException": "RESOURCE_NOT_FOUND",
    "InvalidExecutionInput": "SDK_CLIENT_ERROR",
    "ExecutionAlreadyExists": "SDK_CLIENT_ERROR",
    "ThrottlingException": "THROTTLING",
    "AccessDeniedException": "NO_PERMISSIONS",
}
_MISSING = object()


def iso_time(value: Any) -> Any:
    """Epoch seconds (moto) -> '2015-11-11T21:29:54Z' (AWS). ISO strings are kept."""
    if isinstance(value, (int, float)):
        moment = datetime.datetime.fromtimestamp(float(value), tz=datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def aws_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event as AWS delivers it: ISO time, no moto-internal keys, AWS key order."""
    out = {k: v for k, v in event.items() if k != "ingestion-time"}
    out["time"] = iso_time(out.get("time"))
    order = ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    return {k: out[k] for k in order if k in out} | {k: v for k, v in out.items() if k not in order}


def _json_path(event: dict[str, Any], path: str) -> Any:
    matches = parse_json_path(path).find(event)
    if not matches:
        return _MISSING
    if len(matches) == 1 and "*" not in path:
        return matches[0].value
    return [m.value for m in matches]


def _render(value: Any, in_string: bool) -> str:
    if value is _MISSING or value is None:
        return "" if in_string else "null"
    if in_string:
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return json.dumps(text)[1:-1]
    return json.dumps(value, separators=(",", ":"))


def transform(template: str, paths_map: dict[str, str], event: dict[str, Any], rule: Any) -> str:
    """Apply an InputTransformer to an (AWS-shaped) event; returns the target input text."""
    values: dict[str, Any] = {name: _json_path(event, path) for name, path in paths_map.items()}
    ingestion = event.get("time")
    values.update(
        {
            "aws.events.rule-arn": rule.arn,
            "aws.events.rule-name": rule.name,
            "aws.events.event.ingestion-time": ingestion,
            "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
            "aws.events.event.json": event,
        }
    )
    is_json = template.lstrip()[:1] in ("{", "[")
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        char = template[i]
        if char == "\\" and in_string:
            out.append(template[i : i + 2])
            i += 2
            continue
        if char == '"':
            in_string = not in_string
        if char == "<":
            end = template.find(">", i)
            name = template[i + 1 : end] if end != -1 else ""
            if end != -1 and name in values:
                value = values[name]
                if is_json:
                    out.append(_render(value, in_string))
                else:
                    out.append(_render(value, True) if not isinstance(value, str) else value)
                i = end + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def target_input(target_def: dict[str, Any], event: dict[str, Any], rule: Any) -> str:
    if "Input" in target_def and target_def["Input"] is not None:
        return target_def["Input"]
    if target_def.get("InputPath"):
        value = _json_path(event, target_def["InputPath"])
        return json.dumps(None if value is _MISSING else value)
    transformer = target_def.get("InputTransformer")
    if transformer:
        return transform(transformer["InputTemplate"], transformer.get("InputPathsMap") or {}, event, rule)
    return json.dumps(event)


def _start_execution(rule: Any, target_def: dict[str, Any], input_text: str) -> None:
    arn = target_def["Arn"]
    fault = runtime.faults.take("stepfunctions", "StartExecution")
    if fault is not None:
        raise _DeliveryError(fault.error_code, fault.message or f"Injected fault {fault.error_code}")
    denial = iam_services.events_target_denial(rule, target_def)
    if denial is not None:  # the target's role may not start it: AWS dead-letters with NO_PERMISSIONS
        raise _DeliveryError("AccessDeniedException", denial)
    backend = get_backend(rule.account_id, rule.region_name)
    try:
        json.loads(input_text)
    except ValueError as exc:
        raise _DeliveryError(
            "InvalidExecutionInput", f"Invalid State Machine Execution Input: {exc}"
        ) from exc
    try:
        backend.start_execution(arn, execution_input=input_text)
    except Exception as exc:
        code = getattr(exc, "code", None)
        if not isinstance(code, str):
            code = getattr(exc, "error_type", None) or type(exc).__name__
        raise _DeliveryError(str(code), str(getattr(exc, "message", exc))) from exc


class _DeliveryError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _send_to_dlq(
    rule: Any,
    target_def: dict[str, Any],
    event: dict[str, Any],
    error: _DeliveryError,
    *,
    attempts: int,
    exhausted: Optional[str],
) -> None:
    dlq_arn = (target_def.get("DeadLetterConfig") or {}).get("Arn")
    if not dlq_arn:
        LOG.warning(
            "event %s dropped for target %s: %s", event.get("id"), target_def.get("Arn"), error.message
        )
        return
    parts = dlq_arn.split(":")
    if not iam_services.service_may_send("events.amazonaws.com", dlq_arn, rule.arn):
        LOG.warning("event %s not dead-lettered: the queue or its key denies EventBridge", event.get("id"))
        return
    attributes = {
        "RULE_ARN": rule.arn,
        "TARGET_ARN": target_def["Arn"],
        "ERROR_CODE": _ERROR_CODES.get(error.code, "SDK_CLIENT_ERROR"),
        "ERROR_MESSAGE": f"{error.code}: {error.message}",
        "RETRY_ATTEMPTS": str(attempts),
    }
    if exhausted:
        attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
    sqs_backends[parts[4]][parts[3]].send_message(
        queue_name=parts[5],
        message_body=json.dumps(event),
        message_attributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )


def deliver_to_state_machine(rule: Any, target_def: dict[str, Any], event: dict[str, Any]) -> None:
    policy = target_def.get("RetryPolicy") or {}
    max_attempts = int(policy.get("MaximumRetryAttempts", 185))
    max_age = float(policy.get("MaximumEventAgeInSeconds", 86400))
    started = time.monotonic()
    retries = 0
    while True:
        try:
            _start_execution(rule, target_def, target_input(target_def, event, rule))
            return
        except _DeliveryError as error:
            if error.code not in _RETRYABLE:
                _send_to_dlq(rule, target_def, event, error, attempts=retries, exhausted=None)
                return
            if retries >= max_attempts:
                _send_to_dlq(
                    rule, target_def, event, error, attempts=retries, exhausted="MaximumRetryAttempts"
                )
                return
            if time.monotonic() - started >= max_age:
                _send_to_dlq(
                    rule, target_def, event, error, attempts=retries, exhausted="MaximumEventAgeInSeconds"
                )
                return
            retries += 1
            time.sleep(0.2 * retries)


def deliver_to_event_bus(rule: Any, target_def: dict[str, Any], original_event: dict[str, Any]) -> None:
    """Forward the event unchanged to the rules of the target bus (another Region or account)."""
    denial = iam_services.events_target_denial(rule, target_def, action="events:PutEvents")
    if denial is not None:
        error = _DeliveryError("AccessDeniedException", denial)
        _send_to_dlq(
            rule, target_def, aws_event(copy.deepcopy(original_event)), error, attempts=0, exhausted=None
        )
        return
    parts = target_def["Arn"].split(":")
    bus_name = parts[5].split("/", 1)[1]
    backend = events_backends[parts[4]][parts[3]]
    for target_rule in list(backend.describe_event_bus(bus_name).rules.values()):
        target_rule.send_to_targets(copy.deepcopy(original_event))


class _OtherTargets:
    """The rule as moto's own send_to_targets sees it, limited to the targets moto supports."""

    def __init__(self, rule: Any, targets: list[dict[str, Any]]) -> None:
        self._rule = rule
        self.targets = targets

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rule, name)


def apply() -> None:
    owner, attr, original = target("moto.events.models", "Rule.send_to_targets")
    target("moto.stepfunctions.responses", "get_backend")

    def send_to_targets(self: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if getattr(self, "state", "ENABLED") != "ENABLED":
            return
        if not self.event_pattern.matches_event(original_event):
            return
        states = [t for t in self.targets if t["Arn"].split(":")[2] == "states"]
        buses = [t for t in self.targets if t["Arn"].split(":")[2] == "events" and ":event-bus/" in t["Arn"]]
        others = [t for t in self.targets if t not in states and t not in buses]
        for target_def in buses:
            deliver_to_event_bus(self, copy.deepcopy(target_def), original_event)
        if others:
            original(_OtherTargets(self, others), original_event, transform_input)
        if not states:
            return
        event = aws_event(copy.deepcopy(original_event))
        for target_def in states:
            thread = threading.Thread(
                target=deliver_to_state_machine,
                args=(self, copy.deepcopy(target_def), event),
                name=f"events-delivery-{self.name}",
                daemon=True,
            )
            thread.start()

    setattr(owner, attr, send_to_targets)
