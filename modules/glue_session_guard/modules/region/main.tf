# One region of the Glue session guard: the CreateSession rule, the guard and sweeper state
# machines, the sweeper's schedule and the dead-letter queue, in the region of the provider it is
# given. The parent module (modules/glue_session_guard) calls it for the home region; an
# environment calls it once per other region with that region's provider (README: regions).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  home = local.region == var.guard.home_region
  # Outside the home region the guard and sweeper send their notifications as events, which the
  # home region's relay publishes to the topics.
  publish_via_event_bus = local.home ? null : { source = var.guard.notice_source, detail_type = "Glue Session Guard Notification" }
  frugal                = var.guard.profile == "frugal"
  # Regional names are per region in AWS, but IAM roles and alarm lists are read account-wide:
  # other regions carry their short code (frugal-prod-euc1-glue-session-guard). The home region
  # keeps the unqualified names it had before regions existed, so upgrades replace nothing.
  name_prefix = local.home ? var.guard.name_prefix : "${var.guard.name_prefix}-${lookup(var.guard.region_codes, local.region, "unknown")}"

  # Hardened: the home region encrypts with the topics' key; a KMS key serves one region only, so
  # every other region has a key of its own. Frugal: AWS-owned keys everywhere.
  own_kms_key_arn = local.frugal ? null : (local.home ? var.guard.topics.kms_key_arn : aws_kms_key.region[0].arn)

  # Step Functions calls services in its own region only: the home region publishes to the topics,
  # the others put the same request on their default bus, which forwards it to the home relay.
  default_bus_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/default"
  home_bus_arn    = "arn:${local.partition}:events:${var.guard.home_region}:${local.account_id}:event-bus/default"
  notify_statements = local.home ? concat(
    [{
      sid       = "Notify"
      actions   = ["sns:Publish"]
      resources = [var.guard.topics.success_topic_arn, var.guard.topics.failure_topic_arn]
    }],
    var.guard.topics.kms_key_arn == null ? [] : [{
      sid       = "EncryptedTopics"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.guard.topics.kms_key_arn]
    }],
    ) : [{
      sid       = "NotifyThroughHomeRelay"
      actions   = ["events:PutEvents"]
      resources = [local.default_bus_arn]
  }]
  # CloudWatch alarm actions must be in the alarm's region: elsewhere the alarms have none, and
  # their state changes travel to the home relay like the notices.
  alarm_topic_arn = local.home ? var.guard.topics.failure_topic_arn : null

  # Sessions are created by users at any time with any id, so the guard acts on the account's
  # session ARNs in this region; that is the narrowest resource AWS can name in advance.
  session_arns = ["arn:${local.partition}:glue:${local.region}:${local.account_id}:session/*"]
  d            = var.guard.definition
}

resource "aws_kms_key" "region" {
  count = !local.frugal && !local.home ? 1 : 0

  description             = "${local.name_prefix} Glue session guard: queue, schedule, logs and state machine data in ${local.region}"
  enable_key_rotation     = true
  deletion_window_in_days = var.guard.kms_deletion_window_days
  tags                    = var.guard.tags
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Delegates key use to IAM policies of this account (roles get kms:* only as granted).
        Sid       = "AccountAdministersKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*" # In a key policy "*" means this key.
      },
      {
        Sid       = "ServicesUseEncryptedQueueAndSchedule"
        Effect    = "Allow"
        Principal = { Service = ["events.amazonaws.com", "cloudwatch.amazonaws.com", "scheduler.amazonaws.com"] }
        Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "LogDeliveryReadsStateMachineData"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Decrypt"]
        Resource  = "*"
        Condition = {
          StringLike = {
            "kms:EncryptionContext:aws:states:stateMachineArn" = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:*"
          }
        }
      },
      {
        Sid       = "CloudWatchLogsEncrypt"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
          }
        }
      },
    ]
  })
}

module "guard" {
  source = "../../../state_machine"

  name            = "${local.name_prefix}-glue-session-guard"
  definition_file = "${path.module}/glue_session_guard.asl.json"
  definition_vars = {
    stop_policy              = local.d.stop_policy
    lifetime_seconds         = local.d.lifetime_seconds
    idle_seconds             = local.d.idle_seconds
    max_lifetime_seconds     = local.d.max_lifetime_seconds
    max_statement_pages      = 100
    poll_interval_seconds    = local.d.poll_interval_seconds
    max_polls                = local.d.max_polls
    dry_run                  = local.d.dry_run
    exempt_tag_key           = local.d.exempt_tag_key
    exempt_tag_value         = local.d.exempt_tag_value
    owner_tag_key            = local.d.owner_tag_key
    max_workers              = local.d.max_workers
    allowed_worker_types     = local.d.allowed_worker_types
    max_idle_timeout_minutes = local.d.max_idle_timeout_minutes
    require_connection       = local.d.require_connection
    price_per_dpu_hour       = local.d.price_per_dpu_hour
    environment              = var.guard.environment
    region                   = local.region
    notice_source            = var.guard.notice_source
    success_topic_arn        = var.guard.topics.success_topic_arn
    failure_topic_arn        = var.guard.topics.failure_topic_arn
  }
  publish_via_event_bus = local.publish_via_event_bus
  policy_statements = concat([
    {
      sid       = "InspectAndStopSessions"
      actions   = ["glue:GetSession", "glue:ListStatements", "glue:StopSession"]
      resources = local.session_arns
    },
  ], local.notify_statements)
  log_retention_days = var.guard.log_retention_days
  failure_topic_arn  = local.alarm_topic_arn
  kms_key_arn        = local.own_kms_key_arn
  execution_alarms   = !local.frugal
  tags               = var.guard.tags
}

module "sweeper" {
  source = "../../../state_machine"

  name            = "${local.name_prefix}-glue-session-sweeper"
  definition_file = "${path.module}/glue_session_sweeper.asl.json"
  definition_vars = {
    min_age_seconds         = local.d.first_check_seconds
    page_size               = var.guard.sweeper.page_size
    max_pages               = 100
    guard_state_machine_arn = module.guard.arn
    failure_topic_arn       = var.guard.topics.failure_topic_arn
    partition               = local.partition
    region                  = local.region
    account_id              = local.account_id
    environment             = var.guard.environment
    notice_source           = var.guard.notice_source
  }
  publish_via_event_bus = local.publish_via_event_bus
  policy_statements = concat([
    {
      # ListSessions supports no resource-level permissions (Service Authorization Reference,
      # AWS Glue), so AWS only accepts "*" for it.
      sid       = "ListSessions"
      actions   = ["glue:ListSessions"]
      resources = ["*"]
    },
    {
      sid       = "ReadSessionTags"
      actions   = ["glue:GetTags"]
      resources = local.session_arns
    },
    {
      sid       = "HandToGuard"
      actions   = ["states:StartExecution"]
      resources = [module.guard.arn]
    },
    ], local.home ? concat([{
      sid       = "NotifyFailure"
      actions   = ["sns:Publish"]
      resources = [var.guard.topics.failure_topic_arn]
    }], [for s in local.notify_statements : s if s.sid == "EncryptedTopics"]) : local.notify_statements
  )
  log_retention_days = var.guard.log_retention_days
  failure_topic_arn  = local.alarm_topic_arn
  kms_key_arn        = local.own_kms_key_arn
  execution_alarms   = !local.frugal
  tags               = var.guard.tags
}

# --- Event path: CloudTrail CreateSession -> EventBridge (this region) -> guard ----------------
# AWS delivers a management event to EventBridge in the region where the call was made, so each
# region needs its own rule and guard; one multi-region trail records them all.

resource "aws_cloudwatch_event_rule" "create_session" {
  lifecycle {
    precondition {
      condition     = contains(var.guard.regions, local.region)
      error_message = "This provider's region (${local.region}) is not among the guard's regions (${join(", ", var.guard.regions)}): add it to regions.guarded, or pass this module the provider of a listed region."
    }
  }

  name        = "${local.name_prefix}-glue-create-session"
  description = "Glue CreateSession calls (via CloudTrail) start the session guard."
  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail = {
      eventSource = ["glue.amazonaws.com"]
      eventName   = ["CreateSession"]
      # CloudTrail also records calls that failed (errorCode + errorMessage, no responseElements):
      # no session was created, and an AlreadyExistsException id would name someone else's session.
      errorCode = [{ exists = false }]
    }
  })
  tags = var.guard.tags
}

resource "aws_cloudwatch_event_target" "guard" {
  rule      = aws_cloudwatch_event_rule.create_session.name
  target_id = "glue-session-guard"
  arn       = module.guard.arn
  role_arn  = module.events_role.arn

  # Placeholders outside quotes: EventBridge writes strings JSON-quoted and objects/arrays/numbers
  # as JSON, so the guard receives typed values (missing fields arrive as null).
  input_transformer {
    input_paths = {
      sessionId   = "$.detail.requestParameters.id"
      principal   = "$.detail.userIdentity.arn"
      eventTime   = "$.detail.eventTime"
      workers     = "$.detail.requestParameters.numberOfWorkers"
      workerType  = "$.detail.requestParameters.workerType"
      idleTimeout = "$.detail.requestParameters.idleTimeout"
      connections = "$.detail.requestParameters.connections"
      tags        = "$.detail.requestParameters.tags"
    }
    input_template = <<-EOT
      {"source": "event", "session": {"id": <sessionId>, "principal": <principal>, "createdOn": <eventTime>, "workers": <workers>, "workerType": <workerType>, "idleTimeoutMinutes": <idleTimeout>, "connections": <connections>, "tags": <tags>}}
    EOT
  }

  retry_policy {
    maximum_retry_attempts       = var.guard.event_retry.maximum_retry_attempts
    maximum_event_age_in_seconds = var.guard.event_retry.maximum_event_age_in_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

module "events_role" {
  source = "../../../iam_service_role"

  name        = "${local.name_prefix}-glue-guard-events"
  service     = "events.amazonaws.com"
  policy_name = "start-guard"
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "StartGuard"
      Effect   = "Allow"
      Action   = ["states:StartExecution"]
      Resource = [module.guard.arn]
    }]
  })
  tags = var.guard.tags
}

# --- Other regions: notices and alarm changes travel to the home region's relay --------------

resource "aws_cloudwatch_event_rule" "forward" {
  count = local.home ? 0 : 1

  name        = "${local.name_prefix}-glue-guard-forward"
  description = "The guard's notices and alarm state changes in ${local.region}, forwarded to the home region's relay (${var.guard.home_region})."
  event_pattern = jsonencode({
    "$or" = [
      { source = [var.guard.notice_source], "detail-type" = ["Glue Session Guard Notification"] },
      {
        source        = ["aws.cloudwatch"]
        "detail-type" = ["CloudWatch Alarm State Change"]
        detail        = { alarmName = [{ prefix = "${local.name_prefix}-glue-" }] }
      },
    ]
  })
  tags = var.guard.tags
}

resource "aws_cloudwatch_event_target" "forward" {
  count = local.home ? 0 : 1

  rule      = aws_cloudwatch_event_rule.forward[0].name
  target_id = "home-region-bus"
  arn       = local.home_bus_arn
  role_arn  = module.forward_role[0].arn

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

module "forward_role" {
  source = "../../../iam_service_role"
  count  = local.home ? 0 : 1

  name        = "${local.name_prefix}-glue-guard-forward"
  service     = "events.amazonaws.com"
  policy_name = "forward-to-home"
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # A cross-Region event bus target needs a role allowed to put events on the target bus.
      Sid      = "PutOnHomeBus"
      Effect   = "Allow"
      Action   = ["events:PutEvents"]
      Resource = [local.home_bus_arn]
    }]
  })
  tags = var.guard.tags
}

# --- Dead letters: events and schedules that could not start an execution --------------------

resource "aws_sqs_queue" "dead_letter" {
  name                              = "${local.name_prefix}-glue-guard-dlq"
  kms_master_key_id                 = local.own_kms_key_arn
  kms_data_key_reuse_period_seconds = local.own_kms_key_arn == null ? null : 300
  sqs_managed_sse_enabled           = local.own_kms_key_arn == null ? true : null
  message_retention_seconds         = 1209600 # 14 days, SQS's maximum: time to investigate.
  tags                              = var.guard.tags
}

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EventBridgeDeadLetters"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.dead_letter.arn
        Condition = { ArnEquals = { "aws:SourceArn" = concat([aws_cloudwatch_event_rule.create_session.arn], aws_cloudwatch_event_rule.forward[*].arn, aws_cloudwatch_event_rule.relay[*].arn) } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.dead_letter.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  count = local.frugal ? 0 : 1

  alarm_name          = "${local.name_prefix}-glue-guard-dead-letters"
  alarm_description   = "An event or schedule could not start the Glue session guard; see the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300 # SQS publishes queue metrics every 5 minutes.
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_topic_arn == null ? [] : [local.alarm_topic_arn]
  tags                = var.guard.tags
}

# Frugal: one metric-math alarm instead of seven. Alarms are billed per metric they read, so it reads
# the three that matter (guard failures, sweeper failures, dead letters: USD 0.30 a month) and not
# TimedOut/Aborted: neither machine sets a timeout, and only a person can abort an execution.
resource "aws_cloudwatch_metric_alarm" "frugal" {
  count = local.frugal ? 1 : 0

  alarm_name          = "${local.name_prefix}-glue-guard-attention"
  alarm_description   = "The Glue session guard or sweeper failed, or an event could not start the guard (dead-letter queue)."
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_topic_arn == null ? [] : [local.alarm_topic_arn]
  tags                = var.guard.tags

  metric_query {
    id          = "attention"
    expression  = "FILL(guard, 0) + FILL(sweeper, 0) + FILL(dead, 0)"
    label       = "guard failures + sweeper failures + dead letters"
    return_data = true
  }
  metric_query {
    id = "guard"
    metric {
      namespace   = "AWS/States"
      metric_name = "ExecutionsFailed"
      dimensions  = { StateMachineArn = module.guard.arn }
      stat        = "Sum"
      period      = 300 # one period for all three: SQS publishes every 5 minutes.
    }
  }
  metric_query {
    id = "sweeper"
    metric {
      namespace   = "AWS/States"
      metric_name = "ExecutionsFailed"
      dimensions  = { StateMachineArn = module.sweeper.arn }
      stat        = "Sum"
      period      = 300
    }
  }
  metric_query {
    id = "dead"
    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = aws_sqs_queue.dead_letter.name }
      stat        = "Maximum"
      period      = 300
    }
  }
}

# --- Sweeper schedule ----------------------------------------------------------------------

resource "aws_scheduler_schedule" "sweeper" {
  name                = "${local.name_prefix}-glue-session-sweeper"
  description         = "Sweeps Glue sessions the event path missed."
  schedule_expression = "rate(${var.guard.sweeper.interval_minutes} ${var.guard.sweeper.interval_minutes == 1 ? "minute" : "minutes"})"
  kms_key_arn         = local.own_kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.sweeper.arn
    role_arn = module.scheduler_role.arn
    input    = jsonencode({ trigger = "schedule" })

    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 600
    }

    dead_letter_config {
      arn = aws_sqs_queue.dead_letter.arn
    }
  }
}

module "scheduler_role" {
  source = "../../../iam_service_role"

  name        = "${local.name_prefix}-glue-sweeper-scheduler"
  service     = "scheduler.amazonaws.com"
  policy_name = "start-sweeper"
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "StartSweeper"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = [module.sweeper.arn]
      },
      {
        # EventBridge Scheduler writes dead letters with the schedule's role.
        Sid      = "DeadLetters"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [aws_sqs_queue.dead_letter.arn]
      },
      ], local.own_kms_key_arn == null ? [] : [
      {
        Sid      = "EncryptedQueueAndSchedule"
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource = [local.own_kms_key_arn]
      },
    ])
  })
  tags = var.guard.tags
}

# --- Home region with other regions: the relay ---------------------------------------------
# Step Functions calls services in its own region only, and CloudWatch alarm actions must be in
# the alarm's region: the other regions' notices and alarm changes arrive here as events.

locals {
  relay = local.home && length(var.guard.regions) > 1
}

module "relay" {
  source = "../../../state_machine"
  count  = local.relay ? 1 : 0

  name            = "${local.name_prefix}-glue-guard-relay"
  definition_file = "${path.module}/glue_session_guard_relay.asl.json"
  definition_vars = {
    notice_source     = var.guard.notice_source
    home_region       = local.region
    environment       = var.guard.environment
    success_topic_arn = var.guard.topics.success_topic_arn
    failure_topic_arn = var.guard.topics.failure_topic_arn
  }
  policy_statements  = [for s in local.notify_statements : s]
  log_retention_days = var.guard.log_retention_days
  failure_topic_arn  = local.alarm_topic_arn
  kms_key_arn        = local.own_kms_key_arn
  execution_alarms   = !local.frugal
  tags               = var.guard.tags
}

resource "aws_cloudwatch_event_rule" "relay" {
  count = local.relay ? 1 : 0

  name        = "${local.name_prefix}-glue-guard-relay"
  description = "Notices and alarm changes of the Glue session guard in ${join(", ", [for r in var.guard.regions : r if r != local.region])}, forwarded here, go to the relay."
  event_pattern = jsonencode({
    "$or" = [
      { source = [var.guard.notice_source], "detail-type" = ["Glue Session Guard Notification"] },
      {
        source        = ["aws.cloudwatch"]
        "detail-type" = ["CloudWatch Alarm State Change"]
        detail        = { alarmName = [{ prefix = "${var.guard.name_prefix}-" }], state = { value = ["ALARM"] } }
      },
    ]
  })
  tags = var.guard.tags
}

resource "aws_cloudwatch_event_target" "relay" {
  count = local.relay ? 1 : 0

  rule      = aws_cloudwatch_event_rule.relay[0].name
  target_id = "glue-guard-relay"
  arn       = module.relay[0].arn
  role_arn  = module.relay_events_role[0].arn

  retry_policy {
    maximum_retry_attempts       = var.guard.event_retry.maximum_retry_attempts
    maximum_event_age_in_seconds = var.guard.event_retry.maximum_event_age_in_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

module "relay_events_role" {
  source = "../../../iam_service_role"
  count  = local.relay ? 1 : 0

  name        = "${local.name_prefix}-glue-guard-relay-events"
  service     = "events.amazonaws.com"
  policy_name = "start-relay"
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "StartRelay"
      Effect   = "Allow"
      Action   = ["states:StartExecution"]
      Resource = [module.relay[0].arn]
    }]
  })
  tags = var.guard.tags
}
