mock_provider "aws" {
  source = "./tests/mocks/aws"
}

variables {
  name_prefix      = "frugal-test"
  lifetime_seconds = 1800
  environment      = "test"
}

run "defaults_wire_event_rule_guard_and_sweeper" {
  command = apply

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.create_session.event_pattern) == {
      source        = ["aws.glue"]
      "detail-type" = ["AWS API Call via CloudTrail"]
      detail        = { eventSource = ["glue.amazonaws.com"], eventName = ["CreateSession"], errorCode = [{ exists = false }] }
    }
    error_message = "the rule must match exactly the successful CloudTrail CreateSession calls from Glue"
  }
  assert {
    condition     = aws_cloudwatch_event_target.guard.arn == module.guard.arn && aws_cloudwatch_event_target.guard.dead_letter_config[0].arn == aws_sqs_queue.dead_letter.arn
    error_message = "the rule must target the guard with the DLQ"
  }
  assert {
    condition     = aws_cloudwatch_event_target.guard.retry_policy[0].maximum_retry_attempts == 10 && aws_cloudwatch_event_target.guard.retry_policy[0].maximum_event_age_in_seconds == 3600
    error_message = "default target retry policy"
  }
  assert {
    condition = keys(aws_cloudwatch_event_target.guard.input_transformer[0].input_paths) == sort([
      "connections", "eventTime", "idleTimeout", "principal", "sessionId", "tags", "workerType", "workers"
    ])
    error_message = "the transformer must pass id, principal, time, workers, worker type, idle timeout, connections and tags"
  }
  assert {
    condition     = jsondecode(module.guard.definition).States.Configure.Assign.cfg.lifetimeSeconds == 1800
    error_message = "lifetime must be rendered into the guard definition"
  }
  assert {
    condition     = jsondecode(module.guard.definition).States.Configure.Assign.cfg.dryRun == false && jsondecode(module.guard.definition).States.Configure.Assign.cfg.maxWorkers == 0
    error_message = "defaults: not a dry run, no worker limit"
  }
  assert {
    condition     = jsondecode(module.sweeper.definition).States.GuardEach.ItemProcessor.States.StartGuard.Arguments.StateMachineArn == module.guard.arn
    error_message = "the sweeper must hand sessions to the guard"
  }
  assert {
    condition     = aws_scheduler_schedule.sweeper.schedule_expression == "rate(15 minutes)" && aws_scheduler_schedule.sweeper.target[0].arn == module.sweeper.arn
    error_message = "the sweeper runs every 15 minutes by default"
  }
  assert {
    condition     = length(module.notifications) == 1 && length(aws_cloudtrail.this) == 1
    error_message = "by default the guard creates its own topics and a trail"
  }
  assert {
    condition     = aws_cloudtrail.this[0].event_selector[0].include_management_events && aws_cloudtrail.this[0].enable_log_file_validation
    error_message = "the trail must record management events with log-file validation"
  }
}

run "guard_role_is_least_privilege" {
  command = apply

  assert {
    condition     = [for s in jsondecode(module.guard.role_policy_json).Statement : s.Action if s.Sid == "InspectAndStopSessions"][0] == ["glue:GetSession", "glue:ListStatements", "glue:StopSession"]
    error_message = "the guard may only get sessions, list their statements and stop them"
  }
  assert {
    condition     = [for s in jsondecode(module.guard.role_policy_json).Statement : s.Resource if s.Sid == "InspectAndStopSessions"][0] == ["arn:aws:glue:eu-west-1:123456789012:session/*"]
    error_message = "session actions must be limited to this account's sessions in this region"
  }
  assert {
    condition     = jsondecode(module.events_role.policy_json).Statement[0].Resource == [module.guard.arn]
    error_message = "EventBridge may only start the guard"
  }
}

run "boundaries_dry_run_and_exemption_are_rendered" {
  command = apply
  variables {
    dry_run    = true
    exempt_tag = { key = "guard", value = "exempt" }
    boundaries = {
      max_workers              = 10
      allowed_worker_types     = ["G.1X", "G.2X"]
      max_idle_timeout_minutes = 60
      require_connection       = true
    }
  }
  assert {
    condition = jsondecode(module.guard.definition).States.Configure.Assign.cfg == {
      stopPolicy            = "lifetime"
      lifetimeSeconds       = 1800
      idleSeconds           = 1800
      maxLifetimeSeconds    = 1800
      maxStatementPages     = 100
      pollIntervalSeconds   = 10
      maxPolls              = 40
      dryRun                = true
      exemptTagKey          = "guard"
      exemptTagValue        = "exempt"
      ownerTagKey           = "owner"
      maxWorkers            = 10
      allowedWorkerTypes    = ["G.1X", "G.2X"]
      maxIdleTimeoutMinutes = 60
      requireConnection     = true
      pricePerDpuHour       = 0.44
      environment           = "test"
    }
    error_message = "every guard setting must reach the definition"
  }
}

run "existing_topics_and_no_trail" {
  command = apply
  variables {
    create_trail = false
    notifications = {
      success_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shared-success"
      failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shared-failure"
      kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    }
  }
  assert {
    condition     = length(module.notifications) == 0 && length(aws_cloudtrail.this) == 0 && length(module.trail_bucket) == 0
    error_message = "given topics and create_trail = false, the module creates neither"
  }
  assert {
    condition     = output.success_topic_arn == "arn:aws:sns:eu-west-1:123456789012:shared-success" && aws_sqs_queue.dead_letter.kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    error_message = "the given topics and key must be used"
  }
}

run "prevention_policy" {
  command = apply
  variables {
    deny_data_preview_sessions = true
  }
  assert {
    condition     = jsondecode(output.prevention_policy_json).Statement[0].Condition.Null["aws:RequestTag/owner"] == "true"
    error_message = "CreateSession without an owner tag must be denied"
  }
  assert {
    condition     = jsondecode(output.prevention_policy_json).Statement[1].Resource == ["arn:aws:glue:*:*:session/glue-studio-datapreview*"]
    error_message = "data-preview sessions must be denied when asked"
  }
}

run "idle_policy_is_rendered_and_the_sweeper_hands_over_after_the_idle_window" {
  command = apply
  variables {
    stop_policy          = "idle"
    idle_minutes         = 20
    max_lifetime_seconds = 28800
  }
  assert {
    condition = (
      jsondecode(module.guard.definition).States.Configure.Assign.cfg.stopPolicy == "idle" &&
      jsondecode(module.guard.definition).States.Configure.Assign.cfg.idleSeconds == 1200 &&
      jsondecode(module.guard.definition).States.Configure.Assign.cfg.maxLifetimeSeconds == 28800
    )
    error_message = "policy, idle window (in seconds) and hard cap must reach the guard"
  }
  assert {
    condition     = jsondecode(module.sweeper.definition).States.Configure.Assign.minAgeSeconds == 1200
    error_message = "under the idle policy the sweeper hands over sessions older than the idle window"
  }
}

run "lifetime_policy_sweeper_age_is_the_lifetime" {
  command = apply
  assert {
    condition     = jsondecode(module.sweeper.definition).States.Configure.Assign.minAgeSeconds == 1800
    error_message = "under the lifetime policy the sweeper hands over sessions older than the lifetime"
  }
}

run "hardened_profile_is_the_default" {
  command = apply
  assert {
    condition     = length(aws_kms_key.trail) == 1 && length(aws_cloudtrail.this) == 1 && length(aws_cloudtrail.frugal) == 0
    error_message = "hardened: the trail's log files are encrypted with a key of their own"
  }
  assert {
    condition     = length(module.guard.alarm_names) == 3 && length(module.sweeper.alarm_names) == 3 && length(aws_cloudwatch_metric_alarm.dead_letters) == 1 && length(aws_cloudwatch_metric_alarm.frugal) == 0
    error_message = "hardened: three alarms per state machine and one on the dead-letter queue"
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == module.notifications[0].kms_key_arn && aws_scheduler_schedule.sweeper.kms_key_arn == module.notifications[0].kms_key_arn
    error_message = "hardened: queue and schedule use the customer-managed key"
  }
}

run "frugal_profile_uses_no_key_of_its_own_and_one_alarm" {
  command = apply
  variables {
    profile = "frugal"
  }
  assert {
    condition     = module.notifications[0].kms_key_arn == null && length(aws_kms_key.trail) == 0
    error_message = "frugal: no customer-managed key (topics AWS-managed, trail SSE-S3)"
  }
  assert {
    condition     = length(aws_cloudtrail.this) == 0 && length(aws_cloudtrail.frugal) == 1 && aws_cloudtrail.frugal[0].is_multi_region_trail && aws_cloudtrail.frugal[0].enable_log_file_validation && output.trail_arn != null
    error_message = "frugal: still a multi-region trail with log-file validation"
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == null && aws_sqs_queue.dead_letter.sqs_managed_sse_enabled == true && aws_scheduler_schedule.sweeper.kms_key_arn == null
    error_message = "frugal: the dead-letter queue uses SSE-SQS and the schedule an AWS-owned key"
  }
  assert {
    condition     = length(module.guard.alarm_names) == 0 && length(module.sweeper.alarm_names) == 0 && length(aws_cloudwatch_metric_alarm.dead_letters) == 0 && length(aws_cloudwatch_metric_alarm.frugal) == 1
    error_message = "frugal: one metric-math alarm instead of seven"
  }
  assert {
    condition = toset([for q in aws_cloudwatch_metric_alarm.frugal[0].metric_query : try(q.metric[0].dimensions.StateMachineArn, q.metric[0].dimensions.QueueName, q.expression)]) == toset([
      module.guard.arn, module.sweeper.arn, aws_sqs_queue.dead_letter.name, "FILL(guard, 0) + FILL(sweeper, 0) + FILL(dead, 0)"
    ])
    error_message = "the one alarm must read guard failures, sweeper failures and dead letters"
  }
  assert {
    condition     = aws_scheduler_schedule.sweeper.schedule_expression == "rate(60 minutes)"
    error_message = "frugal: the sweeper runs hourly by default"
  }
  assert {
    condition     = length([for s in jsondecode(module.guard.role_policy_json).Statement : s if can(regex("^kms:", s.Action[0]))]) == 0
    error_message = "frugal: no KMS grants without a customer-managed key"
  }
}

run "frugal_profile_keeps_an_explicit_sweeper_interval" {
  command = apply
  variables {
    profile                  = "frugal"
    sweeper_interval_minutes = 30
  }
  assert {
    condition     = aws_scheduler_schedule.sweeper.schedule_expression == "rate(30 minutes)"
    error_message = "an explicit sweeper interval wins over the profile's default"
  }
}

run "frugal_profile_with_shared_encrypted_topics_uses_their_key_only_to_publish" {
  command = apply
  variables {
    profile = "frugal"
    notifications = {
      success_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shared-success"
      failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shared-failure"
      kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    }
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == null && aws_sqs_queue.dead_letter.sqs_managed_sse_enabled == true && aws_scheduler_schedule.sweeper.kms_key_arn == null
    error_message = "frugal: queue and schedule stay on AWS-owned keys even when the topics have a key"
  }
  assert {
    condition     = [for s in jsondecode(module.guard.role_policy_json).Statement : s.Resource if s.Sid == "EncryptedTopics"][0] == ["arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"]
    error_message = "the guard may use the topics' key to publish to them"
  }
  assert {
    condition     = length([for s in jsondecode(module.guard.role_policy_json).Statement : s if s.Sid == "StateMachineDataKey"]) == 0
    error_message = "frugal: the state machine's own data is not encrypted with the topics' key"
  }
}
