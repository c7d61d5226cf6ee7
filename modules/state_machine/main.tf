data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  # The definition file is valid JSON (jq, editors and the console open it). A placeholder that is
  # a whole JSON string, "${name}", becomes the value's JSON (a number, list or object replaces
  # the quotes too); one inside a longer string becomes the value's JSON-escaped text.
  whole_placeholders  = replace(file(var.definition_file), "/\"\\$\\{([a-z_][a-z0-9_]*)\\}\"/", "$${jsonencode($1)}")
  definition_template = replace(local.whole_placeholders, "/\\$\\{([a-z_][a-z0-9_]*)\\}/", "$${replace(jsonencode($1), \"/^\\\"|\\\"$/\", \"\")}")
  rendered            = templatestring(local.definition_template, var.definition_vars)
  # In a region whose notifications a relay publishes, each top-level SNS publish becomes an
  # EventBridge event on the region's default bus carrying the same arguments as its detail.
  relayed = {
    for name, state in jsondecode(local.rendered).States : name => merge(state, {
      Resource = "arn:aws:states:::events:putEvents"
      Arguments = { Entries = [{
        EventBusName = "default"
        Source       = var.publish_via_event_bus.source
        DetailType   = var.publish_via_event_bus.detail_type
        Detail       = state.Arguments
      }] }
    }) if var.publish_via_event_bus != null && try(state.Resource, "") == "arn:aws:states:::sns:publish"
  }
  definition = length(local.relayed) == 0 ? local.rendered : jsonencode(merge(jsondecode(local.rendered), {
    States = merge(jsondecode(local.rendered).States, local.relayed)
  }))

  # Statements the caller declared, in IAM's JSON shape.
  declared_statements = [
    for s in var.policy_statements : merge(
      {
        Sid      = s.sid
        Effect   = "Allow"
        Action   = s.actions
        Resource = s.resources
      },
      length(s.conditions) == 0 ? {} : {
        Condition = {
          for test in distinct([for c in s.conditions : c.test]) : test => {
            for c in s.conditions : c.variable => c.values if c.test == test
          }
        }
      },
    )
  ]

  # What every Standard state machine with logging/tracing needs. These CloudWatch Logs delivery
  # and X-Ray actions do not support resource-level permissions, so AWS only accepts "*" here
  # (Step Functions developer guide, "IAM policies for CloudWatch Logs" / "for X-Ray").
  platform_statements = concat(
    [{
      Sid    = "LogDelivery"
      Effect = "Allow"
      Action = [
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
      ]
      Resource = "*"
    }],
    var.tracing_enabled ? [{
      Sid      = "XRayTraces"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
      Resource = "*"
    }] : [],
    var.kms_key_arn == null ? [] : [{
      Sid      = "StateMachineDataKey"
      Effect   = "Allow"
      Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
      Resource = [var.kms_key_arn]
    }],
  )

  alarms = {
    failed    = "ExecutionsFailed"
    timed-out = "ExecutionsTimedOut"
    aborted   = "ExecutionsAborted"
  }
}

module "role" {
  source = "../iam_service_role"

  name            = "${var.name}-sfn"
  service         = "states.amazonaws.com"
  source_arn_like = "arn:${local.partition}:states:*:${local.account_id}:stateMachine:${var.name}"
  policy_name     = "least-privilege"
  policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.declared_statements, local.platform_statements)
  })
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Execution logs (ERROR level) are for operating the workflow, not an audit trail (CloudTrail is); retention is the caller's choice via log_retention_days.
  # The /aws/vendedlogs/ prefix keeps the log-group resource policy small (AWS recommendation).
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  name       = var.name
  role_arn   = module.role.arn
  type       = "STANDARD"
  definition = local.definition

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = true
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = var.tracing_enabled
  }

  dynamic "encryption_configuration" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      type                              = "CUSTOMER_MANAGED_KMS_KEY"
      kms_key_id                        = encryption_configuration.value
      kms_data_key_reuse_period_seconds = 300
    }
  }

  tags = var.tags

  # The role policy must exist before the first execution can call anything.
  depends_on = [module.role]
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.execution_alarms ? local.alarms : {}

  alarm_name          = "${var.name}-executions-${each.key}"
  alarm_description   = "${each.value} > 0 for ${var.name} in a minute: a run needs attention."
  namespace           = "AWS/States"
  metric_name         = each.value
  dimensions          = { StateMachineArn = aws_sfn_state_machine.this.arn }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.failure_topic_arn == null ? [] : [var.failure_topic_arn]
  tags                = var.tags
}
