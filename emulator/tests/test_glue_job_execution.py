"""Glue job runs execute the deployed script (moto 5.2.1 never runs it and always SUCCEEDS)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from types import SimpleNamespace

import pytest
from sfn_support import create_state_machine, run_execution, service_role, state_machine_role

from local_emulator import runtime
from local_emulator.corrections.glue_job_execution import JobExecution

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/glue"
REGION = "eu-west-1"
JOB_ARN = "arn:aws:glue:eu-west-1:123456789012:job/"


@pytest.fixture(autouse=True)
def glue_role(emu):
    """The jobs' role: Glue may assume it and reads the scripts and extra files with it; the shell
    script writes its one result object with it; Spark's reads (staged) list and get `input/` and
    `counts/` with it, except one object it is denied; what Spark writes is copied back with it."""
    grants = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/jobs/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::out/result.txt"},
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": ["arn:aws:s3:::in-data", "arn:aws:s3:::out-data"],
            "Condition": {"StringLike": {"s3:prefix": ["input/", "input/*", "counts/", "counts/*"]}},
        },
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": ["arn:aws:s3:::in-data/input/*", "arn:aws:s3:::out-data/counts/*"],
        },
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::in-data/input/secret.json"},
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::out-data/counts/*",
        },
    ]
    return service_role(emu, "glue", "glue.amazonaws.com", grants)


# Uses a module from --extra-py-files, reads its arguments, writes to S3 through the emulator.
SHELL_SCRIPT = """
import sys, boto3
from helper_pkg import greeting

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
if args.get("--fail"):
    raise ValueError("bad input: " + args["--fail"])
body = "|".join([greeting(), args["--JOB_NAME"], args["--JOB_RUN_ID"], args["--mode"], args["--fixed"]])
boto3.client("s3").put_object(Bucket=args["--out_bucket"], Key="result.txt", Body=body.encode())
print("wrote result")
"""

# A small glueetl script: GlueContext(sc) from the emulator's stand-in, data staged via --storage_root.
SPARK_SCRIPT = """
import sys
from awsglue.context import GlueContext
from pyspark.context import SparkContext

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
root = args["--storage_root"]
spark = GlueContext(SparkContext.getOrCreate()).spark_session
frame = spark.read.json(f"{root}/{args['--in_bucket']}/input/")
frame.groupBy("kind").count().write.mode("overwrite").parquet(f"{root}/{args['--out_bucket']}/counts/")
"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _bucket(s3, name):
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


def _wait_run(glue, job, run_id, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] not in ("STARTING", "RUNNING") or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


@pytest.fixture
def shell_job(emu):
    s3 = emu.client("s3")
    _bucket(s3, "artifacts")
    _bucket(s3, "out")
    s3.put_object(Bucket="artifacts", Key="jobs/shell.py", Body=SHELL_SCRIPT.encode())
    helper = _zip({"helper_pkg/__init__.py": "def greeting():\n    return 'hello'\n"})
    s3.put_object(Bucket="artifacts", Key="jobs/helper.zip", Body=helper)
    emu.client("glue").create_job(
        Name="shell",
        Role=ROLE,
        Command={
            "Name": "pythonshell",
            "ScriptLocation": "s3://artifacts/jobs/shell.py",
            "PythonVersion": "3.9",
        },
        DefaultArguments={
            "--extra-py-files": "s3://artifacts/jobs/helper.zip",
            "--out_bucket": "out",
            "--mode": "default",
            "library-set": "analytics",
        },
        NonOverridableArguments={"--fixed": "always"},
        MaxCapacity=0.0625,
    )
    return emu


def test_python_shell_run_executes_script_with_merged_arguments(shell_job):
    glue, s3 = shell_job.client("glue"), shell_job.client("s3")
    run_id = glue.start_job_run(JobName="shell", Arguments={"--mode": "run", "--fixed": "ignored"})[
        "JobRunId"
    ]
    assert glue.get_job_run(JobName="shell", RunId=run_id)["JobRun"]["JobRunState"] in ("STARTING", "RUNNING")
    run = _wait_run(glue, "shell", run_id)
    assert run["JobRunState"] == "SUCCEEDED", run
    assert "ErrorMessage" not in run
    assert run["CompletedOn"] >= run["StartedOn"]
    body = s3.get_object(Bucket="out", Key="result.txt")["Body"].read().decode()
    # run Arguments over DefaultArguments, NonOverridableArguments last, --JOB_NAME/--JOB_RUN_ID added
    assert body == f"hello|shell|{run_id}|run|always"
    logs = (shell_job.state_dir / "glue-job-runs" / "shell" / f"{run_id}.log").read_text()
    assert "wrote result" in logs
    events = shell_job.client("logs").get_log_events(
        logGroupName="/aws-glue/python-jobs/output", logStreamName=run_id
    )
    assert any("wrote result" in e["message"] for e in events["events"])


def test_failing_script_and_missing_script_fail_the_run(shell_job):
    glue = shell_job.client("glue")
    run_id = glue.start_job_run(JobName="shell", Arguments={"--fail": "no rows"})["JobRunId"]
    run = _wait_run(glue, "shell", run_id)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ValueError: bad input: no rows"
    assert "CompletedOn" in run

    glue.create_job(
        Name="ghost", Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": "s3://artifacts/nope.py"}
    )
    ghost = _wait_run(glue, "ghost", glue.start_job_run(JobName="ghost")["JobRunId"])
    assert ghost["JobRunState"] == "FAILED"
    assert "s3://artifacts/nope.py" in ghost["ErrorMessage"]


def test_script_is_read_with_the_job_role(shell_job):
    """Glue reads ScriptLocation with the job's role: a role that may not read it fails the run."""
    emu = shell_job
    emu.client("s3").put_object(Bucket="artifacts", Key="other/shell.py", Body=b"print('never runs')\n")
    glue = emu.client("glue")
    glue.create_job(
        Name="unreadable",
        Role=ROLE,
        Command={"Name": "pythonshell", "ScriptLocation": "s3://artifacts/other/shell.py"},
    )
    run = _wait_run(glue, "unreadable", glue.start_job_run(JobName="unreadable")["JobRunId"])
    assert run["JobRunState"] == "FAILED"
    assert "Failed to download s3://artifacts/other/shell.py" in run["ErrorMessage"]
    assert (
        "403" in run["ErrorMessage"]
        or "Forbidden" in run["ErrorMessage"]
        or "AccessDenied" in run["ErrorMessage"]
    )


def test_sync_task_sees_the_real_outcome(shell_job):
    sfn = shell_job.client("stepfunctions")
    definition = {
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "shell", "Arguments.$": "$.args"},
                "End": True,
            }
        },
    }
    # What a .sync Glue task does with the state machine's role (Step Functions glue-iam.html).
    actions = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
    state_machine_role(shell_job, [{"Effect": "Allow", "Action": actions, "Resource": JOB_ARN + "shell"}])
    arn = create_state_machine(sfn, "run-shell", definition)
    ok = run_execution(sfn, arn, {"args": {"--mode": "sync"}})
    assert ok["status"] == "SUCCEEDED", ok
    assert json.loads(ok["output"])["JobRunState"] == "SUCCEEDED"
    failed = run_execution(sfn, arn, {"args": {"--fail": "x"}})
    assert failed["status"] == "FAILED"
    assert failed["error"] == "States.TaskFailed"
    assert json.loads(failed["cause"])["ErrorMessage"] == "ValueError: bad input: x"


def test_execute_false_keeps_the_simulated_runs(emu):
    emu.configure(glue_job_run={"execute": False, "seconds": 0.3})
    glue = emu.client("glue")
    glue.create_job(Name="sim", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": "s3://none/x.py"})
    run = _wait_run(glue, "sim", glue.start_job_run(JobName="sim")["JobRunId"])
    assert run["JobRunState"] == "SUCCEEDED"


@pytest.mark.spark
def test_glueetl_run_stages_buckets_and_mirrors_output_back(emu):
    s3, glue = emu.client("s3"), emu.client("glue")
    for name in ("artifacts", "in-data", "out-data"):
        _bucket(s3, name)
    s3.put_object(Bucket="artifacts", Key="jobs/spark.py", Body=SPARK_SCRIPT.encode())
    rows = "\n".join(json.dumps({"kind": k}) for k in ("a", "a", "b"))
    s3.put_object(Bucket="in-data", Key="input/part-0.json", Body=rows.encode())
    s3.put_object(Bucket="out-data", Key="counts/part-old.snappy.parquet", Body=b"stale")
    glue.create_job(
        Name="spark",
        Role=ROLE,
        GlueVersion="5.0",
        Command={"Name": "glueetl", "ScriptLocation": "s3://artifacts/jobs/spark.py"},
        DefaultArguments={"--in_bucket": "in-data", "--out_bucket": "out-data"},
    )
    run = _wait_run(glue, "spark", glue.start_job_run(JobName="spark")["JobRunId"], timeout=120)
    assert run["JobRunState"] == "SUCCEEDED", run
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="out-data")["Contents"]]
    assert keys and all(k.startswith("counts/part-") and k.endswith(".parquet") for k in keys), keys
    assert "counts/part-old.snappy.parquet" not in keys  # the overwrite deleted it locally
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="in-data")["Contents"]] == ["input/part-0.json"]


# Writes which staged files it sees; with --read, Spark reads that prefix of the input bucket.
SPARK_VISIBILITY_SCRIPT = """
import os, sys
from awsglue.context import GlueContext
from pyspark.context import SparkContext

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
root = args["--storage_root"]
base = root[len("file://"):]
seen = sorted(os.path.relpath(os.path.join(d, f), base) for d, _, files in os.walk(base) for f in files)
os.makedirs(f"{base}/out-data/counts", exist_ok=True)
with open(f"{base}/out-data/counts/visible.txt", "w") as handle:
    handle.write("\\n".join(seen))
if args.get("--read"):
    GlueContext(SparkContext.getOrCreate()).spark_session.read.json(f"{root}/in-data/{args['--read']}/").count()
"""


@pytest.mark.spark
def test_glueetl_sees_only_what_its_role_may_list_and_read(emu):
    # Spark's S3 reads are made with the job role on AWS (s3:ListBucket with s3:prefix, then
    # s3:GetObject per object): a denied object or an unlistable prefix is not there for the job.
    s3, glue = emu.client("s3"), emu.client("glue")
    for name in ("artifacts", "in-data", "out-data"):
        _bucket(s3, name)
    s3.put_object(Bucket="artifacts", Key="jobs/visibility.py", Body=SPARK_VISIBILITY_SCRIPT.encode())
    for key in ("input/part-0.json", "input/secret.json", "private/other.json", "top.json"):
        s3.put_object(Bucket="in-data", Key=key, Body=b'{"kind": "a"}')
    glue.create_job(
        Name="visibility",
        Role=ROLE,
        GlueVersion="5.0",
        Command={"Name": "glueetl", "ScriptLocation": "s3://artifacts/jobs/visibility.py"},
        DefaultArguments={"--in_bucket": "in-data", "--out_bucket": "out-data"},
    )
    run = _wait_run(glue, "visibility", glue.start_job_run(JobName="visibility")["JobRunId"], timeout=120)
    assert run["JobRunState"] == "SUCCEEDED", run
    visible = s3.get_object(Bucket="out-data", Key="counts/visible.txt")["Body"].read().decode().split("\n")
    assert [v for v in visible if v.startswith("in-data/")] == ["in-data/input/part-0.json"]
    denied = [(d["action"], d["resource"]) for d in emu.decisions(denied_only=True)]
    # The denied GetObject is recorded; the walk above input/ is the emulator's, never recorded.
    assert denied == [("s3:GetObject", "arn:aws:s3:::in-data/input/secret.json")]
    allowed = {(d["action"], d["resource"]) for d in emu.decisions() if d["decision"] == "allowed"}
    assert ("s3:ListBucket", "arn:aws:s3:::in-data") in allowed
    assert ("s3:GetObject", "arn:aws:s3:::in-data/input/part-0.json") in allowed

    emu.control("DELETE", "/_emulator/iam/decisions")
    run_id = glue.start_job_run(JobName="visibility", Arguments={"--read": "private"})["JobRunId"]
    run = _wait_run(glue, "visibility", run_id, timeout=120)
    assert run["JobRunState"] == "FAILED"
    assert "AccessDenied" in run["ErrorMessage"] and "s3://in-data/private/" in run["ErrorMessage"], run
    denied = [(d["action"], d["resource"]) for d in emu.decisions(denied_only=True)]
    assert ("s3:ListBucket", "arn:aws:s3:::in-data") in denied


def test_run_over_its_timeout_is_killed_and_ends_timeout(emu, tmp_path, monkeypatch):
    """The runner itself, in-process (Timeout is whole minutes in the API: too slow for a test)."""
    s3 = emu.client("s3")
    _bucket(s3, "artifacts")
    s3.put_object(
        Bucket="artifacts",
        Key="jobs/slow.py",
        Body=b"import time\nprint('started', flush=True)\ntime.sleep(60)\n",
    )
    monkeypatch.setattr(
        runtime, "server_info", {"port": emu.port, "ca_bundle": emu.ca_bundle, "state_dir": str(tmp_path)}
    )
    job = SimpleNamespace(
        name="slow",
        glue_version="3.0",
        command={
            "Name": "pythonshell",
            "ScriptLocation": "s3://artifacts/jobs/slow.py",
            "PythonVersion": "3.9",
        },
    )
    # 6 s: long enough for the interpreter to start and print on a loaded machine (1.2 s was not,
    # under a parallel test run), far below the script's 60 s so only the kill can end it early.
    run = SimpleNamespace(job_run_id="jr_" + "0" * 64, arguments={}, timeout=0.1)
    execution = JobExecution(run, job)
    execution._run()
    assert execution.state == "TIMEOUT"
    assert 6.0 <= execution.seconds < 50
    assert "started" in (tmp_path / "glue-job-runs" / "slow" / f"{run.job_run_id}.log").read_text()


PROBE_SCRIPT = """
import sys
print("python %d.%d" % sys.version_info[:2], flush=True)
for name in sys.argv[sys.argv.index("--imports") + 1].split(","):
    module = __import__(name)
    print(name, module.__version__, flush=True)
"""


def _probe_job(emu, name, command, imports, **job):
    s3, glue = emu.client("s3"), emu.client("glue")
    if "artifacts" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        _bucket(s3, "artifacts")
    s3.put_object(Bucket="artifacts", Key="jobs/probe.py", Body=PROBE_SCRIPT.encode())
    glue.create_job(
        Name=name,
        Role=ROLE,
        Command={**command, "ScriptLocation": "s3://artifacts/jobs/probe.py"},
        DefaultArguments={"--imports": imports, **job.pop("arguments", {})},
        **job,
    )
    run = _wait_run(glue, name, glue.start_job_run(JobName=name)["JobRunId"], timeout=300)
    log = emu.state_dir / "glue-job-runs" / name / f"{run['Id']}.log"
    return run, log.read_text() if log.exists() else ""


def test_python_shell_39_runs_on_python_39_with_the_analytics_set_only(emu):
    command = {"Name": "pythonshell", "PythonVersion": "3.9"}
    run, log = _probe_job(
        emu, "shell-analytics", command, "pandas,awswrangler", arguments={"library-set": "analytics"}
    )
    assert run["JobRunState"] == "SUCCEEDED", run
    assert "python 3.9" in log and "pandas 1.4.2" in log and "awswrangler 2.15.1" in log
    run, _ = _probe_job(emu, "shell-bare", command, "pandas")  # no library-set: boto3 only
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ModuleNotFoundError: No module named 'pandas'"


def test_glue_5_job_gets_python_311_and_only_glue_provided_modules(emu):
    command = {"Name": "glueetl", "PythonVersion": "3"}
    run, log = _probe_job(emu, "glue5-provided", command, "pandas,pyarrow,boto3", GlueVersion="5.0")
    assert run["JobRunState"] == "SUCCEEDED", run
    assert "python 3.11" in log and "pandas 2.2.2" in log and "boto3 1.34.131" in log
    logs = emu.client("logs")
    events = logs.get_log_events(logGroupName="/aws-glue/jobs/output", logStreamName=run["Id"])["events"]
    assert any("python 3.11" in e["message"] for e in events)
    run, _ = _probe_job(emu, "glue5-wrangler", command, "awswrangler", GlueVersion="5.0")
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ModuleNotFoundError: No module named 'awswrangler'"


def test_glue_version_the_emulator_does_not_reproduce_fails_the_run_saying_so(emu):
    run, _ = _probe_job(emu, "glue4", {"Name": "glueetl", "PythonVersion": "3"}, "sys", GlueVersion="4.0")
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"].startswith("Local emulator: the emulator reproduces Glue 5.0 Spark jobs")


def test_glue_5_job_logs_under_its_custom_log_group_prefix(emu):
    command = {"Name": "glueetl", "PythonVersion": "3"}
    arguments = {"--custom-logGroup-prefix": "/aws-glue/jobs/gold"}
    run, _ = _probe_job(emu, "glue5-logs", command, "boto3", GlueVersion="5.0", arguments=arguments)
    assert run["JobRunState"] == "SUCCEEDED", run
    logs = emu.client("logs")
    events = logs.get_log_events(logGroupName="/aws-glue/jobs/gold/output", logStreamName=run["Id"])["events"]
    assert any("boto3 1.34.131" in e["message"] for e in events)
