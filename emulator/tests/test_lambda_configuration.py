"""Lambda KMSKeyArn and LoggingConfig round-trip (moto 5.2.1 drops them: permanent Terraform diff)."""

from __future__ import annotations

import json

import pytest
from test_lambda_invoke import HANDLER, _zip

pytestmark = pytest.mark.emulator


def test_kms_key_and_logging_config_round_trip(emu):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = emu.client("iam").create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(trust))
    key_arn = emu.client("kms").create_key()["KeyMetadata"]["Arn"]
    lam = emu.client("lambda")
    lam.create_function(
        FunctionName="fn",
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler="app.main.handler",
        Code={"ZipFile": _zip(HANDLER)},
        KMSKeyArn=key_arn,
    )
    config = lam.get_function_configuration(FunctionName="fn")
    assert config["KMSKeyArn"] == key_arn
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/fn"}

    lam.update_function_configuration(
        FunctionName="fn", LoggingConfig={"LogFormat": "JSON", "LogGroup": "/custom"}
    )
    config = lam.get_function(FunctionName="fn")["Configuration"]
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": "/custom",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }
