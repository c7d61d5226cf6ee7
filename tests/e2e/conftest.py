"""Package fixture: envs/local applied on an emulator of its own, destroyed (and checked empty)
after the last e2e test.

The state and .terraform directory live in a temporary directory (backend-config path, TF_DATA_DIR),
so the tests never touch a developer's own `make apply ENV=local` state.

The local WordPress site (`local_site`: the committed sample tests/fixtures/wordpress_small served
by tools/wordpress_sample/server.py in this process) runs on a free port for the e2e package;
the apply points the pipeline's endpoints at it (TF_VAR_wordpress_site_port).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from envctl import flatten_outputs
from local_emulator.handle import Emulator, running_emulator
from local_emulator.iam.audit import format_table
from notifications import Inbox, subscribe_inbox
from wordpress_sample.server import SAMPLE_CREDENTIALS, WordPressApi

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = REPO_ROOT / "tools" / "terraform.sh"
LOCAL_ENV = REPO_ROOT / "envs" / "local"
SAMPLE_SITE = REPO_ROOT / "tests" / "fixtures" / "wordpress_small"
# Glue creates these account-wide groups itself at the first job run (jobs without their own log
# group write there); Terraform never managed them, so destroy rightly leaves them.
GLUE_DEFAULT_LOG_GROUPS = frozenset(
    f"/aws-glue/{kind}/{stream}" for kind in ("jobs", "python-jobs") for stream in ("output", "error")
)


@dataclass
class AppliedEnv:
    emulator: Any
    work_dir: Path
    env: dict[str, str]
    outputs: dict[str, Any]
    apply_seconds: float
    site: WordPressApi

    def terraform(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(TERRAFORM), f"-chdir={LOCAL_ENV}", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"terraform {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def plan_exit_code(self) -> int:
        """terraform plan -detailed-exitcode: 0 = no changes, 2 = changes, 1 = error."""
        return self.terraform(
            "plan", "-input=false", "-no-color", "-detailed-exitcode", check=False
        ).returncode

    def output(self, name: str) -> Any:
        return self.outputs[name]

    def inbox(self, topic_output: str, name: str) -> Inbox:
        """An SQS inbox subscribed to the topic the environment outputs as `topic_output`."""
        sqs, sns = self.emulator.client("sqs"), self.emulator.client("sns")
        return subscribe_inbox(sns, sqs, self.output(topic_output), name)


def build_artifacts() -> None:
    package = REPO_ROOT / "tools" / "package.py"
    if package.exists():
        subprocess.run(["python", str(package)], check=True, stdout=subprocess.DEVNULL, cwd=REPO_ROOT)


def load_sample_site() -> dict[str, list[dict[str, Any]]]:
    """The committed sample site, dataset -> rows (what the local site serves)."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(SAMPLE_SITE.glob("*.json"))}


@pytest.fixture(scope="package")
def local_site() -> Iterator[WordPressApi]:
    with WordPressApi(load_sample_site(), credentials=SAMPLE_CREDENTIALS) as api:
        yield api


@pytest.fixture(scope="package")
def e2e_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """An emulator of the e2e tests' own: the session `emulator` is reset by other suites'
    tests, which would wipe the applied environment under these tests."""
    with running_emulator(tmp_path_factory.mktemp("e2e-emulator")) as running:
        yield running


@contextmanager
def applied_local(
    emulator: Emulator, work_dir: Path, local_site: WordPressApi, **tf_vars: str
) -> Iterator[AppliedEnv]:
    """envs/local applied on `emulator` against `local_site` (extra `tf_vars` as TF_VAR_*), the
    site's credentials stored; on exit destroyed, and nothing may be left or have been denied."""
    env = {
        **os.environ,
        **emulator.env,
        "TF_VAR_emulator_endpoint": emulator.endpoint,
        "TF_VAR_wordpress_site_port": str(local_site.port),
        **{f"TF_VAR_{name}": value for name, value in tf_vars.items()},
        "TF_DATA_DIR": str(work_dir / ".terraform"),
        "TF_IN_AUTOMATION": "1",
    }
    applied = AppliedEnv(emulator, work_dir, env, {}, 0.0, local_site)
    applied.terraform(
        "init", "-input=false", "-no-color", f"-backend-config=path={work_dir / 'terraform.tfstate'}"
    )
    try:
        started = time.monotonic()
        applied.terraform("apply", "-input=false", "-no-color", "-auto-approve")
        applied.apply_seconds = time.monotonic() - started
        raw = json.loads(applied.terraform("output", "-json", "-no-color").stdout)
        applied.outputs = flatten_outputs(raw)
        # As an operator does once after the first apply (README): the value never enters state.
        store_site_credentials(
            emulator, applied.output("pipeline_credentials_secret_arn"), *SAMPLE_CREDENTIALS
        )
        yield applied
        denials = unexpected_denials(emulator)
    finally:
        applied.terraform("destroy", "-input=false", "-no-color", "-auto-approve")
    leftovers = leftovers_of(emulator)
    assert leftovers == {}, f"destroy left resources behind: {leftovers}"
    assert denials == [], "the emulator denied calls of the deployed stack:\n" + format_table(denials)


@pytest.fixture(scope="package")
def applied_local_env(
    e2e_emulator: Emulator, local_site: WordPressApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppliedEnv]:
    build_artifacts()
    with applied_local(e2e_emulator, tmp_path_factory.mktemp("envs-local"), local_site) as applied:
        yield applied


def unexpected_denials(emulator: Any) -> list[dict[str, Any]]:
    """Every call a deployed principal made and the emulator's IAM judge denied (or could not map).
    Tests that provoke a denial on purpose clear the log after checking it."""
    return emulator.decisions(denied_only=True)


def store_site_credentials(emulator: Any, secret_arn: str, username: str, password: str) -> None:
    emulator.client("secretsmanager").put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({"username": username, "application_password": password})
    )


# envs/local guards a second region (modules/glue_session_guard/modules/region with its provider).
LOCAL_REGIONS = ("eu-west-1", "eu-central-1")


def executions(sfn: Any, arn: str) -> list[dict[str, Any]]:
    """The state machine's executions, newest first (one page is enough for a test's few runs)."""
    return sfn.list_executions(stateMachineArn=arn)["executions"]


def wait_for(predicate: Any, timeout: float, interval: float = 0.25) -> Any:
    """`predicate()` once it is truthy, or its last (falsy) value when `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def leftovers_of(emulator: Any) -> dict[str, list[str]]:
    """What Terraform-managed kinds still exist on the emulator (test inbox queues excluded)."""
    found = _regional_leftovers(emulator, LOCAL_REGIONS[0])
    for region in LOCAL_REGIONS[1:]:
        found.update(
            {f"{kind} ({region})": names for kind, names in _regional_leftovers(emulator, region).items()}
        )
    found["roles"] = [r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"]]
    return {kind: names for kind, names in found.items() if names}


def _regional_leftovers(emulator: Any, region: str) -> dict[str, list[str]]:
    def client(name: str) -> Any:
        return emulator.client(name, region_name=region)

    found = {
        "buckets": [b["Name"] for b in client("s3").list_buckets().get("Buckets", [])],
        "state_machines": [m["name"] for m in client("stepfunctions").list_state_machines()["stateMachines"]],
        "rules": [r["Name"] for r in client("events").list_rules().get("Rules", [])],
        "schedules": [s["Name"] for s in client("scheduler").list_schedules().get("Schedules", [])],
        "topics": [t["TopicArn"] for t in client("sns").list_topics().get("Topics", [])],
        "queues": [q for q in client("sqs").list_queues().get("QueueUrls", []) if not q.endswith("-inbox")],
        "trails": [t["Name"] for t in client("cloudtrail").describe_trails()["trailList"]],
        "alarms": [a["AlarmName"] for a in client("cloudwatch").describe_alarms()["MetricAlarms"]],
        "log_groups": [
            g["logGroupName"]
            for g in client("logs").describe_log_groups()["logGroups"]
            if g["logGroupName"] not in GLUE_DEFAULT_LOG_GROUPS
        ],
        "parameters": [p["Name"] for p in client("ssm").describe_parameters().get("Parameters", [])],
        "secrets": [s["Name"] for s in client("secretsmanager").list_secrets().get("SecretList", [])],
        "glue_databases": [d["Name"] for d in client("glue").get_databases()["DatabaseList"]],
    }
    kms = client("kms")
    found["kms_keys_not_pending_deletion"] = [
        k["KeyId"]
        for k in kms.list_keys()["Keys"]
        if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
    ]
    found["kms_aliases"] = [
        a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")
    ]
    return found
