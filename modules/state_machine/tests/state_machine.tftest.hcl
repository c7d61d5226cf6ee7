mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock-sfn" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/mock" }
  }
}

variables {
  name              = "frugal-test-hello"
  definition_file   = "tests/fixtures/hello.asl.json"
  definition_vars   = { topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-success" }
  failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-failure"
  kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  policy_statements = [{
    sid       = "PublishSuccess"
    actions   = ["sns:Publish"]
    resources = ["arn:aws:sns:eu-west-1:123456789012:frugal-test-success"]
  }]
}

run "renders_definition_and_logs_errors" {
  command = apply

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.Publish.Parameters.TopicArn == "arn:aws:sns:eu-west-1:123456789012:frugal-test-success"
    error_message = "template variables must be rendered into the definition"
  }
  assert {
    condition     = aws_sfn_state_machine.this.type == "STANDARD"
    error_message = "must be a Standard state machine"
  }
  assert {
    condition     = aws_sfn_state_machine.this.logging_configuration[0].level == "ERROR" && aws_sfn_state_machine.this.logging_configuration[0].include_execution_data
    error_message = "logging must be ERROR with execution data"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/vendedlogs/states/frugal-test-hello" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "log group must be /aws/vendedlogs/states/<name> with the retention"
  }
}

run "role_has_exactly_declared_statements_plus_platform" {
  command = apply

  assert {
    condition     = [for s in jsondecode(module.role.policy_json).Statement : s.Sid] == ["PublishSuccess", "LogDelivery", "XRayTraces", "StateMachineDataKey"]
    error_message = "role policy must hold the declared statements and only the platform ones"
  }
  assert {
    condition     = alltrue(flatten([for s in jsondecode(module.role.policy_json).Statement : [for a in s.Action : !strcontains(a, "*")]]))
    error_message = "no wildcard actions"
  }
  assert {
    condition     = jsondecode(module.role.assume_role_policy_json).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "trust policy must be limited to this account"
  }
}

run "alarms_on_failed_timed_out_aborted" {
  command = apply

  assert {
    condition     = toset([for a in aws_cloudwatch_metric_alarm.this : a.metric_name]) == toset(["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"])
    error_message = "three alarms expected"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.period == 60 && a.threshold == 0 && a.comparison_operator == "GreaterThanThreshold" && a.alarm_actions == toset([var.failure_topic_arn])])
    error_message = "alarms must fire on > 0 per minute to the failure topic"
  }
}

run "conditions_are_rendered" {
  command = apply
  variables {
    policy_statements = [{
      sid        = "StartGuard"
      actions    = ["states:StartExecution"]
      resources  = ["arn:aws:states:eu-west-1:123456789012:stateMachine:x"]
      conditions = [{ test = "StringEquals", variable = "aws:ResourceAccount", values = ["123456789012"] }]
    }]
  }
  assert {
    condition     = jsondecode(module.role.policy_json).Statement[0].Condition.StringEquals["aws:ResourceAccount"] == ["123456789012"]
    error_message = "statement conditions must be rendered in IAM's shape"
  }
}

run "rejects_wildcard_actions" {
  command = plan
  variables {
    policy_statements = [{ sid = "Bad", actions = ["glue:*"], resources = ["*"] }]
  }
  expect_failures = [var.policy_statements]
}

run "rejects_missing_definition_file" {
  command = plan
  variables {
    definition_file = "tests/fixtures/does-not-exist.asl.json"
  }
  expect_failures = [var.definition_file]
}

run "rejects_bad_retention" {
  command = plan
  variables {
    log_retention_days = 31
  }
  expect_failures = [var.log_retention_days]
}

run "rejects_log_level_off" {
  command = plan
  variables {
    log_level = "OFF"
  }
  expect_failures = [var.log_level]
}

run "no_alarms_when_the_caller_alarms" {
  command = apply
  variables {
    execution_alarms = false
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0 && length(output.alarm_names) == 0
    error_message = "execution_alarms = false must create no alarms"
  }
}

run "alarms_without_a_topic_have_no_actions" {
  command = apply
  variables {
    # Another region than the topics': alarm actions must be in the alarm's region.
    failure_topic_arn = null
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 3 && alltrue([for a in aws_cloudwatch_metric_alarm.this : length(a.alarm_actions) == 0])
    error_message = "with failure_topic_arn = null the three alarms exist without actions"
  }
}

run "rejects_a_failure_topic_that_is_not_an_sns_arn" {
  command = plan
  variables {
    failure_topic_arn = "arn:aws:sqs:eu-west-1:123456789012:not-a-topic"
  }
  expect_failures = [var.failure_topic_arn]
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

run "placeholders_take_their_values_json" {
  command = apply

  variables {
    definition_file = "tests/fixtures/notify.asl.json"
    definition_vars = {
      topic_arn       = "arn:aws:sns:eu-west-1:123456789012:frugal-test-success"
      timeout_seconds = 30
      label           = "unit \"quoted\""
      config          = { waits = [5, 10], dry_run = true }
    }
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.Notify.TimeoutSeconds == 30 && jsondecode(aws_sfn_state_machine.this.definition).States.Configure.Assign.cfg == { waits = [5, 10], dry_run = true }
    error_message = "a whole-string placeholder must take the value's JSON (a number, an object), not its text"
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.Notify.Arguments.TopicArn == "arn:aws:sns:eu-west-1:123456789012:frugal-test-success" && jsondecode(aws_sfn_state_machine.this.definition).States.Notify.Resource == "arn:aws:states:::sns:publish"
    error_message = "without publish_via_event_bus the definition publishes to its topic"
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).Comment == "Test fixture for the state_machine module (unit \"quoted\"): typed placeholders and relayed notifications."
    error_message = "a placeholder inside a string takes the value's text, escaped so the definition stays JSON"
  }
}

run "publish_via_event_bus_sends_each_publish_as_an_event" {
  command = apply

  variables {
    definition_file = "tests/fixtures/notify.asl.json"
    definition_vars = {
      topic_arn       = "arn:aws:sns:eu-west-1:123456789012:frugal-test-success"
      timeout_seconds = 30
      label           = "unit"
      config          = { waits = [5] }
    }
    publish_via_event_bus = { source = "frugal-test.notices", detail_type = "Test Notification" }
  }

  assert {
    condition = jsondecode(aws_sfn_state_machine.this.definition).States.Notify.Resource == "arn:aws:states:::events:putEvents" && jsondecode(aws_sfn_state_machine.this.definition).States.Notify.Arguments == {
      Entries = [{
        EventBusName = "default"
        Source       = "frugal-test.notices"
        DetailType   = "Test Notification"
        Detail = {
          TopicArn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-success"
          Message  = "{% 'hello from unit after ' & $string($cfg.waits[0]) & ' s' %}"
        }
      }]
    }
    error_message = "each SNS publish must become an event on the default bus whose detail is the publish's arguments"
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this.definition).States.Notify.TimeoutSeconds == 30 && jsondecode(aws_sfn_state_machine.this.definition).States.Configure.Assign.cfg == { waits = [5] }
    error_message = "everything but the publish is left as rendered"
  }
}

run "rejects_an_aws_event_source" {
  command = plan

  variables {
    publish_via_event_bus = { source = "aws.states", detail_type = "Test Notification" }
  }
  expect_failures = [var.publish_via_event_bus]
}
