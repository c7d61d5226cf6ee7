# A Glue crawler over one S3 folder per dataset (one table each) into a catalog database, with its
# own least-privilege role, encrypted logs and schema-change policy. Inputs: variables.tf.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  role_name            = "${var.name}-crawler"
  security_config_name = "${var.name}-crawler"
  glue_arn_prefix      = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  log_arn_prefix       = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:"
  targets              = [for t in var.s3_targets : merge(t, { bucket_arn = "arn:${local.partition}:s3:::${t.bucket_name}" })]

  statements = [
    {
      Sid      = "ListTargets"
      Effect   = "Allow"
      Action   = ["s3:ListBucket"]
      Resource = distinct([for t in local.targets : t.bucket_arn])
      Condition = {
        StringLike = { "s3:prefix" = distinct(flatten([for t in local.targets : [t.prefix, "${t.prefix}*"]])) }
      }
    },
    {
      Sid      = "ReadTargets"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = [for t in local.targets : "${t.bucket_arn}/${t.prefix}*"]
    },
    {
      # The catalog, its database and only the tables with this crawler's prefix.
      Sid    = "CatalogTables"
      Effect = "Allow"
      Action = [
        "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
        "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:CreatePartition",
        "glue:BatchCreatePartition", "glue:UpdatePartition", "glue:BatchUpdatePartition",
      ]
      Resource = [
        "${local.glue_arn_prefix}:catalog",
        "${local.glue_arn_prefix}:database/${var.database_name}",
        "${local.glue_arn_prefix}:table/${var.database_name}/${var.table_prefix}*",
      ]
    },
    {
      # Crawler logs: the shared /aws-glue/crawlers group (stream = crawler name) or, encrypted,
      # the group Glue names after this role and security configuration.
      Sid    = "OwnLogs"
      Effect = "Allow"
      Action = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
      Resource = [
        "${local.log_arn_prefix}/aws-glue/crawlers:log-stream:${var.name}",
        "${local.log_arn_prefix}/aws-glue/crawlers-role/${local.role_name}-${local.security_config_name}",
        "${local.log_arn_prefix}/aws-glue/crawlers-role/${local.role_name}-${local.security_config_name}:log-stream:${var.name}",
      ]
    },
    {
      Sid      = "DataKeys"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = distinct(concat([var.kms_key_arn, var.logs_kms_key_arn], var.data_kms_key_arns))
    },
  ]
}

module "role" {
  source = "../iam_service_role"

  name        = local.role_name
  service     = "glue.amazonaws.com"
  policy_name = "least-privilege"
  policy_json = jsonencode({ Version = "2012-10-17", Statement = local.statements })
  tags        = var.tags
}

resource "aws_glue_security_configuration" "this" {
  name = local.security_config_name

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.logs_kms_key_arn
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

resource "aws_glue_crawler" "this" {
  name                   = var.name
  description            = var.description
  role                   = module.role.arn
  database_name          = var.database_name
  table_prefix           = var.table_prefix
  security_configuration = aws_glue_security_configuration.this.name

  dynamic "s3_target" {
    for_each = local.targets
    content {
      path       = "s3://${s3_target.value.bucket_name}/${s3_target.value.prefix}"
      exclusions = s3_target.value.exclusions
    }
  }

  schema_change_policy {
    update_behavior = var.schema_change_policy.update_behavior
    delete_behavior = var.schema_change_policy.delete_behavior
  }

  recrawl_policy {
    recrawl_behavior = var.recrawl_behavior
  }

  # One table per target folder; new partitions inherit the table's schema so daily
  # ingest_date folders do not fork into new tables.
  configuration = jsonencode({
    Version  = 1.0
    Grouping = { TableGroupingPolicy = "CombineCompatibleSchemas" }
    CrawlerOutput = {
      Partitions = { AddOrUpdateBehavior = "InheritFromTable" }
    }
  })

  tags = var.tags

  depends_on = [module.role]
}
