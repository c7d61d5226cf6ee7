data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  topics = {
    success = var.success_emails
    failure = var.failure_emails
  }

  subscriptions = merge([
    for kind, emails in local.topics : { for e in emails : "${kind}:${e}" => { kind = kind, email = e } }
  ]...)
}

# One customer-managed key encrypts both topics, the dead-letter queues and the state-machine
# log groups that report into them. AWS-managed aws/sns cannot be used: EventBridge and
# CloudWatch alarms cannot publish to topics encrypted with it.
resource "aws_kms_key" "this" {
  description             = "${var.name_prefix} notifications (SNS topics, dead-letter queues, workflow logs)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = jsonencode(local.key_policy)
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}-notifications"
  target_key_id = aws_kms_key.this.key_id
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
  for_each = local.topics

  name              = "${var.name_prefix}-${each.key}"
  display_name      = "${var.name_prefix} ${each.key}"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "this" {
  for_each = aws_sns_topic.this

  arn = each.value.arn
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
        Resource = each.value.arn
      },
      {
        # EventBridge rules and CloudWatch alarms of this account may publish; Step Functions
        # publishes with its execution role (identity policy, same account).
        Sid       = "AccountServicesPublish"
        Effect    = "Allow"
        Principal = { Service = ["events.amazonaws.com", "cloudwatch.amazonaws.com"] }
        Action    = "sns:Publish"
        Resource  = each.value.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["sns:Publish", "sns:Subscribe", "sns:SetTopicAttributes"]
        Resource  = each.value.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = local.subscriptions

  topic_arn = aws_sns_topic.this[each.value.kind].arn
  protocol  = "email"
  endpoint  = each.value.email
}
