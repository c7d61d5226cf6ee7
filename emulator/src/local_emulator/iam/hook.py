"""Every API request moto serves is authorised here, as AWS authorises it.

moto calls `ActionAuthenticatorMixin._authenticate_and_authorize_action` for every request of
every service (S3 through `_authenticate_and_authorize_s3_action` with the bucket/key ARN), but
only checks anything after `INITIAL_NO_AUTH_ACTION_COUNT` requests, with its own evaluator
(no conditions, no resource policies, no KMS). The emulator wraps it: requests signed with the
admin key (constants.ACCESS_KEY_ID: Terraform, tests) pass as before; requests signed with a
role session's key (code the emulator runs as a role) are mapped to their IAM calls
(`requests.py`), judged (`judge.py`) and recorded. Mode (setting `iam.mode`):
- `enforce` (default): a denied request is answered as AWS answers it (HTTP 403, AccessDenied /
  AccessDeniedException in the service's protocol);
- `audit` (opt-in: setting or EMULATOR_IAM_MODE=audit): decisions recorded, denials logged and
  listed, requests not refused;
- `off`: nothing evaluated.
An operation without an IAM mapping called by a role session is recorded as `unmapped` (and
refused when enforcing): never silently allowed.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any, Optional
from urllib.parse import unquote
from xml.sax.saxutils import escape as xml_escape

from local_emulator import runtime
from local_emulator.constants import ACCESS_KEY_ID
from local_emulator.iam import audit, credentials, judge
from local_emulator.iam.policy import Principal
from local_emulator.iam.requests import Call, UnmappedOperation, api_calls, s3_calls
from local_emulator.patching import replace, target

LOG = logging.getLogger("local_emulator.iam")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/")
_LAMBDA_PATH = re.compile(r"/functions/([^/]+)/")
# https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html: SNS answers AuthorizationError.
_QUERY_ERROR_CODES = {"sns": "AuthorizationError"}


def _signature(headers: Any) -> Optional[tuple[str, str, str]]:
    auth = headers.get("Authorization") or headers.get("authorization") or ""
    match = _CREDENTIAL.search(auth)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def _params(response: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    body = getattr(response, "body", None) or b""
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body)
    if text.lstrip().startswith("{"):
        try:
            loaded = json.loads(text)
            if isinstance(loaded, dict):
                params.update(loaded)
        except ValueError:
            pass
    for key, values in (getattr(response, "querystring", None) or {}).items():
        params.setdefault(key, values)
    match = _LAMBDA_PATH.search(getattr(response, "path", "") or "")
    if match:
        params.setdefault("FunctionName", unquote(match.group(1)))
    # Query-protocol lists: Names.member.1, Names.member.2 -> Names
    for key in [k for k in params if ".member." in k]:
        name = key.split(".member.", 1)[0]
        params.setdefault(name, [])
        if isinstance(params[name], list):
            params[name].extend(params[key] if isinstance(params[key], list) else [params[key]])
    return params


def global_context(principal: Principal, region: str) -> dict[str, Any]:
    """Global condition keys AWS puts in every request context (the ones the stack uses)."""
    return {
        "aws:SecureTransport": "true" if runtime.secure_transport.get() else "false",
        "aws:PrincipalArn": principal.arn,
        "aws:PrincipalAccount": principal.account,
        "aws:PrincipalType": "AssumedRole",
        "aws:RequestedRegion": region,
        "aws:userid": principal.session_arn.rsplit("/", 1)[-1],
    }


def judge_calls(principal: Principal, calls: list[Call], region: str, origin: str) -> list[Any]:
    base = global_context(principal, region)
    decisions = []
    for call in calls:
        decisions.append(
            judge.decide(principal, call.action, call.resource, {**base, **call.context}, origin=origin)
        )
    return decisions


def _calls_for(response: Any, iam_request_cls: type, resource: str, service: str, region: str) -> list[Call]:
    account = response.current_account
    if iam_request_cls.__name__ == "S3IAMRequest":
        return s3_calls(
            str(response.data.get("Action")),
            resource,
            response.method,
            response.querystring,
            response.headers,
            response.body if isinstance(response.body, bytes) else str(response.body or "").encode(),
            account,
            region,
        )
    return api_calls(service, response._get_action(), _params(response), account, region)


def authorize(original: Any, response: Any, iam_request_cls: type, resource: str = "*") -> None:
    mode = credentials.mode()
    signature = _signature(response.headers) if mode != "off" else None
    if signature is None or signature[0] == ACCESS_KEY_ID:
        return original(response, iam_request_cls, resource)
    access_key, region, service = signature
    principal = credentials.principal_for(access_key)
    if principal is None:
        return original(response, iam_request_cls, resource)  # not a session the emulator minted
    origin = f"{service}:{response.method} {getattr(response, 'path', '')}"
    try:
        calls = _calls_for(response, iam_request_cls, resource, service, region)
    except UnmappedOperation as exc:
        audit.record_unmapped(principal, service, str(exc).split(":", 1)[-1], origin)
        LOG.warning("IAM: unmapped operation %s called by %s", exc, principal.session_arn)
        if mode == "enforce":
            _deny(response, iam_request_cls, principal, f"{service}:{exc}")
        return None
    decisions = judge_calls(principal, calls, region, origin)
    for call, decision in zip(calls, decisions, strict=True):
        if not decision.allowed:
            LOG.warning(
                "IAM %s: %s %s on %s (%s)",
                decision.decision,
                principal.session_arn,
                call.action,
                call.resource,
                decision.reason,
            )
            if mode == "enforce":
                _deny(response, iam_request_cls, principal, call.action)
    return None


def _deny(response: Any, iam_request_cls: type, principal: Principal, action: str) -> None:
    if iam_request_cls.__name__ == "S3IAMRequest":
        from moto.s3.exceptions import AccessDeniedByLock  # noqa: PLC0415 - same AccessDenied document

        raise AccessDeniedByLock()
    message = f"User: {principal.session_arn} is not authorized to perform: {action}"
    headers = getattr(response, "headers", {}) or {}
    if headers.get("X-Amz-Target") or "json" in str(headers.get("Content-Type", "")):
        from moto.core.exceptions import JsonRESTError  # noqa: PLC0415

        error = JsonRESTError("AccessDeniedException", message)
        error.code = 400 if headers.get("X-Amz-Target") else 403
        raise error
    # Query-protocol services name the error differently: SNS AuthorizationError, others AccessDenied.
    service = (_signature(headers) or ("", "", ""))[2]
    raise _query_error(_QUERY_ERROR_CODES.get(service, "AccessDenied"), message)


def _query_error(code: str, message: str) -> Exception:
    """AWS's query-protocol error document (with the RequestId clients read)."""
    from moto.core.exceptions import AccessDeniedError  # noqa: PLC0415

    error = AccessDeniedError(user_arn="", action="")
    error.error_type, error.message = code, message
    error.description = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{xml_escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return error


def apply() -> None:
    original = target(
        "moto.core.authorization", "ActionAuthenticatorMixin._authenticate_and_authorize_action"
    )[2]

    def _authenticate_and_authorize_action(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        return authorize(original, self, iam_request_cls, resource)

    replace(
        "moto.core.authorization",
        "ActionAuthenticatorMixin._authenticate_and_authorize_action",
        _authenticate_and_authorize_action,
    )
