mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  # What the guard reads differently from the shared mocks: a vended-logs log group (the
  # state machines' logging destination) and the dead-letter queue's URL.
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock-dlq", id = "https://sqs.eu-west-1.amazonaws.com/123456789012/mock-dlq" }
  }
}

variables {
  namespace        = "frugal"
  environment      = "test"
  lifetime_seconds = 1800
}

run "defaults" {
  command = apply

  assert {
    condition     = length(module.notifications) == 1 && length(aws_cloudtrail.this) == 1
    error_message = "by default the guard creates its own topics and a trail"
  }
  assert {
    condition     = aws_cloudtrail.this[0].event_selector[0].include_management_events && aws_cloudtrail.this[0].enable_log_file_validation && aws_cloudtrail.this[0].is_multi_region_trail
    error_message = "the trail must be one multi-region trail recording management events with log-file validation"
  }
  assert {
    condition     = output.regions.home == "eu-west-1" && tolist(output.regions.guarded) == tolist(["eu-west-1"]) && output.relay_state_machine_arn == null
    error_message = "regions = null guards the provider's region only, without a relay"
  }
  assert {
    condition     = output.guard_state_machine_arn == module.home.guard_state_machine_arn && output.event_rule_name == "frugal-test-glue-create-session"
    error_message = "the home region keeps the names it had before regions existed"
  }
}

# The regional pieces, planned from the parent's region_inputs as an environment passes them.
run "defaults_wire_event_rule_guard_and_sweeper" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.defaults.region_inputs
  }

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
    condition = (
      jsondecode(module.guard.definition).States.NotifyAction.Resource == "arn:aws:states:::sns:publish" &&
      jsondecode(module.guard.definition).States.NotifyAction.Arguments.MessageAttributes.region.StringValue == "{% $cfg.region %}" &&
      jsondecode(module.guard.definition).States.Configure.Assign.cfg.region == "eu-west-1"
    )
    error_message = "the home region publishes straight to the topics, with its region as a message attribute"
  }
  assert {
    condition     = length(aws_cloudwatch_event_rule.forward) == 0 && length(module.relay) == 0 && length(aws_kms_key.region) == 0
    error_message = "a single home region neither forwards nor relays, and uses the topics' key"
  }
}

run "guard_role_is_least_privilege" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.defaults.region_inputs
  }

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

run "boundaries_dry_run_and_exemption" {
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
}

run "boundaries_dry_run_and_exemption_are_rendered" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.boundaries_dry_run_and_exemption.region_inputs
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
      region                = "eu-west-1"
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
    condition     = output.success_topic_arn == "arn:aws:sns:eu-west-1:123456789012:shared-success" && output.region_inputs.topics.kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    error_message = "the given topics and key must be used"
  }
}

run "existing_topics_key_encrypts_the_queue" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.existing_topics_and_no_trail.region_inputs
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    error_message = "hardened: the given topics' key encrypts the home region's queue"
  }
}

run "prevention_policy" {
  command = apply
  variables {
    deny_data_preview_sessions = true
  }
  assert {
    condition     = jsondecode(output.prevention_policy_json).Statement[0].Condition.Null["aws:RequestTag/owner"] == "true" && jsondecode(output.prevention_policy_json).Statement[0].Resource == ["arn:aws:glue:eu-west-1:*:session/*"]
    error_message = "CreateSession without an owner tag must be denied in the guarded region"
  }
  assert {
    condition     = jsondecode(output.prevention_policy_json).Statement[1].Resource == ["arn:aws:glue:eu-west-1:*:session/glue-studio-datapreview*"]
    error_message = "data-preview sessions must be denied when asked"
  }
}

run "idle_policy" {
  command = apply
  variables {
    stop_policy          = "idle"
    idle_minutes         = 20
    max_lifetime_seconds = 28800
  }
}

run "idle_policy_is_rendered_and_the_sweeper_hands_over_after_the_idle_window" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.idle_policy.region_inputs
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
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.defaults.region_inputs
  }
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
    condition     = length(output.alarm_names) == 7
    error_message = "hardened: three alarms per state machine and one on the dead-letter queue"
  }
}

run "hardened_region_pieces" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.hardened_profile_is_the_default.region_inputs
  }
  assert {
    condition     = length(module.guard.alarm_names) == 3 && length(module.sweeper.alarm_names) == 3 && length(aws_cloudwatch_metric_alarm.dead_letters) == 1 && length(aws_cloudwatch_metric_alarm.frugal) == 0
    error_message = "hardened: three alarms per state machine and one on the dead-letter queue"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letters[0].alarm_actions == toset([var.guard.topics.failure_topic_arn])
    error_message = "hardened: the home region's alarms notify the failure topic"
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == var.guard.topics.kms_key_arn && aws_scheduler_schedule.sweeper.kms_key_arn == var.guard.topics.kms_key_arn && var.guard.topics.kms_key_arn != null
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
    condition     = length(output.alarm_names) == 1
    error_message = "frugal: one metric-math alarm instead of seven"
  }
}

run "frugal_region_pieces" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.frugal_profile_uses_no_key_of_its_own_and_one_alarm.region_inputs
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

run "frugal_with_sweeper_interval" {
  command = apply
  variables {
    profile                  = "frugal"
    sweeper_interval_minutes = 30
  }
}

run "frugal_profile_keeps_an_explicit_sweeper_interval" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.frugal_with_sweeper_interval.region_inputs
  }
  assert {
    condition     = aws_scheduler_schedule.sweeper.schedule_expression == "rate(30 minutes)"
    error_message = "an explicit sweeper interval wins over the profile's default"
  }
}

run "frugal_with_shared_encrypted_topics" {
  command = apply
  variables {
    profile = "frugal"
    notifications = {
      success_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shared-success"
      failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shared-failure"
      kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    }
  }
}

run "frugal_profile_with_shared_encrypted_topics_uses_their_key_only_to_publish" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.frugal_with_shared_encrypted_topics.region_inputs
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

# --- Regions: one environment, a home region and the others --------------------------------

run "two_regions" {
  command = apply
  variables {
    regions                    = { home = "eu-west-1", guarded = ["eu-west-1", "eu-central-1"] }
    deny_data_preview_sessions = true
  }
  assert {
    condition     = length(aws_cloudtrail.this) == 1 && aws_cloudtrail.this[0].is_multi_region_trail
    error_message = "one multi-region trail records every region's CreateSession calls"
  }
  assert {
    condition = (
      jsondecode(output.prevention_policy_json).Statement[0].Resource == ["arn:aws:glue:eu-west-1:*:session/*", "arn:aws:glue:eu-central-1:*:session/*"] &&
      jsondecode(output.prevention_policy_json).Statement[1].Resource == ["arn:aws:glue:eu-west-1:*:session/glue-studio-datapreview*", "arn:aws:glue:eu-central-1:*:session/glue-studio-datapreview*"]
    )
    error_message = "the prevention policy covers every guarded region"
  }
  assert {
    condition     = output.relay_state_machine_arn != null && length(output.alarm_names) == 10
    error_message = "hardened with another region: the home region runs the relay (with its three alarms)"
  }
}

run "home_region_relays_the_others" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.two_regions.region_inputs
  }
  assert {
    condition     = jsondecode(module.guard.definition).States.NotifyAction.Resource == "arn:aws:states:::sns:publish" && length(aws_cloudwatch_event_rule.forward) == 0
    error_message = "the home region's guard publishes to the topics itself"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.relay[0].event_pattern) == {
      "$or" = [
        { source = ["frugal-test.glue-session-guard"], "detail-type" = ["Glue Session Guard Notification"] },
        { source = ["aws.cloudwatch"], "detail-type" = ["CloudWatch Alarm State Change"], detail = { alarmName = [{ prefix = "frugal-test-" }], state = { value = ["ALARM"] } } },
      ]
    }
    error_message = "the relay takes the guard's notices and its alarms going into ALARM"
  }
  assert {
    condition     = aws_cloudwatch_event_target.relay[0].arn == module.relay[0].arn && aws_cloudwatch_event_target.relay[0].dead_letter_config[0].arn == aws_sqs_queue.dead_letter.arn
    error_message = "the relay rule starts the relay, with the dead-letter queue"
  }
  assert {
    condition = (
      [for s in jsondecode(module.relay[0].role_policy_json).Statement : s.Resource if s.Sid == "Notify"][0] == [var.guard.topics.success_topic_arn, var.guard.topics.failure_topic_arn] &&
      jsondecode(module.relay_events_role[0].policy_json).Statement[0].Resource == [module.relay[0].arn]
    )
    error_message = "the relay may publish to the two topics only, and EventBridge may only start the relay"
  }
  assert {
    condition     = strcontains(jsondecode(module.relay[0].definition).States.Route.Choices[0].Condition, var.guard.topics.success_topic_arn) && strcontains(jsondecode(module.relay[0].definition).States.Route.Choices[1].Condition, var.guard.topics.failure_topic_arn) && strcontains(jsondecode(module.relay[0].definition).States.Route.Choices[2].Condition, "!= 'eu-west-1'")
    error_message = "the relay passes on notices to the guard's topics only, and alarms of the other regions only"
  }
  assert {
    condition     = contains(jsondecode(aws_sqs_queue_policy.dead_letter.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"], aws_cloudwatch_event_rule.relay[0].arn)
    error_message = "the relay rule may write dead letters"
  }
}

run "other_region_forwards_to_the_home_relay" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.two_regions.region_inputs
  }
  override_data {
    target = data.aws_region.current
    values = { name = "eu-central-1" }
  }
  assert {
    condition     = module.guard.name == "frugal-test-euc1-glue-session-guard" && aws_cloudwatch_event_rule.create_session.name == "frugal-test-euc1-glue-create-session" && module.events_role.name == "frugal-test-euc1-glue-guard-events"
    error_message = "names outside the home region carry the region's short code (IAM roles are global)"
  }
  assert {
    condition = (
      jsondecode(module.guard.definition).States.NotifyAction.Resource == "arn:aws:states:::events:putEvents" &&
      jsondecode(module.guard.definition).States.NotifyAction.Arguments.Entries[0].Source == "frugal-test.glue-session-guard" &&
      jsondecode(module.guard.definition).States.NotifyAction.Arguments.Entries[0].Detail.TopicArn == var.guard.topics.success_topic_arn &&
      jsondecode(module.guard.definition).States.NotifyFailure.Arguments.Entries[0].Detail.TopicArn == var.guard.topics.failure_topic_arn &&
      jsondecode(module.sweeper.definition).States.NotifyFailure.Resource == "arn:aws:states:::events:putEvents" &&
      jsondecode(module.guard.definition).States.Configure.Assign.cfg.region == "eu-central-1"
    )
    error_message = "elsewhere the guard and sweeper send the home topics' publish requests as events"
  }
  assert {
    condition = (
      [for s in jsondecode(module.guard.role_policy_json).Statement : s.Resource if s.Sid == "NotifyThroughHomeRelay"][0] == ["arn:aws:events:eu-central-1:123456789012:event-bus/default"] &&
      length([for s in jsondecode(module.guard.role_policy_json).Statement : s if contains(s.Action, "sns:Publish")]) == 0 &&
      [for s in jsondecode(module.guard.role_policy_json).Statement : s.Resource if s.Sid == "InspectAndStopSessions"][0] == ["arn:aws:glue:eu-central-1:123456789012:session/*"]
    )
    error_message = "the regional guard acts on its region's sessions and may only put events on its region's bus"
  }
  assert {
    condition = (
      aws_cloudwatch_event_target.forward[0].arn == "arn:aws:events:eu-west-1:123456789012:event-bus/default" &&
      jsondecode(module.forward_role[0].policy_json).Statement[0].Resource == ["arn:aws:events:eu-west-1:123456789012:event-bus/default"] &&
      jsondecode(aws_cloudwatch_event_rule.forward[0].event_pattern)["$or"][1].detail.alarmName == [{ prefix = "frugal-test-euc1-glue-" }]
    )
    error_message = "notices and this region's alarm changes go to the home region's default bus"
  }
  assert {
    condition     = length(aws_kms_key.region) == 1 && aws_sqs_queue.dead_letter.kms_master_key_id == aws_kms_key.region[0].arn && aws_scheduler_schedule.sweeper.kms_key_arn == aws_kms_key.region[0].arn
    error_message = "hardened: a KMS key serves one region, so every other region has its own"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dead_letters[0].alarm_actions) == 0 && length(module.guard.alarm_names) == 3 && length(module.relay) == 0
    error_message = "alarm actions must be in the alarm's region: other regions' alarms have none (their changes are forwarded)"
  }
}

run "frugal_two_regions" {
  command = apply
  variables {
    profile = "frugal"
    regions = { home = "eu-west-1", guarded = ["eu-central-1", "eu-west-1"] }
  }
  assert {
    condition     = output.relay_state_machine_arn != null && length(output.alarm_names) == 1
    error_message = "frugal with another region: the relay, and still one alarm in the home region"
  }
}

run "frugal_other_region_has_no_key" {
  command = apply
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.frugal_two_regions.region_inputs
  }
  override_data {
    target = data.aws_region.current
    values = { name = "eu-central-1" }
  }
  assert {
    condition     = length(aws_kms_key.region) == 0 && aws_sqs_queue.dead_letter.sqs_managed_sse_enabled == true && length(aws_cloudwatch_metric_alarm.frugal) == 1 && length(aws_cloudwatch_metric_alarm.frugal[0].alarm_actions) == 0
    error_message = "frugal: no key in other regions either, and one alarm without actions"
  }
}

run "a_region_not_listed_is_refused" {
  command = plan
  module {
    source = "./modules/region"
  }
  variables {
    guard = run.two_regions.region_inputs
  }
  override_data {
    target = data.aws_region.current
    values = { name = "us-east-1" }
  }
  expect_failures = [aws_cloudwatch_event_rule.create_session]
}
