# One Glue job (Python shell or Spark) with its script and packages uploaded by content hash, its
# own least-privilege role, a security configuration and encrypted logs. Inputs: variables.tf.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  role_name            = "${var.name}-glue"
  security_config_name = "${var.name}-job"
  is_spark             = var.job_type == "glueetl"
  glue_version         = coalesce(var.glue_version, local.is_spark ? "5.0" : "3.0")

  key_prefix    = "${var.artifacts.prefix}${var.name}/"
  script_key    = "${local.key_prefix}${basename(var.script_path)}"
  extra_py_keys = { for f in var.extra_py_files : basename(f) => { source = f, key = "${local.key_prefix}${basename(f)}" } }
  temp_prefix   = "${var.artifacts.prefix}tmp/${var.name}/"

  # Spark logs go to groups this module owns (retention, KMS) instead of shared groups Glue creates
  # without either. Glue 5.0 always logs in real time to <prefix>/output and <prefix>/error, the
  # prefix set by --custom-logGroup-prefix (monitor-continuous-logging.html); the continuous-logging
  # arguments of Glue 4.0 and earlier (--enable-continuous-cloudwatch-log,
  # --continuous-log-logGroup) do not apply to it.
  log_group_prefix = "/aws-glue/jobs/${var.name}"
  is_glue5_spark   = local.is_spark && local.glue_version == "5.0"
  job_log_groups = (
    local.is_glue5_spark ? ["${local.log_group_prefix}/output", "${local.log_group_prefix}/error"] :
    local.is_spark ? [local.log_group_prefix] : []
  )
  logging_arguments = (
    local.is_glue5_spark ? { "--custom-logGroup-prefix" = local.log_group_prefix } :
    local.is_spark ? { "--enable-continuous-cloudwatch-log" = "true", "--continuous-log-logGroup" = local.log_group_prefix } : {}
  )

  module_arguments = merge(
    { "--job-language" = "python" },
    length(local.extra_py_keys) == 0 ? {} : {
      "--extra-py-files" = join(",", [for k in sort(keys(local.extra_py_keys)) : "s3://${var.artifacts.bucket_name}/${local.extra_py_keys[k].key}"])
    },
    # Metrics, log groups, bookmarks and a temp dir are Spark-job features; Python shell jobs log
    # to /aws-glue/python-jobs/* and support none of them.
    !local.is_spark ? {} : {
      "--enable-metrics"      = "true"
      "--job-bookmark-option" = var.job_bookmarks ? "job-bookmark-enable" : "job-bookmark-disable"
      "--TempDir"             = "s3://${var.artifacts.bucket_name}/${local.temp_prefix}"
      "--enable-spark-ui"     = "false"
    },
    local.logging_arguments,
  )
  default_arguments = merge(local.module_arguments, var.job_arguments)

  log_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:"
  # Log groups Glue writes for this job: with a security configuration, Glue names the driver
  # output/error groups after the role and the configuration (both owned by this job only).
  own_log_groups = concat(
    [
      "${local.log_arn_prefix}/aws-glue/jobs-${local.role_name}-${local.security_config_name}/*",
      "${local.log_arn_prefix}/aws-glue/python-jobs-${local.role_name}-${local.security_config_name}/*",
    ],
    flatten([for group in local.job_log_groups : ["${local.log_arn_prefix}${group}", "${local.log_arn_prefix}${group}:*"]]),
  )

  s3_read  = concat([{ bucket_arn = var.artifacts.bucket_arn, prefix = local.key_prefix }], var.data_access.read)
  s3_write = concat(local.is_spark ? [{ bucket_arn = var.artifacts.bucket_arn, prefix = local.temp_prefix }] : [], var.data_access.write)
  kms_keys = distinct(compact(concat([var.kms_key_arn, var.logs_kms_key_arn, var.artifacts.kms_key_arn], var.data_access.kms_key_arns)))

  statements = concat(
    [
      {
        Sid      = "ListOwnPrefixes"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = distinct([for p in concat(local.s3_read, local.s3_write) : p.bucket_arn])
        Condition = {
          StringLike = { "s3:prefix" = distinct(flatten([for p in concat(local.s3_read, local.s3_write) : [p.prefix, "${p.prefix}*"]])) }
        }
      },
      {
        Sid      = "ReadObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = distinct([for p in concat(local.s3_read, local.s3_write) : "${p.bucket_arn}/${p.prefix}*"])
      },
    ],
    length(local.s3_write) == 0 ? [] : [{
      # Delete: silver/gold snapshots are rebuilt in place (old objects removed after the write).
      Sid      = "WriteObjects"
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
      Resource = distinct([for p in local.s3_write : "${p.bucket_arn}/${p.prefix}*"])
    }],
    [
      {
        Sid      = "DataKeys"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
        Resource = local.kms_keys
      },
      {
        Sid      = "OwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
        Resource = local.own_log_groups
      },
      {
        # Job metrics; PutMetricData has no resource-level permissions, so the namespace
        # condition is the narrowing AWS offers.
        Sid       = "GlueMetrics"
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = "*"
        Condition = { StringEquals = { "cloudwatch:namespace" = "Glue" } }
      },
    ],
    [for s in var.policy_statements : { Sid = s.sid, Effect = "Allow", Action = s.actions, Resource = s.resources }],
  )
}

resource "aws_s3_object" "script" {
  bucket = var.artifacts.bucket_name
  key    = local.script_key
  source = var.script_path
  # source_hash, not etag: with SSE-KMS the object ETag is not the MD5, so an etag argument
  # would show a change on every plan. The MD5 of the content still triggers the upload.
  source_hash = fileexists(var.script_path) ? filemd5(var.script_path) : null
  kms_key_id  = var.artifacts.kms_key_arn
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = fileexists(var.script_path)
      error_message = "script_path ${var.script_path} does not exist: build the artifacts first (make package)."
    }
  }
}

resource "aws_s3_object" "extra_py_files" {
  for_each = local.extra_py_keys

  bucket      = var.artifacts.bucket_name
  key         = each.value.key
  source      = each.value.source
  source_hash = fileexists(each.value.source) ? filemd5(each.value.source) : null
  kms_key_id  = var.artifacts.kms_key_arn
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = fileexists(each.value.source)
      error_message = "extra_py_files entry ${each.value.source} does not exist: build the artifacts first (make package)."
    }
  }
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

resource "aws_cloudwatch_log_group" "job_logs" {
  #checkov:skip=CKV_AWS_338:Retention is the log_retention_days variable (default 30 days): these are debugging logs of a daily batch run, and a year of retention would cost more than the runs.
  for_each = toset(local.job_log_groups)

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

resource "aws_glue_job" "this" {
  name         = var.name
  description  = var.description
  role_arn     = module.role.arn
  glue_version = local.glue_version

  command {
    name            = var.job_type
    script_location = "s3://${var.artifacts.bucket_name}/${aws_s3_object.script.key}"
    python_version  = local.is_spark ? "3" : "3.9"
  }

  default_arguments = local.default_arguments

  max_capacity      = local.is_spark ? null : var.capacity.max_capacity
  worker_type       = local.is_spark ? var.capacity.worker_type : null
  number_of_workers = local.is_spark ? var.capacity.number_of_workers : null
  # Set explicitly for both types: left unset, the provider and the emulator disagree and every
  # plan shows a change.
  execution_class = var.execution_class
  timeout         = var.timeout_minutes
  max_retries     = var.max_retries

  security_configuration = aws_glue_security_configuration.this.name

  execution_property {
    # One run at a time: a second start while one runs is an orchestration error, not more work.
    max_concurrent_runs = 1
  }

  tags = var.tags

  depends_on = [module.role, aws_s3_object.extra_py_files]
}
