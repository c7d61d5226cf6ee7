# One Python Lambda function from a zip built outside Terraform, with its own least-privilege role,
# the AWS SDK for pandas layer, an encrypted log group and an error alarm.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# The AWS-managed layer's ARN changes with every release and region; AWS publishes it as a public
# SSM parameter, so nothing is hard-coded or vendored (a zip bundling pandas and pyarrow would be about 100 MB).
data "aws_ssm_parameter" "aws_sdk_pandas_layer" {
  count = var.aws_sdk_pandas_layer.enabled && var.aws_sdk_pandas_layer.arn == null ? 1 : 0
  name  = "/aws/service/aws-sdk-pandas/${var.aws_sdk_pandas_layer.version}/py${trimprefix(var.runtime, "python")}/${var.architecture}/layer-arn"
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  log_group_name = "/aws/lambda/${var.name}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  layers = !var.aws_sdk_pandas_layer.enabled ? [] : [
    coalesce(var.aws_sdk_pandas_layer.arn, try(nonsensitive(data.aws_ssm_parameter.aws_sdk_pandas_layer[0].value), null)),
  ]

  own_statements = concat(
    [{
      # Only its own log group: the group is created by Terraform, so no logs:CreateLogGroup.
      Sid      = "OwnLogStreams"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${local.log_group_arn}:*"]
    }],
    var.tracing_mode == "Active" ? [{
      # X-Ray trace upload has no resource-level permissions; AWS accepts only "*".
      Sid      = "XRayTraces"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = "*"
    }] : [],
    var.kms_key_arn == null ? [] : [{
      Sid      = "EnvironmentKeyDecrypt"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [var.kms_key_arn]
    }],
  )

  caller_statements = [
    for s in var.policy_statements : merge(
      { Sid = s.sid, Effect = "Allow", Action = s.actions, Resource = s.resources },
      length(s.conditions) == 0 ? {} : {
        Condition = {
          for test in distinct([for c in s.conditions : c.test]) : test => {
            for c in s.conditions : c.variable => c.values if c.test == test
          }
        }
      },
    )
  ]
}

module "role" {
  source = "../iam_service_role"

  name        = "${var.name}-role"
  service     = "lambda.amazonaws.com"
  policy_name = "least-privilege"
  policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.caller_statements, local.own_statements)
  })
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the log_retention_days variable (default 30 days): these are debugging logs of a daily batch run, and a year of retention would cost more than the runs.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:Calls a public WordPress API and AWS endpoints only; a VPC would need a NAT gateway (~$32/month) for no isolation gain.
  #checkov:skip=CKV_AWS_116:Invoked synchronously by Step Functions, which catches, notifies and fails; an async dead-letter queue never receives anything.
  #checkov:skip=CKV_AWS_272:Code signing needs AWS Signer profiles per account; the zip is built deterministically and its hash pinned in Terraform instead.
  function_name    = var.name
  description      = var.description
  role             = module.role.arn
  filename         = var.filename
  source_code_hash = var.source_code_hash
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  layers           = local.layers
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = var.environment_variables
  }

  tracing_config {
    mode = var.tracing_mode
  }

  tags = var.tags

  # The role must be able to write logs before the first invocation.
  depends_on = [module.role, aws_cloudwatch_log_group.this]

  lifecycle {
    precondition {
      condition     = fileexists(var.filename)
      error_message = "filename ${var.filename} does not exist: build the artifacts first (make package)."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${var.name}-errors"
  alarm_description   = "${var.name} raised errors in the last 5 minutes."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.failure_topic_arn]
  tags                = var.tags
}
