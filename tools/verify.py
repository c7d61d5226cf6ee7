"""`make verify ENV=<env>`: may every deployed role make every call its code and definitions make?

For each role the environment deploys, the calls are derived (tools/iam_calls.py) from what
runs with it, read back from the account:
- state machines (workflow, guard, sweeper): their definitions, Task by Task;
- Lambda functions and Glue jobs: the `iam_calls.json` manifest next to their code, filled with
  the deployed environment variables / job arguments, plus the platform calls (logs, X-Ray,
  the job's script and libraries);
- crawlers and the data-quality run: their targets and tables;
- EventBridge rule targets and the Scheduler schedule: StartExecution with their role;
- every call on an SSE-KMS bucket, encrypted topic or queue adds the KMS calls it implies.

Each call is asked of the account with iam:SimulatePrincipalPolicy (identity policies and
permissions boundary). The resource's own policy (bucket, topic, queue, key policy) is then
applied with the emulator's evaluator (local_emulator.iam.evaluate): AWS's simulator accepts a
ResourcePolicy for a role only together with an IAM-user CallerArn
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html), and it
does not apply KMS's rule that the key policy must allow or delegate to the account.

On the emulator (ENV=local) the same questions go to the emulator's SimulatePrincipalPolicy.
Prints one table; exits 1 on any denial.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

import boto3
from iam_calls import PROBE, REPO_ROOT, Call, derive_calls, manifest_calls
from local_emulator.iam.evaluate import ALLOWED, EXPLICIT_DENY, Request, evaluate
from local_emulator.iam.policy import Policy, Principal


@dataclass(frozen=True)
class Row:
    role: str
    source: str
    call: Call
    decision: str = ""
    detail: str = ""


class Account:
    """boto3 clients for one account (the emulator for ENV=local)."""

    def __init__(self, session: boto3.session.Session, client_kwargs: Mapping[str, Any]) -> None:
        self._session = session
        self._kwargs = dict(client_kwargs)
        self._clients: dict[str, Any] = {}
        identity = self.client("sts").get_caller_identity()
        self.account = identity["Account"]
        self.region = session.region_name or "eu-west-1"

    def in_region(self, region: str) -> Account:
        """The same account's clients signed for another region (a guard's other regions)."""
        credentials = self._session.get_credentials()
        session = boto3.session.Session(
            aws_access_key_id=credentials.access_key,
            aws_secret_access_key=credentials.secret_key,
            aws_session_token=credentials.token,
            region_name=region,
        )
        return Account(session, self._kwargs)

    def client(self, name: str) -> Any:
        if name not in self._clients:
            self._clients[name] = self._session.client(name, **self._kwargs)
        return self._clients[name]


# ---------------------------------------------------------------------------------------------
# Deriving rows
# ---------------------------------------------------------------------------------------------
def state_machine_rows(acct: Account, arn: str) -> list[Row]:
    machine = acct.client("stepfunctions").describe_state_machine(stateMachineArn=arn)
    name = arn.rsplit(":", 1)[-1]
    calls = sorted(derive_calls(json.loads(machine["definition"]), acct.region, acct.account), key=str)
    key = (machine.get("encryptionConfiguration") or {}).get("kmsKeyId")
    if key:  # executions of a CMK-encrypted state machine use the key with the role
        context = (("kms:EncryptionContext:aws:states:stateMachineArn", arn),)
        calls += [Call(a, _key_arn(acct, key), context) for a in ("kms:GenerateDataKey", "kms:Decrypt")]
    return [Row(machine["roleArn"], f"state machine {name}", c) for c in calls]


def function_rows(acct: Account, name: str) -> list[Row]:
    config = acct.client("lambda").get_function_configuration(FunctionName=name)
    package = config["Handler"].split(".", 1)[0]
    manifest = REPO_ROOT / "lambda_src" / package / "iam_calls.json"
    values = {"env": (config.get("Environment") or {}).get("Variables", {}), "aws": _aws(acct)}
    calls = manifest_calls(manifest, values)
    group = (config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{name}"
    stream = f"arn:aws:logs:{acct.region}:{acct.account}:log-group:{group}:log-stream:{PROBE}"
    calls += [Call("logs:CreateLogStream", stream), Call("logs:PutLogEvents", stream)]
    if (config.get("TracingConfig") or {}).get("Mode") == "Active":
        calls += [Call("xray:PutTraceSegments", "*"), Call("xray:PutTelemetryRecords", "*")]
    return [Row(config["Role"], f"function {name}", c) for c in calls]


def job_rows(acct: Account, name: str) -> list[Row]:
    job = acct.client("glue").get_job(JobName=name)["Job"]
    script = job["Command"]["ScriptLocation"]
    manifest = REPO_ROOT / "glue_jobs" / Path(script).name.replace(".py", ".iam_calls.json")
    arguments = dict(job.get("DefaultArguments") or {})
    calls = manifest_calls(manifest, {"arg": arguments, "aws": _aws(acct)})
    # Glue fetches the script and --extra-py-files with the job's role.
    for uri in [script, *filter(None, arguments.get("--extra-py-files", "").split(","))]:
        calls.append(Call("s3:GetObject", "arn:aws:s3:::" + uri.strip().removeprefix("s3://")))
    return [Row(job["Role"], f"job {name}", c) for c in calls]


def crawler_rows(acct: Account, name: str) -> list[Row]:
    crawler = acct.client("glue").get_crawler(Name=name)["Crawler"]
    glue = f"arn:aws:glue:{acct.region}:{acct.account}"
    database = crawler["DatabaseName"]
    calls = []
    for target in crawler["Targets"].get("S3Targets", []):
        bucket, _, prefix = target["Path"].removeprefix("s3://").partition("/")
        calls += [
            Call("s3:ListBucket", f"arn:aws:s3:::{bucket}", (("s3:prefix", prefix),)),
            Call("s3:GetObject", f"arn:aws:s3:::{bucket}/{prefix}ingest_date=2026-01-01/part.parquet"),
        ]
        table = crawler.get("TablePrefix", "") + prefix.rstrip("/").rsplit("/", 1)[-1]
        for action in (
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:CreateTable",
            "glue:UpdateTable",
            "glue:GetPartitions",
            "glue:BatchCreatePartition",
        ):
            resources = [f"{glue}:catalog", f"{glue}:database/{database}"]
            if action != "glue:GetDatabase":
                resources.append(f"{glue}:table/{database}/{table}")
            calls += [Call(action, r) for r in resources]
    return [Row(crawler["Role"], f"crawler {name}", c) for c in sorted(set(calls), key=str)]


def quality_rows(acct: Account, ruleset: str, role_arn: str, jobs: Sequence[str]) -> list[Row]:
    glue_client = acct.client("glue")
    target = glue_client.get_data_quality_ruleset(Name=ruleset)["TargetTable"]
    database, table = target["DatabaseName"], target["TableName"]
    glue = f"arn:aws:glue:{acct.region}:{acct.account}"
    bucket, prefix = _table_location(acct, database, table, jobs)
    calls = [
        Call("glue:GetTable", r)
        for r in (f"{glue}:catalog", f"{glue}:database/{database}", f"{glue}:table/{database}/{table}")
    ]
    calls += [
        Call("glue:GetDataQualityRuleset", f"{glue}:dataQualityRuleset/{ruleset}"),
        Call("glue:PublishDataQuality", f"{glue}:dataQualityRuleset/{ruleset}"),
        Call("s3:ListBucket", f"arn:aws:s3:::{bucket}", (("s3:prefix", prefix),)),
        Call("s3:GetObject", f"arn:aws:s3:::{bucket}/{prefix}part.parquet"),
    ]
    return [Row(role_arn, f"data quality {ruleset}", c) for c in calls]


def _table_location(acct: Account, database: str, table: str, jobs: Sequence[str]) -> tuple[str, str]:
    """Where the evaluated table's data lives: the catalog's location, or (before the first run
    registered the candidate table) where the job that registers it writes it."""
    glue_client = acct.client("glue")
    try:
        location = glue_client.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"][
            "Location"
        ]
    except glue_client.exceptions.EntityNotFoundException:
        location = ""
        for name in jobs:
            args = glue_client.get_job(JobName=name)["Job"].get("DefaultArguments") or {}
            table_prefix = args.get("--candidate_table_prefix")
            if (
                table_prefix
                and table.startswith(table_prefix)
                and args.get("--candidate_database") == database
            ):
                dataset = table.removeprefix(table_prefix)
                location = f"s3://{args['--silver_bucket']}/_candidate/{args['--source_name']}/{dataset}/"
        if not location:
            raise
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    return bucket, prefix if prefix.endswith("/") else prefix + "/"


def rule_rows(acct: Account, rule: str) -> list[Row]:
    targets = acct.client("events").list_targets_by_rule(Rule=rule)["Targets"]
    rows = []
    for target in targets:
        if ":states:" in target["Arn"]:
            rows.append(
                Row(
                    target.get("RoleArn", "(none)"),
                    f"rule {rule}",
                    Call("states:StartExecution", target["Arn"]),
                )
            )
        elif ":event-bus/" in target["Arn"]:  # another region's bus: the role puts the event there
            rows.append(
                Row(target.get("RoleArn", "(none)"), f"rule {rule}", Call("events:PutEvents", target["Arn"]))
            )
    return rows


def _rules_targeting(acct: Account, arn: str) -> list[str]:
    return acct.client("events").list_rule_names_by_target(TargetArn=arn).get("RuleNames", [])


def other_region_rows(acct: Account, pieces: Mapping[str, Any]) -> list[Row]:
    """A guard region other than home (modules/glue_session_guard/modules/region outputs)."""
    machines = [pieces["guard_state_machine_arn"], pieces["sweeper_state_machine_arn"]]
    rows: list[Row] = []
    for arn in machines:
        rows += state_machine_rows(acct, arn)
    for rule in filter(None, [pieces.get("event_rule_name"), pieces.get("forward_rule_name")]):
        rows += rule_rows(acct, rule)
    for name in _schedules_starting(acct, machines):
        rows += schedule_rows(acct, name)
    return rows + implied_kms_rows(acct, rows)


def schedule_rows(acct: Account, name: str) -> list[Row]:
    schedule = acct.client("scheduler").get_schedule(Name=name)
    target = schedule["Target"]
    calls = [Call("states:StartExecution", target["Arn"])]
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dlq:
        calls.append(Call("sqs:SendMessage", dlq))
    if schedule.get("KmsKeyArn"):
        calls.append(Call("kms:Decrypt", schedule["KmsKeyArn"]))
    return [Row(target["RoleArn"], f"schedule {name}", c) for c in calls]


def service_rows(acct: Account, outputs: Mapping[str, Any], machines: Sequence[str]) -> list[Row]:
    """Calls AWS services make as their service principal, against resource and key policies:
    EventBridge dead-letter queues, CloudWatch alarm actions, CloudTrail delivery, log delivery of
    encrypted state machines."""
    rows: list[Row] = []
    source = {"aws:SourceAccount": acct.account}
    rule = outputs.get("guard_event_rule_name")
    if rule:
        rule_arn = acct.client("events").describe_rule(Name=rule)["Arn"]
        for target in acct.client("events").list_targets_by_rule(Rule=rule)["Targets"]:
            dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
            if dlq:
                context = _pairs({**source, "aws:SourceArn": rule_arn})
                rows.append(
                    Row("events.amazonaws.com", f"rule {rule} DLQ", Call("sqs:SendMessage", dlq, context))
                )
    topics = {outputs.get("success_topic_arn"), outputs.get("failure_topic_arn")} - {None}
    for alarm in acct.client("cloudwatch").describe_alarms().get("MetricAlarms", []):
        for action in set(alarm.get("AlarmActions", [])) & topics:
            context = _pairs({**source, "aws:SourceArn": alarm["AlarmArn"]})
            call = Call("sns:Publish", action, context)
            rows.append(Row("cloudwatch.amazonaws.com", f"alarm {alarm['AlarmName']}", call))
    for arn in machines:
        # CloudWatch Logs delivers the execution data of a CMK-encrypted state machine and must
        # decrypt it (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html).
        machine = acct.client("stepfunctions").describe_state_machine(stateMachineArn=arn)
        key = (machine.get("encryptionConfiguration") or {}).get("kmsKeyId")
        if key and (machine.get("loggingConfiguration") or {}).get("includeExecutionData"):
            context = _pairs({**source, "kms:EncryptionContext:aws:states:stateMachineArn": arn})
            call = Call("kms:Decrypt", _key_arn(acct, key), context)
            rows.append(
                Row("delivery.logs.amazonaws.com", f"state machine {arn.rsplit(':', 1)[-1]} logs", call)
            )
    trail_arn = outputs.get("guard_trail_arn")
    if trail_arn:
        trail = acct.client("cloudtrail").get_trail(Name=trail_arn)["Trail"]
        bucket = trail["S3BucketName"]
        base = {**source, "aws:SourceArn": trail_arn}
        key_context = {**base, "kms:EncryptionContext:aws:cloudtrail:arn": trail_arn}
        logs = f"AWSLogs/{acct.account}/CloudTrail/{acct.region}/2026/01/01/{PROBE}.json.gz"
        obj = f"arn:aws:s3:::{bucket}/{logs}"
        rows += [
            Row(
                "cloudtrail.amazonaws.com",
                "trail",
                Call("s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", _pairs(base)),
            ),
            Row(
                "cloudtrail.amazonaws.com",
                "trail",
                Call("s3:PutObject", obj, _pairs({**base, "s3:x-amz-acl": "bucket-owner-full-control"})),
            ),
        ]
        if trail.get("KmsKeyId"):
            key = _key_arn(acct, trail["KmsKeyId"])
            rows.append(
                Row(
                    "cloudtrail.amazonaws.com", "trail", Call("kms:GenerateDataKey", key, _pairs(key_context))
                )
            )
    return rows


def _pairs(values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(values.items()))


def _aws(acct: Account) -> dict[str, str]:
    return {"region": acct.region, "account": acct.account}


def _key_arn(acct: Account, key_id: str) -> str:
    return acct.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


def implied_kms_rows(acct: Account, rows: list[Row]) -> list[Row]:
    """KMS calls the caller makes through S3 (SSE-KMS), SNS and SQS (encrypted topics/queues)."""
    added: list[Row] = []
    for row in rows:
        action, resource = row.call.action, row.call.resource
        key, via, kms_actions, context = None, "", (), ()
        if row.role.endswith(".amazonaws.com") and action.startswith("s3:"):
            continue  # CloudTrail encrypts with its trail key (a row of its own), not the bucket default
        if action in ("s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"):
            bucket = resource.split(":::", 1)[1].split("/", 1)[0]
            key, bucket_key = _bucket_key(acct, bucket)
            via = "s3"
            kms_actions = ("kms:GenerateDataKey",) if action == "s3:PutObject" else ("kms:Decrypt",)
            arn_context = f"arn:aws:s3:::{bucket}" if bucket_key else resource
            context = (("kms:EncryptionContext:aws:s3:arn", arn_context),)
        elif action == "sns:Publish":
            key = _attribute(
                lambda t=resource: acct.client("sns").get_topic_attributes(TopicArn=t)["Attributes"],
                "KmsMasterKeyId",
            )
            via, kms_actions = "sns", ("kms:GenerateDataKey", "kms:Decrypt")
        elif action == "sqs:SendMessage":
            url = acct.client("sqs").get_queue_url(QueueName=resource.rsplit(":", 1)[-1])["QueueUrl"]
            key = _attribute(
                lambda u=url: acct.client("sqs").get_queue_attributes(QueueUrl=u, AttributeNames=["All"])[
                    "Attributes"
                ],
                "KmsMasterKeyId",
            )
            via, kms_actions = "sqs", ("kms:GenerateDataKey", "kms:Decrypt")
        if not key:
            continue
        full = (("kms:ViaService", f"{via}.{acct.region}.amazonaws.com"), *context)
        if row.role.endswith(".amazonaws.com"):  # a service uses the key itself, with its source
            full = tuple(sorted({*row.call.context, *context}))
        added += [Row(row.role, row.source, Call(a, _key_arn(acct, key), full)) for a in kms_actions]
    return added


def _attribute(read: Callable[[], Mapping[str, str]], name: str) -> Optional[str]:
    try:
        return read().get(name)
    except Exception:
        return None


def _bucket_key(acct: Account, bucket: str) -> tuple[Optional[str], bool]:
    try:
        rules = acct.client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
    except Exception:
        return None, False
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {})
    if default.get("SSEAlgorithm") != "aws:kms":
        return None, False
    return default.get("KMSMasterKeyID") or "alias/aws/s3", bool(rules[0].get("BucketKeyEnabled"))


def derive_rows(acct: Account, outputs: Mapping[str, Any]) -> list[Row]:
    rows: list[Row] = []
    machines = [
        outputs.get(k)
        for k in (
            "pipeline_workflow_arn",
            "guard_state_machine_arn",
            "sweeper_state_machine_arn",
            "guard_relay_state_machine_arn",
        )
    ]
    for arn in filter(None, machines):
        rows += state_machine_rows(acct, arn)
    for name in _names(outputs.get("pipeline_function_names")):
        rows += function_rows(acct, name)
    for name in _names(outputs.get("pipeline_job_names")):
        rows += job_rows(acct, name)
    for name in _names(outputs.get("pipeline_crawler_names")):
        rows += crawler_rows(acct, name)
    rulesets = _names(outputs.get("pipeline_data_quality_ruleset_names"))
    pass_role = next((r.call.resource for r in rows if r.call.action == "iam:PassRole"), None)
    for ruleset in sorted(rulesets) if pass_role else []:
        rows += quality_rows(acct, ruleset, pass_role, _names(outputs.get("pipeline_job_names")))
    if outputs.get("guard_event_rule_name"):
        rows += rule_rows(acct, outputs["guard_event_rule_name"])
    if outputs.get("guard_relay_state_machine_arn"):
        for rule in _rules_targeting(acct, outputs["guard_relay_state_machine_arn"]):
            rows += rule_rows(acct, rule)
    for name in _schedules_starting(acct, machines):
        rows += schedule_rows(acct, name)
    rows += service_rows(acct, outputs, machines)
    return rows + implied_kms_rows(acct, rows)


def _schedules_starting(acct: Account, machines: Sequence[str]) -> list[str]:
    """Every schedule (default group) whose target is one of the environment's state machines."""
    scheduler = acct.client("scheduler")
    names = [s["Name"] for s in scheduler.list_schedules().get("Schedules", [])]
    return [n for n in names if scheduler.get_schedule(Name=n)["Target"]["Arn"] in machines]


def _names(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [str(v) for v in value.values()]
    return [str(v) for v in value or []]


# ---------------------------------------------------------------------------------------------
# Asking
# ---------------------------------------------------------------------------------------------
def resource_policy(acct: Account, resource: str) -> tuple[Optional[str], bool]:
    """(policy document of the resource, is a KMS key)."""
    service = resource.split(":")[2] if resource.startswith("arn:") else ""
    try:
        if service == "s3":
            bucket = resource.split(":::", 1)[1].split("/", 1)[0]
            return acct.client("s3").get_bucket_policy(Bucket=bucket)["Policy"], False
        if service == "sns":
            return acct.client("sns").get_topic_attributes(TopicArn=resource)["Attributes"].get(
                "Policy"
            ), False
        if service == "sqs":
            url = acct.client("sqs").get_queue_url(QueueName=resource.rsplit(":", 1)[-1])["QueueUrl"]
            attrs = acct.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])[
                "Attributes"
            ]
            return attrs.get("Policy"), False
        if service == "kms":
            return acct.client("kms").get_key_policy(KeyId=resource, PolicyName="default")["Policy"], True
    except Exception:
        return None, service == "kms"
    return None, False


def ask_service(acct: Account, row: Row) -> Row:
    """A service principal has no identity policies: only the resource (or key) policy decides.
    The simulator takes no service principals, so the emulator's evaluator answers."""
    document, is_key = resource_policy(acct, row.call.resource)
    principal = Principal(arn=row.role, account="", kind="service")
    context = dict(row.call.context) | {"aws:SecureTransport": "true"}
    decision = evaluate(
        Request(principal, row.call.action, row.call.resource, context),
        (),
        Policy.parse("resource", document) if document else None,
        kms_key=is_key,
    )
    return Row(row.role, row.source, row.call, decision.decision, decision.deciding or decision.reason)


def ask(acct: Account, row: Row) -> Row:
    if row.role.endswith(".amazonaws.com"):
        return ask_service(acct, row)
    call = row.call
    entries = [
        {"ContextKeyName": k, "ContextKeyValues": [v], "ContextKeyType": "string"}
        for k, v in (*call.context, ("aws:SecureTransport", "true"))
    ]
    result = acct.client("iam").simulate_principal_policy(
        PolicySourceArn=row.role,
        ActionNames=[call.action],
        ResourceArns=[call.resource],
        ContextEntries=entries,
    )["EvaluationResults"][0]
    identity_decision = result["EvalDecision"]
    matched = ", ".join(m.get("SourcePolicyId", "") for m in result.get("MatchedStatements", []))
    document, is_key = resource_policy(acct, call.resource)
    if document is None and not is_key:
        return Row(row.role, row.source, call, identity_decision, matched)
    identity = _as_policy(identity_decision, call)
    principal = Principal(arn=row.role, account=acct.account, kind="role")
    context = {k: v for k, v in call.context} | {
        "aws:SecureTransport": "true",
        "aws:PrincipalArn": row.role,
        "aws:PrincipalAccount": acct.account,
    }
    decision = evaluate(
        Request(principal, call.action, call.resource, context),
        identity,
        Policy.parse("resource", document) if document else None,
        kms_key=is_key,
    )
    detail = decision.deciding if decision.deciding.startswith("resource") else matched
    if decision.decision != ALLOWED and not detail:
        detail = decision.reason
    return Row(row.role, row.source, call, decision.decision, detail)


def _as_policy(decision: str, call: Call) -> list[Policy]:
    """The simulator's identity answer as a one-statement policy for the combined evaluation."""
    if decision not in (ALLOWED, EXPLICIT_DENY):
        return []
    effect = "Allow" if decision == ALLOWED else "Deny"
    return [
        Policy.parse(
            "identity",
            {
                "Statement": [
                    {"Sid": "simulated", "Effect": effect, "Action": call.action, "Resource": call.resource}
                ]
            },
        )
    ]


def table(rows: Sequence[Row]) -> str:
    header = ("ROLE", "FROM", "ACTION", "RESOURCE", "DECISION", "STATEMENT / REASON")
    lines = [
        (r.role.rsplit("/", 1)[-1], r.source, r.call.action, r.call.resource, r.decision, r.detail)
        for r in rows
    ]
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)
    ]
    widths = [min(w, 90) for w in widths]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def verify(acct: Account, outputs: Mapping[str, Any]) -> tuple[list[Row], int]:
    rows = sorted(
        {(r.role, r.source, r.call): r for r in derive_rows(acct, outputs)}.values(),
        key=lambda r: (r.role, r.source, r.call.action, r.call.resource),
    )
    answered = [ask(acct, r) for r in rows]
    # A guard's other regions: their roles' calls, asked with clients of that region.
    for region, pieces in sorted((outputs.get("guard_other_regions") or {}).items()):
        regional = acct.in_region(region)
        unique = {(r.role, r.source, r.call): r for r in other_region_rows(regional, pieces)}.values()
        answered += [ask(regional, r) for r in sorted(unique, key=lambda r: (r.role, r.source, str(r.call)))]
    denied = sum(1 for r in answered if r.decision != ALLOWED)
    return answered, denied


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", default="local")
    parser.add_argument("--port", type=int, default=None, help="emulator port (ENV=local)")
    parser.add_argument(
        "--outputs-json", type=Path, help="terraform output -json of the environment (default: read it)"
    )
    args = parser.parse_args(argv)
    import envctl  # noqa: PLC0415 - terraform wrapper, only needed here

    extra_env: dict[str, str] = {}
    client_kwargs: dict[str, Any] = {}
    session = boto3.session.Session()
    if args.env == "local":
        from local_emulator.constants import default_port  # noqa: PLC0415

        extra_env = envctl.emulator_environment(args.port or default_port())
        client_kwargs = {"endpoint_url": extra_env["AWS_ENDPOINT_URL"], "verify": extra_env["AWS_CA_BUNDLE"]}
        session = boto3.session.Session(
            aws_access_key_id=extra_env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=extra_env["AWS_SECRET_ACCESS_KEY"],
            region_name=extra_env["AWS_DEFAULT_REGION"],
        )
    if args.outputs_json:
        outputs = envctl.flatten_outputs(json.loads(args.outputs_json.read_text()))
    else:
        envctl.init(args.env, extra_env)
        outputs = envctl.outputs(args.env, extra_env)
    if not outputs:
        print(
            f"envs/{args.env} has no applied state to verify: run `make apply ENV={args.env}` first, or pass "
            "--outputs-json with the outputs of another state (a KEEP=1 demo prints its command)",
            file=sys.stderr,
        )
        return 2
    rows, denied = verify(Account(session, client_kwargs), outputs)
    print(table(rows))
    roles = len({r.role for r in rows})
    print(f"\n{len(rows)} calls of {roles} roles: {len(rows) - denied} allowed, {denied} denied")
    return 1 if denied else 0


if __name__ == "__main__":
    sys.exit(main())
