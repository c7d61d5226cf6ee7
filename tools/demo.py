"""`make demo` / `make demo-failure`: the whole stack on the local emulator, narrated.
(`make demo PRODUCT=music_library` runs the music-library product instead: tools/demo_music_library.py.)

1. starts the emulator and the local WordPress sample site (unless they already run),
2. applies envs/local (state in .emulator/demo-<port>/, never a developer's envs/local state),
3. pipeline scene: the emulator invokes the daily schedule as EventBridge Scheduler does (the
   schedule's role assumed and judged, `POST /_emulator/scheduler/invoke`), every state entered
   is printed (step, seconds, state), then per layer
   what landed (objects, rows) and the first gold rows,
4. `make demo`: the guard scene - a Glue interactive session is created, the CloudTrail
   CreateSession event is put on the default bus, the guard's execution is followed, the session
   ends STOPPED and the notification the owner would get is printed;
   `make demo-failure` (--failure): the site serves one post with an unknown status, the workflow
   runs again, fails at the data-quality gate, the failure notification is printed and silver and
   gold are compared byte for byte with what they held before,
   `WORDPRESS=real make demo`: the site is a real WordPress from Debian's packages with the
   lakehouse-export plugin (tools/wordpress_local, port EMULATOR_PORT + 2); the failure scene
   needs the sample site's corruption switch, so it is only offered on the sample site,
5. tears everything down (KEEP=1 leaves emulator, site and stack running and prints how to look
   around), then prints the total wall time.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
# tests/support: the notification reader the test suites use, so the demo reads e-mails the same way.
sys.path[:0] = [
    str(REPO_ROOT / "tools"),
    str(REPO_ROOT / "src"),
    str(REPO_ROOT),
    str(REPO_ROOT / "tests" / "support"),
]

import envctl  # noqa: E402
import local_site  # noqa: E402
import run_schedule  # noqa: E402
from glue_events import cloudtrail_create_session_event  # noqa: E402
from local_emulator.cli import is_healthy  # noqa: E402
from local_emulator.constants import REGION, default_state_dir  # noqa: E402
from local_emulator.env import client_env  # noqa: E402
from local_emulator.handle import Emulator  # noqa: E402
from notifications import Inbox, subscribe_inbox  # noqa: E402
from wordpress_local import site as real_wordpress  # noqa: E402
from wordpress_sample.server import SAMPLE_CREDENTIALS  # noqa: E402

PORT = int(os.environ.get("EMULATOR_PORT", "4566"))
SITE_PORT = local_site.site_port()
KEEP = os.environ.get("KEEP") == "1"
DEMO_DIR = REPO_ROOT / ".emulator" / f"demo-{PORT}"
SOURCE = "wordpress_api"
# The products `make demo PRODUCT=...` can show; the first is the default.
PRODUCTS = ("wordpress_api", "music_library")
LAYERS = ("raw", "bronze", "silver", "gold")
T0 = time.monotonic()
REAL_SITE = os.environ.get("WORDPRESS", "sample") == "real"
# (username, application password) of the site's exporter; stored in the pipeline's secret.
site_credentials: list[tuple[str, str]] = [SAMPLE_CREDENTIALS]


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


@functools.cache
def emulator() -> Emulator:
    """The handle on the emulator `make demo` runs on PORT (started by start_emulator)."""
    return Emulator(PORT, default_state_dir(PORT))


def client(service: str) -> Any:
    return emulator().client(service)


# ---- bootstrap -----------------------------------------------------------------------------------


def start_emulator() -> bool:
    if is_healthy(PORT, default_state_dir(PORT)):
        say(f"emulator already running on 127.0.0.1:{PORT}")
        return False
    subprocess.run(
        [sys.executable, "-m", "local_emulator", "up", "--port", str(PORT)],
        check=True,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
    )
    say(f"emulator started on https://127.0.0.1:{PORT}")
    return True


def start_site() -> bool:
    if REAL_SITE:
        say(f"installing a real WordPress with the lakehouse-export plugin on 127.0.0.1:{SITE_PORT} ...")
        site = real_wordpress.start(real_wordpress.site_dir_for(SITE_PORT), SITE_PORT)
        exporter = site.user("exporter")
        site_credentials[0] = (exporter["login"], exporter["application_password"])
        say(f"WordPress {site.url} up; exporter {exporter['login']} with an application password")
        return True
    started = local_site.up(SITE_PORT)
    local_site.corrupt(SITE_PORT, None)  # an earlier interrupted failure demo may have left it on
    return started


def terraform(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(envctl.TERRAFORM), f"-chdir={envctl.env_dir('local')}", *args, "-input=false", "-no-color"],
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )


def terraform_env() -> dict[str, str]:
    return {
        **os.environ,
        **envctl.emulator_environment(PORT),
        "TF_VAR_wordpress_site_port": str(SITE_PORT),
        "TF_DATA_DIR": str(DEMO_DIR / ".terraform"),
    }


def apply_local() -> dict[str, Any]:
    say("terraform apply envs/local (storage, guard, pipeline: about 150 resources) ...")
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    env = terraform_env()
    envctl.build_artifacts()
    for args in (
        ["init", f"-backend-config=path={DEMO_DIR / 'terraform.tfstate'}"],
        ["apply", "-auto-approve"],
    ):
        result = terraform(args, env)
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-4000:] + result.stderr)
            raise SystemExit(f"terraform {args[0]} failed")
    summary = next((line for line in result.stdout.splitlines() if line.startswith("Apply complete")), "")
    say(f"applied: {summary}")
    outputs = envctl.outputs("local", env)
    # What an operator does once after the first apply (README); the value never enters state.
    username, password = site_credentials[0]
    client("secretsmanager").put_secret_value(
        SecretId=outputs["pipeline_credentials_secret_arn"],
        SecretString=json.dumps({"username": username, "application_password": password}),
    )
    say(f"stored the site's credentials in {outputs['pipeline_credentials_secret_arn']}")
    return outputs


# ---- reading the lakehouse -----------------------------------------------------------------------


def layer_objects(s3: Any, bucket: str) -> dict[str, str]:
    """key -> ETag of every object under <bucket>/<source>/."""
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{SOURCE}/"):
        found.update({item["Key"]: item["ETag"] for item in page.get("Contents", [])})
    return found


def layer_digests(s3: Any, bucket: str) -> dict[str, str]:
    """key -> sha256 of the object's bytes (byte-for-byte comparison, not only ETags)."""
    return {
        key: hashlib.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()
        for key in layer_objects(s3, bucket)
    }


def dataset_of(key: str) -> str:
    return key.split("/")[1]


def newest(s3: Any, bucket: str, keys: list[str]) -> str:
    return max(keys, key=lambda key: s3.head_object(Bucket=bucket, Key=key)["LastModified"])


def count_rows(wr: Any, layer: str, bucket: str, keys: list[str]) -> int:
    paths = [f"s3://{bucket}/{key}" for key in keys]
    if layer == "raw":
        return sum(len(wr.s3.read_json(path, orient="records", dtype=False)) for path in paths)
    return len(wr.s3.read_parquet(paths))


def show_layers(outputs: dict[str, Any]) -> None:
    import awswrangler as wr  # noqa: PLC0415 - only the pipeline scene needs it

    s3, buckets = client("s3"), outputs["storage_bucket_names"]
    print(f"\n  {'layer':<7} {'objects':>7} {'rows':>7}  per dataset (rows)")
    for layer in LAYERS:
        keys = sorted(layer_objects(s3, buckets[layer]))
        by_dataset: dict[str, list[str]] = {}
        for key in keys:
            by_dataset.setdefault(dataset_of(key), []).append(key)
        if layer == "raw":
            # raw keeps every run (append-only): count the rows of each dataset's newest run
            by_dataset = {d: [newest(s3, buckets[layer], ks)] for d, ks in by_dataset.items()}
        rows = {d: count_rows(wr, layer, buckets[layer], ks) for d, ks in by_dataset.items()}
        detail = ", ".join(f"{d} {n}" for d, n in rows.items())
        print(f"  {layer:<7} {len(keys):>7} {sum(rows.values()):>7}  {detail}")
    gold = wr.s3.read_parquet(f"s3://{buckets['gold']}/{SOURCE}/statistics_postname/", dataset=True)
    columns = ["post_ID", "post_title", "statistics_date", "statistics_count", "statistics_date_year"]
    print("\n  first 5 gold rows (statistics_postname, by post and date):")
    head = gold.sort_values(["post_ID", "statistics_date"])[columns].head(5).to_string(index=False)
    print("  " + head.replace("\n", "\n  ") + "\n", flush=True)


# ---- pipeline scene ------------------------------------------------------------------------------


def subscribe(outputs: dict[str, Any], name: str, topics: tuple[str, ...]) -> Inbox:
    """A queue subscribed to the named topic outputs, to show what the stack e-mails."""
    return subscribe_inbox(client("sns"), client("sqs"), [outputs[topic] for topic in topics], name)


def run_workflow(outputs: dict[str, Any]) -> dict[str, Any]:
    sfn = client("stepfunctions")
    # The emulator invokes the schedule as Scheduler does: with the schedule's role, judged.
    outcome = emulator().control(
        "POST", "/_emulator/scheduler/invoke", {"name": outputs["pipeline_schedule_name"]}
    )
    if outcome.get("outcome") != "invoked":
        raise SystemExit(
            f"the schedule {outputs['pipeline_schedule_name']} did not start the workflow: {outcome}"
        )
    started = sfn.describe_execution(executionArn=outcome["executionArn"])
    say(f"schedule {outputs['pipeline_schedule_name']} invoked with its role: input {started['input']}")
    say(f"execution {started['executionArn'].rsplit(':', 1)[-1]}")
    print(f"    {'step':>4} {'seconds':>8}  state", flush=True)
    step = [0]

    def on_state(seconds: float, _kind: str, state: str) -> None:
        step[0] += 1
        print(f"    {step[0]:>4} {seconds:>8.1f}  {state}", flush=True)

    result = run_schedule.follow(sfn, started["executionArn"], on_state, poll_seconds=0.5)
    seconds = (result["stopDate"] - result["startDate"]).total_seconds()
    say(f"workflow {result['status']} after {seconds:.1f} s ({step[0]} states)")
    return result


def pipeline_scene(outputs: dict[str, Any], inbox: Inbox) -> None:
    say("== pipeline scene: the daily schedule fires now; raw -> bronze -> silver -> gold")
    result = run_workflow(outputs)
    for note in inbox.receive(wait_seconds=2):
        print(f"  notification: {note['Subject']}: {note['Message']}")
    if result["status"] != "SUCCEEDED":
        raise SystemExit(f"the workflow did not succeed: {result.get('cause')}")
    show_layers(outputs)


def failure_scene(outputs: dict[str, Any], inbox: Inbox) -> None:
    s3, buckets = client("s3"), outputs["storage_bucket_names"]
    say("== failure scene: today's source data is corrupt (one post's status is 'publised')")
    before = {layer: layer_digests(s3, buckets[layer]) for layer in ("silver", "gold")}
    local_site.corrupt(SITE_PORT, "unknown_post_status")
    try:
        result = run_workflow(outputs)
    finally:
        local_site.corrupt(SITE_PORT, None)
    print(f"  execution status: {result['status']}, error: {result.get('error')}")
    for note in inbox.receive(wait_seconds=5):
        print(f"\n  --- e-mail to the failure topic ---\n  Subject: {note['Subject']}\n")
        print("  " + note["Message"].replace("\n", "\n  ") + "\n")
        for rule in rule_results(note["Message"]):
            print(f"    {rule.get('Result', '?'):<4}  {rule.get('Description', '')[:90]}")
    print(flush=True)
    changed_layers = []
    for layer, digests in before.items():
        now = layer_digests(s3, buckets[layer])
        changed = sorted(k for k in set(now) | set(digests) if now.get(k) != digests.get(k))
        verdict = "byte-identical to before" if not changed else f"CHANGED: {', '.join(changed)}"
        say(f"{layer}: {len(now)} objects, {verdict}")
        changed_layers += [layer] if changed else []
    say(
        f"the rejected candidate stays for inspection: s3://{buckets['silver']}/_candidate/{SOURCE}/ "
        "(write-audit-publish: the gate evaluated it, the publish step never ran)"
    )
    if changed_layers:
        raise SystemExit(f"bad data reached {', '.join(changed_layers)}")


def rule_results(message: str) -> list[dict[str, Any]]:
    """The per-rule results a DataQuality.RulesFailed cause ends with (a JSON list), if any."""
    start = message.find("[{")
    try:
        results = json.loads(message[start:]) if start >= 0 else []
    except ValueError:
        return []
    return [r for r in results if isinstance(r, dict)]


# ---- guard scene ---------------------------------------------------------------------------------


def guard_scene(outputs: dict[str, Any]) -> None:
    sfn, glue, events = client("stepfunctions"), client("glue"), client("events")
    inbox = subscribe(outputs, "demo-success-inbox", ("success_topic_arn",))
    session_id = f"demo-notebook-{int(time.time())}"
    say(f"== guard scene: alice opens a Glue notebook session {session_id} (2 x G.1X) and forgets it")
    glue.create_session(
        Id=session_id,
        Role="arn:aws:iam::123456789012:role/GlueNotebookRole",
        Command={"Name": "glueetl", "PythonVersion": "3"},
        NumberOfWorkers=2,
        WorkerType="G.1X",
        Tags={"owner": "alice@example.com"},
    )
    say(f"session status: {glue.get_session(Id=session_id)['Session']['Status']}")
    before = {
        e["executionArn"]
        for e in sfn.list_executions(stateMachineArn=outputs["guard_state_machine_arn"])["executions"]
    }
    events.put_events(Entries=[cloudtrail_create_session_event(session_id)])
    say("CloudTrail CreateSession event put on the default bus")
    execution_arn = ""
    while not execution_arn:
        current = sfn.list_executions(stateMachineArn=outputs["guard_state_machine_arn"])["executions"]
        execution_arn = next((e["executionArn"] for e in current if e["executionArn"] not in before), "")
        time.sleep(0.2)
    say(f"EventBridge started the guard: {execution_arn.rsplit(':', 1)[-1]}")
    result = run_schedule.follow(sfn, execution_arn)
    say(f"guard execution {result['status']}")
    deadline = time.monotonic() + 15
    status = glue.get_session(Id=session_id)["Session"]["Status"]
    while status != "STOPPED" and time.monotonic() < deadline:
        time.sleep(0.3)
        status = glue.get_session(Id=session_id)["Session"]["Status"]
    say(f"session status: {status}")
    for note in inbox.receive(wait_seconds=5)[:1]:
        print(f"\n  --- e-mail to the success topic ---\n  Subject: {note['Subject']}\n")
        print("  " + note["Message"].replace("\n", "\n  ") + "\n", flush=True)


def permission_scene() -> int:
    """Every call the deployed roles made was judged by the emulator; any denial fails the demo."""
    from local_emulator.iam.audit import format_table  # noqa: PLC0415

    body = emulator().control("GET", "/_emulator/iam/decisions")
    denials = [d for d in body["decisions"] if d["decision"] != "allowed"]
    say(f"permissions: {sum(body['counts'].values())} calls judged as AWS would, {len(denials)} denied")
    if denials:
        print(format_table(denials), flush=True)
    return len(denials)


# ---- teardown ------------------------------------------------------------------------------------


def teardown(started_emulator: bool, started_site: bool, outputs: dict[str, Any]) -> None:
    applied = bool(outputs)
    if KEEP:
        env = client_env(PORT)
        # `make verify ENV=local` reads envs/local's own state, not the demo's: leave the demo's
        # outputs where tools/verify.py --outputs-json can read them.
        outputs_json = DEMO_DIR / "outputs.json"
        outputs_json.write_text(terraform(["output", "-json"], terraform_env()).stdout)
        workflow = outputs.get("pipeline_workflow_arn")
        gold = outputs.get("storage_bucket_names", {}).get("gold")
        silver_db = outputs.get("storage_database_names", {}).get("silver")
        print(
            "\nKEEP=1: the emulator, the WordPress site and envs/local stay up. Look around with:\n"
            f"  export AWS_ENDPOINT_URL={env['AWS_ENDPOINT_URL']} AWS_CA_BUNDLE={env['AWS_CA_BUNDLE']} \\\n"
            f"         AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION={REGION}\n"
            f"  aws stepfunctions list-executions --state-machine-arn {workflow}\n"
            f"  aws s3 ls --recursive s3://{gold}/\n"
            f"  aws glue get-tables --database-name {silver_db}\n"
            f"  EMULATOR_PORT={PORT} python tools/run_schedule.py --schedule "
            f"{outputs.get('pipeline_schedule_name')} --wait   # fire the daily schedule again\n"
            "  python: boto3.client('s3') and awswrangler (wr.config.s3_endpoint_url = AWS_ENDPOINT_URL)\n"
            "         pick up the same environment.\n"
            f"  EMULATOR_PORT={PORT} python tools/verify.py --env local --outputs-json {outputs_json}"
            "   # may every role make every call?\n"
            f"Terraform state of the demo: {DEMO_DIR / 'terraform.tfstate'}\n"
            f"Tear down: make emulator-down EMULATOR_PORT={PORT} && rm -rf {DEMO_DIR}"
            "   (the emulator keeps everything in memory)"
        )
        return
    if applied and not started_emulator:
        # Someone else's emulator: leave it as we found it.
        say("terraform destroy envs/local ...")
        terraform(["destroy", "-auto-approve"], terraform_env())
    if started_site and REAL_SITE:
        real_wordpress.stop(real_wordpress.site_dir_for(SITE_PORT))
    elif started_site:
        local_site.down(SITE_PORT)
    if started_emulator:
        # Stopping the emulator discards every resource it held: no destroy needed.
        subprocess.run(
            [sys.executable, "-m", "local_emulator", "down", "--port", str(PORT)],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        say("emulator stopped (everything it held is gone)")
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    say("torn down")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--failure", action="store_true", help="run the failure scene instead of the guard")
    parser.add_argument(
        "--product",
        choices=PRODUCTS,
        default=PRODUCTS[0],
        help="which data product to demonstrate (music_library: tools/demo_music_library.py)",
    )
    args = parser.parse_args(argv)
    if args.product == "music_library":
        if args.failure:
            parser.error(
                "the failure scene belongs to the WordPress demo; the music e2e test runs the music one"
            )
        import demo_music_library  # noqa: PLC0415 - the other product's demo, only when asked for

        return demo_music_library.main([])
    if args.failure and REAL_SITE:
        parser.error("the failure scene corrupts the sample site's data; run it without WORDPRESS=real")
    os.environ.update(client_env(PORT))  # awswrangler and boto3 sessions talk to the emulator
    from lakehouse_common.aws import configure_awswrangler  # noqa: PLC0415

    started_emulator = start_emulator()
    started_site, outputs = False, {}
    try:
        started_site = start_site()
        outputs = apply_local()
        configure_awswrangler()
        inbox = subscribe(outputs, "demo-pipeline-inbox", ("success_topic_arn", "failure_topic_arn"))
        pipeline_scene(outputs, inbox)
        if args.failure:
            failure_scene(outputs, inbox)
        else:
            guard_scene(outputs)
        denied = permission_scene()
    finally:
        teardown(started_emulator, started_site, outputs)
    say(f"demo finished: total wall time {time.monotonic() - T0:.1f} s")
    return 1 if denied else 0


if __name__ == "__main__":
    sys.exit(main())
