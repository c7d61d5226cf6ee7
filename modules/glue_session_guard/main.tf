data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
  asl_dir    = "${path.module}/../../asl"

  frugal           = var.profile == "frugal"
  sweeper_interval = coalesce(var.sweeper_interval_minutes, local.frugal ? 60 : 15)
  # Frugal: nothing of the guard's own is encrypted with a customer-managed key (AWS-owned keys
  # for the queue, schedule, logs and state machines); only topics given with a key need grants.
  own_kms_key_arn = local.frugal ? null : local.topics.kms_key_arn
  topic_kms_statements = local.topics.kms_key_arn == null ? [] : [{
    sid       = "EncryptedTopics"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.topics.kms_key_arn]
  }]

  topics = var.notifications != null ? var.notifications : {
    success_topic_arn = module.notifications[0].success_topic_arn
    failure_topic_arn = module.notifications[0].failure_topic_arn
    kms_key_arn       = module.notifications[0].kms_key_arn
  }

  # Sessions are created by users at any time with any id, so the guard acts on the account's
  # session ARNs in this region; that is the narrowest resource AWS can name in advance.
  session_arns = ["arn:${local.partition}:glue:${local.region}:${local.account_id}:session/*"]

  # The lifetime policy's only limit is its lifetime; the idle policy first looks after the idle
  # window (or the hard cap, if that is shorter). The sweeper hands over sessions from that age.
  max_lifetime_seconds = var.stop_policy == "lifetime" ? var.lifetime_seconds : var.max_lifetime_seconds
  first_check_seconds  = var.stop_policy == "lifetime" ? var.lifetime_seconds : min(var.idle_minutes * 60, var.max_lifetime_seconds)

  guard_name   = "${var.name_prefix}-glue-session-guard"
  sweeper_name = "${var.name_prefix}-glue-session-sweeper"
  guard_arn    = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.guard_name}"
}

module "notifications" {
  source = "../notifications"
  count  = var.notifications == null ? 1 : 0

  name_prefix    = "${var.name_prefix}-guard"
  encryption     = local.frugal ? "aws-managed" : "customer-managed"
  success_emails = var.success_emails
  failure_emails = var.failure_emails
  tags           = var.tags
}

module "guard" {
  source = "../state_machine"

  name            = local.guard_name
  definition_file = "${local.asl_dir}/glue_session_guard.asl.json"
  definition_vars = {
    stop_policy              = var.stop_policy
    lifetime_seconds         = var.lifetime_seconds
    idle_seconds             = var.idle_minutes * 60
    max_lifetime_seconds     = local.max_lifetime_seconds
    max_statement_pages      = 100
    poll_interval_seconds    = var.poll_interval_seconds
    max_polls                = var.max_polls
    dry_run                  = var.dry_run
    exempt_tag_key           = try(var.exempt_tag.key, "")
    exempt_tag_value         = try(var.exempt_tag.value, "")
    owner_tag_key            = var.owner_tag_key
    max_workers              = coalesce(var.boundaries.max_workers, 0)
    allowed_worker_types     = jsonencode(var.boundaries.allowed_worker_types)
    max_idle_timeout_minutes = coalesce(var.boundaries.max_idle_timeout_minutes, 0)
    require_connection       = var.boundaries.require_connection
    price_per_dpu_hour       = var.price_per_dpu_hour
    environment              = var.environment
    success_topic_arn        = local.topics.success_topic_arn
    failure_topic_arn        = local.topics.failure_topic_arn
  }
  policy_statements = concat([
    {
      sid       = "InspectAndStopSessions"
      actions   = ["glue:GetSession", "glue:ListStatements", "glue:StopSession"]
      resources = local.session_arns
    },
    {
      sid       = "Notify"
      actions   = ["sns:Publish"]
      resources = [local.topics.success_topic_arn, local.topics.failure_topic_arn]
    },
  ], local.topic_kms_statements)
  log_retention_days = var.log_retention_days
  failure_topic_arn  = local.topics.failure_topic_arn
  kms_key_arn        = local.own_kms_key_arn
  execution_alarms   = !local.frugal
  tags               = var.tags
}

module "sweeper" {
  source = "../state_machine"

  name            = local.sweeper_name
  definition_file = "${local.asl_dir}/glue_session_sweeper.asl.json"
  definition_vars = {
    min_age_seconds         = local.first_check_seconds
    page_size               = var.sweeper_page_size
    max_pages               = 100
    guard_state_machine_arn = module.guard.arn
    failure_topic_arn       = local.topics.failure_topic_arn
    partition               = local.partition
    region                  = local.region
    account_id              = local.account_id
    environment             = var.environment
  }
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
    {
      sid       = "NotifyFailure"
      actions   = ["sns:Publish"]
      resources = [local.topics.failure_topic_arn]
    },
  ], local.topic_kms_statements)
  log_retention_days = var.log_retention_days
  failure_topic_arn  = local.topics.failure_topic_arn
  kms_key_arn        = local.own_kms_key_arn
  execution_alarms   = !local.frugal
  tags               = var.tags
}

# --- Event path: CloudTrail CreateSession -> EventBridge -> guard -----------------------------

resource "aws_cloudwatch_event_rule" "create_session" {
  name        = "${var.name_prefix}-glue-create-session"
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
  tags = var.tags
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
    maximum_retry_attempts       = var.event_retry.maximum_retry_attempts
    maximum_event_age_in_seconds = var.event_retry.maximum_event_age_in_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.dead_letter.arn
  }
}

module "events_role" {
  source = "../iam_service_role"

  name        = "${var.name_prefix}-glue-guard-events"
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
  tags = var.tags
}

# --- Dead letters: events and schedules that could not start an execution --------------------

resource "aws_sqs_queue" "dead_letter" {
  name                              = "${var.name_prefix}-glue-guard-dlq"
  kms_master_key_id                 = local.own_kms_key_arn
  kms_data_key_reuse_period_seconds = local.own_kms_key_arn == null ? null : 300
  sqs_managed_sse_enabled           = local.own_kms_key_arn == null ? true : null
  message_retention_seconds         = 1209600 # 14 days, SQS's maximum: time to investigate.
  tags                              = var.tags
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
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.create_session.arn } }
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

  alarm_name          = "${var.name_prefix}-glue-guard-dead-letters"
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
  alarm_actions       = [local.topics.failure_topic_arn]
  tags                = var.tags
}

# Frugal: one metric-math alarm instead of seven. Alarms are billed per metric they read, so it reads
# the three that matter (guard failures, sweeper failures, dead letters: USD 0.30 a month) and not
# TimedOut/Aborted: neither machine sets a timeout, and only a person can abort an execution.
resource "aws_cloudwatch_metric_alarm" "frugal" {
  count = local.frugal ? 1 : 0

  alarm_name          = "${var.name_prefix}-glue-guard-attention"
  alarm_description   = "The Glue session guard or sweeper failed, or an event could not start the guard (dead-letter queue)."
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.topics.failure_topic_arn]
  tags                = var.tags

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
  name                = "${var.name_prefix}-glue-session-sweeper"
  description         = "Sweeps Glue sessions the event path missed."
  schedule_expression = "rate(${local.sweeper_interval} ${local.sweeper_interval == 1 ? "minute" : "minutes"})"
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
  source = "../iam_service_role"

  name        = "${var.name_prefix}-glue-sweeper-scheduler"
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
  tags = var.tags
}

# --- Prevention to go with the cure ----------------------------------------------------------

locals {
  prevention_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "DenyGlueSessionsWithoutOwnerTag"
        Effect   = "Deny"
        Action   = ["glue:CreateSession"]
        Resource = ["arn:${local.partition}:glue:*:*:session/*"]
        Condition = {
          Null = { "aws:RequestTag/${var.owner_tag_key}" = "true" }
        }
      }],
      var.deny_data_preview_sessions ? [{
        Sid      = "DenyGlueStudioDataPreviewSessions"
        Effect   = "Deny"
        Action   = ["glue:CreateSession"]
        Resource = ["arn:${local.partition}:glue:*:*:session/glue-studio-datapreview*"]
      }] : [],
    )
  }
}
