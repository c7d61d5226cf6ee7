# CloudTrail with management events: without a trail, EventBridge never sees CreateSession.
# Turned off (create_trail = false) when the account or organisation already has one.

locals {
  trail_name        = "${local.name_prefix}-glue-guard"
  trail_bucket_name = "${local.name_prefix}-glue-guard-trail-${local.account_id}"
  trail_arn         = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
}

resource "aws_kms_key" "trail" {
  count = var.create_trail && !local.frugal ? 1 : 0

  description             = "${local.name_prefix} CloudTrail log files for the Glue session guard"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  tags                    = var.tags
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*" # In a key policy "*" means this key.
      },
      {
        Sid       = "CloudTrailEncryptsLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*" }
        }
      },
    ]
  })
}

module "trail_bucket" {
  source = "../s3_bucket"
  count  = var.create_trail ? 1 : 0

  bucket_name       = local.trail_bucket_name
  kms_key_arn       = local.frugal ? null : aws_kms_key.trail[0].arn # frugal: SSE-S3
  access_log_bucket = var.trail_access_log_bucket
  force_destroy     = var.force_destroy
  lifecycle_rules = [{
    id              = "expire-trail-logs"
    expiration_days = var.trail_log_retention_days
  }]
  spark_staging_cleanup = { enabled = false }
  policy_statements = [
    {
      sid        = "CloudTrailAclCheck"
      effect     = "Allow"
      actions    = ["s3:GetBucketAcl"]
      resources  = ["arn:${local.partition}:s3:::${local.trail_bucket_name}"]
      principals = [{ type = "Service", identifiers = ["cloudtrail.amazonaws.com"] }]
      conditions = [{ test = "StringEquals", variable = "aws:SourceArn", values = [local.trail_arn] }]
    },
    {
      sid        = "CloudTrailWrite"
      effect     = "Allow"
      actions    = ["s3:PutObject"]
      resources  = ["arn:${local.partition}:s3:::${local.trail_bucket_name}/AWSLogs/${local.account_id}/*"]
      principals = [{ type = "Service", identifiers = ["cloudtrail.amazonaws.com"] }]
      conditions = [
        { test = "StringEquals", variable = "aws:SourceArn", values = [local.trail_arn] },
        { test = "StringEquals", variable = "s3:x-amz-acl", values = ["bucket-owner-full-control"] },
      ]
    },
  ]
  tags = var.tags
}

resource "aws_cloudtrail" "this" {
  count = var.create_trail && !local.frugal ? 1 : 0

  #checkov:skip=CKV2_AWS_10:The guard consumes CloudTrail through EventBridge; a CloudWatch Logs copy of every management event would cost more than the guard saves.
  #checkov:skip=CKV_AWS_252:Nobody reads per-file delivery notifications; delivery problems surface as missing EventBridge events, which the sweeper covers.
  name                          = local.trail_name
  s3_bucket_name                = module.trail_bucket[0].bucket_name
  kms_key_id                    = aws_kms_key.trail[0].arn
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true

  event_selector {
    read_write_type           = "WriteOnly" # CreateSession is a write event; reads are not needed.
    include_management_events = true
  }

  tags = var.tags

  depends_on = [module.trail_bucket]
}

# Frugal: the same trail with its log files under SSE-S3 instead of a KMS key of its own.
resource "aws_cloudtrail" "frugal" {
  count = var.create_trail && local.frugal ? 1 : 0

  #checkov:skip=CKV2_AWS_10:The guard consumes CloudTrail through EventBridge; a CloudWatch Logs copy of every management event would cost more than the guard saves.
  #checkov:skip=CKV_AWS_252:Nobody reads per-file delivery notifications; delivery problems surface as missing EventBridge events, which the sweeper covers.
  #checkov:skip=CKV_AWS_35:profile = frugal: log files are encrypted with SSE-S3 (AWS-owned keys) in a TLS-only, versioned bucket with log-file validation; a customer-managed key would cost USD 1 a month, twice the frugal guard.
  name                          = local.trail_name
  s3_bucket_name                = module.trail_bucket[0].bucket_name
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true

  event_selector {
    read_write_type           = "WriteOnly"
    include_management_events = true
  }

  tags = var.tags

  depends_on = [module.trail_bucket]
}
