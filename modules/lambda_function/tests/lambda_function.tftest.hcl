mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock-role" }
  }
}

variables {
  name              = "frugal-test-raw-wordpress-api"
  filename          = "tests/fixtures/raw_ingest.zip"
  source_code_hash  = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-failure"
  kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  environment_variables = {
    RAW_BUCKET  = "frugal-test-raw-123456789012"
    SOURCE_NAME = "wordpress_api"
  }
  policy_statements = [{
    sid       = "RawObjectsWrite"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::frugal-test-raw-123456789012/wordpress_api/*"]
  }]
}

run "layer_resolved_from_public_ssm_parameter" {
  command = apply

  assert {
    condition     = data.aws_ssm_parameter.aws_sdk_pandas_layer[0].name == "/aws/service/aws-sdk-pandas/3.17.0/py3.12/arm64/layer-arn"
    error_message = "the layer parameter path must follow runtime, architecture and version"
  }
  assert {
    condition     = aws_lambda_function.this.layers == tolist(["arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python312-Arm64:20"])
    error_message = "the function must use the layer ARN read from SSM"
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables["RAW_BUCKET"] == "frugal-test-raw-123456789012"
    error_message = "environment variables must be passed through"
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1 && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "by default no concurrency is reserved (an account with fewer than 100 unreserved rejects any reservation) and the architecture is arm64"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/frugal-test-raw-wordpress-api" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "the function's default log group /aws/lambda/<name> is created with the retention"
  }
}

run "override_arn_skips_ssm" {
  command = apply
  variables {
    aws_sdk_pandas_layer = { arn = "arn:aws:lambda:eu-west-1:123456789012:layer:fake-sdk-pandas:1" }
  }
  assert {
    condition     = length(data.aws_ssm_parameter.aws_sdk_pandas_layer) == 0
    error_message = "an explicit ARN must not read the SSM parameter"
  }
  assert {
    condition     = aws_lambda_function.this.layers == tolist(["arn:aws:lambda:eu-west-1:123456789012:layer:fake-sdk-pandas:1"])
    error_message = "the override ARN must be used"
  }
}

run "layer_can_be_disabled" {
  command = apply
  variables {
    aws_sdk_pandas_layer = { enabled = false }
  }
  assert {
    condition     = length(aws_lambda_function.this.layers) == 0 && length(data.aws_ssm_parameter.aws_sdk_pandas_layer) == 0
    error_message = "a disabled layer must attach nothing and read nothing"
  }
}

run "role_is_caller_statements_plus_own_logs" {
  command = apply

  assert {
    condition     = [for s in jsondecode(module.role.policy_json).Statement : s.Sid] == ["RawObjectsWrite", "OwnLogStreams", "XRayTraces", "EnvironmentKeyDecrypt"]
    error_message = "the role must hold the caller's statements, its log streams, X-Ray and the env key only"
  }
  assert {
    condition     = jsondecode(module.role.policy_json).Statement[1].Resource == ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frugal-test-raw-wordpress-api:*"]
    error_message = "log permissions must be limited to the function's own log group"
  }
  assert {
    condition     = alltrue([for s in jsondecode(module.role.policy_json).Statement : !contains(flatten([s.Action]), "*")])
    error_message = "no statement may allow every action"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.errors.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:frugal-test-failure"]) && aws_cloudwatch_metric_alarm.errors.metric_name == "Errors"
    error_message = "the Errors alarm must notify the failure topic"
  }
}

run "rejects_unknown_runtime" {
  command = plan
  variables {
    runtime = "python2.7"
  }
  expect_failures = [var.runtime]
}

run "rejects_unknown_architecture" {
  command = plan
  variables {
    architecture = "sparc"
  }
  expect_failures = [var.architecture]
}

run "rejects_zero_concurrency" {
  command = plan
  variables {
    reserved_concurrent_executions = 0
  }
  expect_failures = [var.reserved_concurrent_executions]
}

run "rejects_bad_hash_and_reserved_env_keys" {
  command = plan
  variables {
    source_code_hash      = "abc"
    environment_variables = { AWS_REGION = "eu-west-1" }
  }
  expect_failures = [var.source_code_hash, var.environment_variables]
}

run "rejects_wildcard_actions" {
  command = plan
  variables {
    policy_statements = [{ sid = "Everything", actions = ["s3:*"], resources = ["*"] }]
  }
  expect_failures = [var.policy_statements]
}

# Naming: one rule for name in every building-block module (tests/unit/test_module_naming.py
# checks that the validation text is the same everywhere).
run "naming_accepts_a_hyphenated_name" {
  command = plan
  variables {
    name = "music-lib"
  }
}

run "naming_rejects_an_uppercase_name" {
  command = plan
  variables {
    name = "Music-Lib"
  }
  expect_failures = [var.name]
}
