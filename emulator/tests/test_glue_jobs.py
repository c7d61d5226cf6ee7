"""Glue job runs progress in time; glue:startJobRun.sync waits and reports failures like AWS."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from sfn_support import create_state_machine, run_execution, state_machine_role

pytestmark = pytest.mark.emulator

ROLE = "arn:aws:iam::123456789012:role/glue"
SYNC = {
    "StartAt": "Run",
    "States": {
        "Run": {
            "Type": "Task",
            "Resource": "arn:aws:states:::glue:startJobRun.sync",
            "Parameters": {"JobName.$": "$.job"},
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Failed"}],
            "End": True,
        },
        "Failed": {"Type": "Pass", "End": True},
    },
}


def _job(glue, name):
    glue.create_job(
        Name=name,
        Role=ROLE,
        GlueVersion="5.0",
        Command={"Name": "glueetl", "ScriptLocation": "s3://scripts/job.py"},
        ExecutionProperty={"MaxConcurrentRuns": 1},
    )


def test_job_run_states_progress_in_time(emu):
    emu.configure(glue_job_run={"execute": False, "seconds": 1.0})
    glue = emu.client("glue")
    _job(glue, "bronze")
    run_id = glue.start_job_run(JobName="bronze")["JobRunId"]
    first = glue.get_job_run(JobName="bronze", RunId=run_id)["JobRun"]
    assert first["JobRunState"] in ("STARTING", "RUNNING")
    assert "CompletedOn" not in first
    with pytest.raises(ClientError) as err:
        glue.start_job_run(JobName="bronze")
    assert err.value.response["Error"]["Code"] == "ConcurrentRunsExceededException"
    time.sleep(1.1)
    done = glue.get_job_run(JobName="bronze", RunId=run_id)["JobRun"]
    assert done["JobRunState"] == "SUCCEEDED"
    assert done["GlueVersion"] == "5.0"
    assert done["CompletedOn"] > done["StartedOn"]


def test_start_job_run_sync_success_and_failure(emu):
    emu.configure(glue_job_run={"execute": False, "seconds": 0.5, "failed_jobs": ["silver"]})
    glue = emu.client("glue")
    sfn = emu.client("stepfunctions")
    _job(glue, "bronze")
    _job(glue, "silver")
    # A .sync Glue task starts, polls and may stop the run with the state machine's role (glue-iam.html).
    actions = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
    jobs = [f"arn:aws:glue:eu-west-1:123456789012:job/{name}" for name in ("bronze", "silver")]
    state_machine_role(emu, [{"Effect": "Allow", "Action": actions, "Resource": jobs}])
    arn = create_state_machine(sfn, "run-job", SYNC)

    ok = run_execution(sfn, arn, {"job": "bronze"})
    assert ok["status"] == "SUCCEEDED", ok
    run = json.loads(ok["output"])
    assert run["JobRunState"] == "SUCCEEDED"
    assert run["JobName"] == "bronze"
    assert isinstance(run["StartedOn"], int)

    failed = run_execution(sfn, arn, {"job": "silver"})
    error = json.loads(failed["output"])["error"]
    assert error["Error"] == "States.TaskFailed"
    cause = json.loads(error["Cause"])
    assert cause["JobRunState"] == "FAILED"
    assert cause["ErrorMessage"]


def test_failed_jobs_entry_can_match_run_arguments(emu):
    # The medallion workflow runs the silver job twice (--stage write, then publish): a failure of
    # one stage only must be producible.
    emu.configure(
        glue_job_run={
            "execute": False,
            "seconds": 0.3,
            "failed_jobs": [{"job": "silver", "arguments": {"--stage": "publish"}}],
        }
    )
    glue = emu.client("glue")
    _job(glue, "silver")
    write = glue.start_job_run(JobName="silver", Arguments={"--stage": "write"})["JobRunId"]
    time.sleep(0.5)
    publish = glue.start_job_run(JobName="silver", Arguments={"--stage": "publish"})["JobRunId"]
    time.sleep(0.5)
    states = {
        run_id: glue.get_job_run(JobName="silver", RunId=run_id)["JobRun"]["JobRunState"]
        for run_id in (write, publish)
    }
    assert states == {write: "SUCCEEDED", publish: "FAILED"}
