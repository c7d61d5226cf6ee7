"""lambda:Invoke runs the deployed handler (moto 5.2.1 without Docker: echoes the input)."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from botocore.config import Config
from sfn_support import create_state_machine, run_execution, service_role, state_machine_role

pytestmark = pytest.mark.emulator

HANDLER = """
import os, time
import boto3

def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad input: " + event["fail"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    s3 = boto3.client("s3")
    s3.put_object(Bucket=os.environ["BUCKET"], Key="from-lambda.txt", Body=b"hi")
    print("wrote object")
    left = context.get_remaining_time_in_millis() > 0
    return {"ok": True, "function": context.function_name, "left_ms": left}
"""


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app/main.py", source)
        archive.writestr("app/__init__.py", "")
    return buffer.getvalue()


def _function(emu, name="writer", timeout=5):
    emu.client("s3").create_bucket(
        Bucket="out", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    # The handler writes one object: its role may do exactly that.
    put = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::out/from-lambda.txt"}
    role_arn = service_role(emu, f"{name}-role", "lambda.amazonaws.com", [put])
    lam = emu.client("lambda")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role_arn,
        Handler="app.main.handler",
        Code={"ZipFile": _zip(HANDLER)},
        Timeout=timeout,
        Environment={"Variables": {"BUCKET": "out"}},
    )
    return lam


def test_invoke_runs_handler_with_env_and_aws_access(emu):
    lam = _function(emu)
    response = lam.invoke(FunctionName="writer", Payload=json.dumps({}), LogType="Tail")
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"ok": True, "function": "writer", "left_ms": True}
    assert "wrote object" in base64.b64decode(response["LogResult"]).decode()
    body = emu.client("s3").get_object(Bucket="out", Key="from-lambda.txt")["Body"].read()
    assert body == b"hi"


def test_handler_exception_is_unhandled_function_error(emu):
    lam = _function(emu)
    response = lam.invoke(FunctionName="writer", Payload=json.dumps({"fail": "x"}))
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "bad input: x"
    assert payload["stackTrace"]


def test_timeout_reports_task_timed_out(emu):
    lam = _function(emu, timeout=1)
    response = lam.invoke(FunctionName="writer", Payload=json.dumps({"sleep": 3}))
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "Sandbox.Timedout"
    assert payload["errorMessage"].endswith("Task timed out after 1.00 seconds")


def test_step_functions_lambda_invoke_catches_handler_error(emu):
    _function(emu)
    sfn = emu.client("stepfunctions")
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "writer", "Payload.$": "$"},
                "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    state_machine_role(
        emu,
        [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:writer",
            }
        ],
    )
    arn = create_state_machine(sfn, "call-lambda", definition)
    ok = run_execution(sfn, arn, {})
    assert ok["status"] == "SUCCEEDED", ok
    assert json.loads(ok["output"])["Payload"]["function"] == "writer"
    caught = run_execution(sfn, arn, {"fail": "y"})
    assert json.loads(caught["output"])["error"]["Error"] == "ValueError"


def test_missing_function_and_injected_fault(emu):
    lam = _function(emu)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="does-not-exist", Payload=b"{}")
    emu.inject_fault("lambda", "Invoke", "TooManyRequestsException", "Rate exceeded", status=429, count=1)
    with pytest.raises(lam.exceptions.TooManyRequestsException):
        emu.client("lambda", config=Config(retries={"total_max_attempts": 1})).invoke(FunctionName="writer")
    assert "FunctionError" not in lam.invoke(FunctionName="writer", Payload=b"{}")


PROBE = """
import sys

def handler(event, context):
    import boto3
    found = {"python": "%d.%d" % sys.version_info[:2], "boto3": boto3.__version__}
    for name in event["imports"]:
        module = __import__(name)
        found[name] = module.__version__
    return found
"""


def _probe_function(emu, name, runtime, layers=()):
    role_arn = service_role(emu, f"{name}-role", "lambda.amazonaws.com")  # the probe calls no AWS API
    lam = emu.client("lambda")
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role_arn,
        Handler="app.main.handler",
        Code={"ZipFile": _zip(PROBE)},
        Timeout=60,
        Architectures=["arm64"],
        Layers=list(layers),
    )
    return lam


def test_handler_runs_in_its_runtime_python_with_only_the_runtime_sdk(emu):
    lam = _probe_function(emu, "bare", "python3.12")
    response = lam.invoke(FunctionName="bare", Payload=json.dumps({"imports": []}))
    result = json.loads(response["Payload"].read())
    assert result == {"python": "3.12", "boto3": "1.40.4"}  # the runtime's SDK, not the emulator's
    missing = lam.invoke(FunctionName="bare", Payload=json.dumps({"imports": ["pandas"]}))
    assert missing["FunctionError"] == "Unhandled"
    payload = json.loads(missing["Payload"].read())
    assert payload["errorType"] == "ModuleNotFoundError"
    assert payload["errorMessage"] == "No module named 'pandas'"


def test_sdk_pandas_layer_from_its_public_parameter_provides_its_release(emu):
    parameter = "/aws/service/aws-sdk-pandas/3.17.0/py3.12/arm64/layer-arn"
    arn = emu.client("ssm").get_parameter(Name=parameter)["Parameter"]["Value"]
    assert arn == "arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python312-Arm64:29"
    assert emu.client("ssm").describe_parameters()["Parameters"] == []  # AWS's, not the account's
    lam = _probe_function(emu, "with-layer", "python3.12", layers=[arn])
    assert lam.get_function(FunctionName="with-layer")["Configuration"]["Layers"][0]["Arn"] == arn
    event = {"imports": ["awswrangler", "pandas", "numpy", "pyarrow"]}
    result = json.loads(lam.invoke(FunctionName="with-layer", Payload=json.dumps(event))["Payload"].read())
    assert result == {
        "python": "3.12",
        "boto3": "1.40.4",  # the layer ships without boto3: the runtime's is used
        "awswrangler": "3.17.0",
        "pandas": "3.0.1",
        "numpy": "2.4.2",
        "pyarrow": "24.0.0",
    }


def test_layer_the_emulator_cannot_reproduce_is_refused(emu):
    other_release = "arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python312-Arm64:28"
    with pytest.raises(emu.client("lambda").exceptions.ClientError) as err:
        _probe_function(emu, "old-layer", "python3.12", layers=[other_release])
    assert "UnknownLayerVersion" in str(err.value) or "Layer" in str(err.value)


def test_missing_runtime_python_names_the_version_and_the_fix(monkeypatch, tmp_path):
    from local_emulator import runtimes  # noqa: PLC0415

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    expected = r"Python 3\.99 is not installed.*pyenv install 3\.99"
    with pytest.raises(runtimes.RuntimeUnavailable, match=expected):
        runtimes.find_python("3.99")
