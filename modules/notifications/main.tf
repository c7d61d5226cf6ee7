# The success and failure SNS topics every component reports to, encrypted with one customer-managed
# key (or AWS-managed keys, see `encryption`), topic policies naming who may publish, and e-mail
# subscriptions.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  # "<namespace>-<environment>[-<component>]": the prefix of every name below.
  prefix     = join("-", compact([var.namespace, var.environment, var.component]))
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  topics = {
    success = var.success_emails
    failure = var.failure_emails
  }

  customer_managed = var.encryption == "customer-managed"

  subscriptions = merge([
    for kind, emails in local.topics : { for e in emails : "${kind}:${e}" => { kind = kind, email = e } }
  ]...)
}

# One customer-managed key encrypts both topics, the dead-letter queues and the state-machine
# log groups that report into them. AWS-managed aws/sns cannot be used: EventBridge and
# CloudWatch alarms cannot publish to topics encrypted with it.
resource "aws_kms_key" "this" {
  count = local.customer_managed ? 1 : 0

  description             = "${local.prefix} notifications (SNS topics, dead-letter queues, workflow logs)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = jsonencode(local.key_policy)
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.customer_managed ? 1 : 0

  name          = "alias/${local.prefix}-notifications"
  target_key_id = aws_kms_key.this[0].key_id
}

locals {
  key_policy = {
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
        # EventBridge (rule targets, DLQs) and CloudWatch alarms publish to encrypted topics/queues.
        Sid    = "ServicesPublishEncrypted"
        Effect = "Allow"
        Principal = {
          Service = ["events.amazonaws.com", "cloudwatch.amazonaws.com", "scheduler.amazonaws.com"]
        }
        Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        # State machines encrypted with this key log their execution data through CloudWatch Logs
        # vended-log delivery, which must decrypt it; without this statement AWS silently drops
        # the logs (https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html).
        Sid       = "LogDeliveryReadsStateMachineData"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Decrypt"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:states:stateMachineArn" = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:*"
          }
        }
      },
      {
        # Step Functions log groups (/aws/vendedlogs/states/*) are encrypted with this key.
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
  }
}

resource "aws_sns_topic" "this" {
  for_each = local.customer_managed ? local.topics : {}

  name              = "${local.prefix}-${each.key}"
  display_name      = "${local.prefix} ${each.key}"
  kms_master_key_id = aws_kms_key.this[0].arn
  tags              = var.tags
}

resource "aws_sns_topic" "aws_managed" {
  for_each = local.customer_managed ? {} : local.topics

  #checkov:skip=CKV_AWS_26:encryption = "aws-managed" only: the failure topic receives CloudWatch alarms, which cannot publish to a topic encrypted with the AWS-managed aws/sns key (its key policy cannot admit cloudwatch.amazonaws.com); its messages name sessions, steps and errors, never data or secrets. The success topic is encrypted with aws/sns.
  name              = "${local.prefix}-${each.key}"
  display_name      = "${local.prefix} ${each.key}"
  kms_master_key_id = each.key == "success" ? "alias/aws/sns" : null
  tags              = var.tags
}

locals {
  topic_arns  = { for k, t in merge(aws_sns_topic.this, aws_sns_topic.aws_managed) : k => t.arn }
  topic_names = { for k, t in merge(aws_sns_topic.this, aws_sns_topic.aws_managed) : k => t.name }
}

resource "aws_sns_topic_policy" "this" {
  for_each = local.topics

  arn = local.topic_arns[each.key]
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountManagesTopic"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action = [
          "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
          "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish",
        ]
        Resource = local.topic_arns[each.key]
      },
      {
        # EventBridge rules and CloudWatch alarms of this account may publish; Step Functions
        # publishes with its execution role (identity policy, same account).
        Sid       = "AccountServicesPublish"
        Effect    = "Allow"
        Principal = { Service = ["events.amazonaws.com", "cloudwatch.amazonaws.com"] }
        Action    = "sns:Publish"
        Resource  = local.topic_arns[each.key]
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["sns:Publish", "sns:Subscribe", "sns:SetTopicAttributes"]
        Resource  = local.topic_arns[each.key]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = local.subscriptions

  topic_arn = local.topic_arns[each.value.kind]
  protocol  = "email"
  endpoint  = each.value.email
}

# The key and alias became optional (encryption = "aws-managed"); existing states keep them.
moved {
  from = aws_kms_key.this
  to   = aws_kms_key.this[0]
}

moved {
  from = aws_kms_alias.this
  to   = aws_kms_alias.this[0]
}
