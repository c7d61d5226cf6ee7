# The lakehouse's storage: one bucket per medallion layer, an access-log bucket, one KMS key, Glue
# catalog databases and Parameter Store entries that publish the names.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  prefix     = "${var.namespace}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
  layers     = ["raw", "bronze", "silver", "gold"]

  bucket_names    = { for layer in local.layers : layer => "${local.prefix}-${layer}-${local.account_id}" }
  log_bucket_name = "${local.prefix}-access-logs-${local.account_id}"
  # Not a layer: no catalog database, no layer ageing, no Parameter Store entry of its own beyond
  # bucket/landing.
  landing_bucket_name = "${local.prefix}-landing-${local.account_id}"
  db_prefix           = replace(local.prefix, "-", "_")
  param_prefix        = "/${var.namespace}/${var.environment}/storage"
  catalog_layerset    = toset(var.catalog_layers)

  # Default ageing per layer (0 = stage off). Why:
  #   raw    - immutable landing copies, read again only to reprocess: IA after 30 days, Glacier
  #            Instant Retrieval after 90 (reads stay instant, so a replay needs no restore job),
  #            deleted after the retention period.
  #   bronze - Parquet per ingest date, read by the silver job mostly for recent dates: same as raw.
  #   silver - the current cleaned snapshot, rewritten on each run; objects that survive 30 days
  #            are no longer being rewritten: IA only, never expired (it is the source of truth).
  #   gold   - what dashboards and Athena read: kept in STANDARD for 90 days, then IA; never expired.
  layer_defaults = {
    raw    = { infrequent_access_days = 30, infrequent_access_class = "STANDARD_IA", archive_days = 90, archive_class = "GLACIER_IR", expiration_days = var.retention_days }
    bronze = { infrequent_access_days = 30, infrequent_access_class = "STANDARD_IA", archive_days = 90, archive_class = "GLACIER_IR", expiration_days = var.retention_days }
    silver = { infrequent_access_days = 30, infrequent_access_class = "STANDARD_IA", archive_days = 0, archive_class = "GLACIER_IR", expiration_days = 0 }
    gold   = { infrequent_access_days = 90, infrequent_access_class = "STANDARD_IA", archive_days = 0, archive_class = "GLACIER_IR", expiration_days = 0 }
  }

  # Overrides win field by field; a null field keeps the layer default.
  layer_settings = { for layer in local.layers : layer => {
    infrequent_access_days     = coalesce(try(var.layer_lifecycle[layer].infrequent_access_days, null), local.layer_defaults[layer].infrequent_access_days)
    infrequent_access_class    = coalesce(try(var.layer_lifecycle[layer].infrequent_access_class, null), local.layer_defaults[layer].infrequent_access_class)
    archive_days               = coalesce(try(var.layer_lifecycle[layer].archive_days, null), local.layer_defaults[layer].archive_days)
    archive_class              = coalesce(try(var.layer_lifecycle[layer].archive_class, null), local.layer_defaults[layer].archive_class)
    expiration_days            = coalesce(try(var.layer_lifecycle[layer].expiration_days, null), local.layer_defaults[layer].expiration_days)
    noncurrent_expiration_days = coalesce(try(var.layer_lifecycle[layer].noncurrent_expiration_days, null), var.noncurrent_version_expiration_days)
  } }

  layer_rules = { for layer, s in local.layer_settings : layer => concat(
    s.infrequent_access_days > 0 ? [{ days = s.infrequent_access_days, storage_class = s.infrequent_access_class }] : [],
    s.archive_days > 0 ? [{ days = s.archive_days, storage_class = s.archive_class }] : [],
    ) if s.infrequent_access_days > 0 || s.archive_days > 0 || s.expiration_days > 0
  }
}

# Cross-field checks need the defaults merged with the overrides, which variable validation cannot
# see; a failed precondition stops the plan with a message naming the layer and field.
resource "terraform_data" "layer_lifecycle_checks" {
  input = local.layer_settings

  lifecycle {
    precondition {
      condition = alltrue([for layer, s in local.layer_settings :
        s.archive_days == 0 || s.infrequent_access_days == 0 || s.archive_days >= s.infrequent_access_days + 30
      ])
      error_message = "layer_lifecycle: archive_days must be at least 30 days after infrequent_access_days (S3 keeps objects 30 days in an IA class; archive cannot come before infrequent access); offending layer(s): ${join(", ", [for layer, s in local.layer_settings : "${layer} (infrequent_access_days=${s.infrequent_access_days}, archive_days=${s.archive_days})" if !(s.archive_days == 0 || s.infrequent_access_days == 0 || s.archive_days >= s.infrequent_access_days + 30)])}."
    }

    precondition {
      condition = alltrue([for layer, s in local.layer_settings :
        s.expiration_days == 0 || s.expiration_days > max(s.infrequent_access_days, s.archive_days)
      ])
      error_message = "layer_lifecycle: expiration_days must be 0 (keep) or later than the last transition; offending layer(s): ${join(", ", [for layer, s in local.layer_settings : layer if !(s.expiration_days == 0 || s.expiration_days > max(s.infrequent_access_days, s.archive_days))])}."
    }
  }
}

resource "aws_kms_key" "lakehouse" {
  description             = "${local.prefix} lakehouse storage (layer buckets, catalog, notifications)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = local.key_policy_json
  tags                    = var.tags
}

resource "aws_kms_alias" "lakehouse" {
  name          = "alias/${local.prefix}-lakehouse"
  target_key_id = aws_kms_key.lakehouse.key_id
}

locals {
  account_root = "arn:${local.partition}:iam::${local.account_id}:root"

  # In a key policy, Resource "*" means "this key" (the policy is attached to exactly one key).
  key_policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Without an account-root administration statement a key can become unmanageable.
        Sid       = "AccountAdministersKey"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action = [
          "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
          "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
          "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
          "kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy",
          "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion",
          "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
        ]
        Resource = "*"
      },
      {
        # Delegates use to IAM: a role of this account may use the key only if its own policy says so.
        Sid       = "AccountRolesUseKey"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action = [
          "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
          "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
        ]
        Resource = "*"
      },
      {
        # Services such as Glue and Lambda create grants on the caller's behalf; only for AWS resources.
        Sid       = "AccountRolesGrantToAwsServices"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = ["kms:CreateGrant"]
        Resource  = "*"
        Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
      },
      {
        # CloudWatch Logs encrypts this account's log groups (Step Functions, Lambda) with the key.
        Sid       = "CloudWatchLogsUseKey"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action = [
          "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
          "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
        ]
        Resource = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*" }
        }
      },
      {
        # Publishers to SNS topics encrypted with this key (EventBridge rules, CloudWatch alarms,
        # S3 event notifications) need a data key; only for resources of this account.
        Sid       = "NotificationServicesUseKey"
        Effect    = "Allow"
        Principal = { Service = var.key_service_principals }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

# S3 server access logging delivers only to SSE-S3 buckets, so this one bucket is AES256.
module "access_logs" {
  source = "../s3_bucket"

  bucket_name       = local.log_bucket_name
  kms_key_arn       = null
  access_log_bucket = null # the log bucket cannot usefully log to itself
  force_destroy     = var.force_destroy

  lifecycle_rules = [{
    id              = "access-logs-expire"
    expiration_days = var.access_log_retention_days
  }]
  noncurrent_version_expiration_days = 1
  spark_staging_cleanup              = { enabled = false }

  # With BucketOwnerEnforced, log delivery is authorised by bucket policy, limited to this
  # account's "<namespace>-<environment>-*" buckets. Other buckets log under "s3-access/<name>/".
  policy_statements = [{
    sid        = "S3ServerAccessLogsDelivery"
    effect     = "Allow"
    actions    = ["s3:PutObject"]
    resources  = ["arn:${local.partition}:s3:::${local.log_bucket_name}/*"]
    principals = [{ type = "Service", identifiers = ["logging.s3.amazonaws.com"] }]
    conditions = [
      # Any bucket of this namespace and environment (layer buckets, the guard's trail bucket, ...).
      { test = "ArnLike", variable = "aws:SourceArn", values = ["arn:${local.partition}:s3:::${local.prefix}-*"] },
      { test = "StringEquals", variable = "aws:SourceAccount", values = [local.account_id] },
    ]
  }]

  tags = var.tags
}

module "layer_bucket" {
  source   = "../s3_bucket"
  for_each = local.bucket_names

  bucket_name       = each.value
  kms_key_arn       = aws_kms_key.lakehouse.arn
  access_log_bucket = { bucket = module.access_logs.bucket_name, prefix = "s3-access/${each.key}/" }
  force_destroy     = var.force_destroy

  lifecycle_rules = contains(keys(local.layer_rules), each.key) ? [{
    id              = "${each.key}-ageing"
    transitions     = local.layer_rules[each.key]
    expiration_days = local.layer_settings[each.key].expiration_days > 0 ? local.layer_settings[each.key].expiration_days : null
  }] : []
  noncurrent_version_expiration_days = local.layer_settings[each.key].noncurrent_expiration_days
  spark_staging_cleanup              = { dataset_prefixes = lookup(var.spark_staging_dataset_prefixes, each.key, []) }

  tags = merge(var.tags, { layer = each.key })

  depends_on = [terraform_data.layer_lifecycle_checks]
}

# Files teams drop land here; the raw stage copies new ones into raw's immutable layout, so a drop
# can expire once raw holds it. Same encryption, public-access block, TLS-only policy and access
# logging as the layer buckets (modules/s3_bucket).
module "landing_bucket" {
  source = "../s3_bucket"
  count  = var.landing == null ? 0 : 1

  bucket_name       = local.landing_bucket_name
  kms_key_arn       = aws_kms_key.lakehouse.arn
  access_log_bucket = { bucket = module.access_logs.bucket_name, prefix = "s3-access/landing/" }
  force_destroy     = var.force_destroy
  lifecycle_rules = try(var.landing.expiration_days, 0) > 0 ? [{
    id              = "landing-expiry"
    expiration_days = var.landing.expiration_days
  }] : []

  tags = merge(var.tags, { layer = "landing" })
}

resource "aws_glue_catalog_database" "layer" {
  for_each = local.catalog_layerset

  name         = "${local.db_prefix}_${each.key}"
  description  = "${local.prefix} ${each.key} layer tables (s3://${local.bucket_names[each.key]}/)"
  location_uri = "s3://${local.bucket_names[each.key]}/"
  tags         = var.tags
}

resource "aws_ssm_parameter" "bucket_name" {
  #checkov:skip=CKV2_AWS_34:Bucket names are identifiers, not secrets; String lets any tool read them without kms:Decrypt.
  for_each = merge(local.bucket_names, { access_logs = local.log_bucket_name }, var.landing == null ? {} : { landing = local.landing_bucket_name })

  name        = "${local.param_prefix}/bucket/${each.key}"
  description = "${local.prefix}: S3 bucket of the ${each.key} layer"
  type        = "String"
  value       = each.value
  tags        = var.tags

  # Publish only once the bucket exists.
  depends_on = [module.layer_bucket, module.access_logs]
}

resource "aws_ssm_parameter" "kms_key_arn" {
  #checkov:skip=CKV2_AWS_34:A key ARN is an identifier, not a secret; String lets any tool read it without kms:Decrypt.
  name        = "${local.param_prefix}/kms_key_arn"
  description = "${local.prefix}: KMS key encrypting the lakehouse layer buckets"
  type        = "String"
  value       = aws_kms_key.lakehouse.arn
  tags        = var.tags
}

resource "aws_ssm_parameter" "glue_database" {
  #checkov:skip=CKV2_AWS_34:Database names are identifiers, not secrets; String lets any tool read them without kms:Decrypt.
  for_each = aws_glue_catalog_database.layer

  name        = "${local.param_prefix}/glue_database/${each.key}"
  description = "${local.prefix}: Glue catalog database of the ${each.key} layer"
  type        = "String"
  value       = each.value.name
  tags        = var.tags
}
