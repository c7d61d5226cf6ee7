data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  prefix     = "${var.namespace}-${var.environment}"
  src        = replace(var.source_name, "_", "-")
  base       = "${local.prefix}-${local.src}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  glue_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  ssm_prefix = "/${var.namespace}/${var.environment}/pipeline/${var.source_name}"

  buckets = var.storage.bucket_names
  arns    = var.storage.bucket_arns
  dbs     = var.storage.database_names
  # Every layer keeps a source under s3://<layer bucket>/<source>/.
  source_prefix = "${var.source_name}/"

  table_prefix = { bronze = "bronze_", silver = "silver_", gold = "gold_" }
  layer_datasets = {
    bronze = var.datasets
    silver = var.datasets
    gold   = var.gold_datasets
  }
  # Write-audit-publish: the silver job writes candidates under _candidate/<source>/ (the leading
  # underscore keeps Hive/Spark/Athena readers of the bucket away) and registers each as table
  # candidate_<dataset>; the quality gate evaluates that table, then the job publishes.
  candidate_prefix       = "_candidate/${local.source_prefix}"
  candidate_table_prefix = "candidate_"
  candidate_tables       = [for d in var.datasets : "${local.candidate_table_prefix}${d}"]
  # Quality gate: one ruleset per gated dataset, on that dataset's candidate table.
  dq_datasets    = sort(keys(var.data_quality.rules))
  dq_table_names = { for d in local.dq_datasets : d => "${local.candidate_table_prefix}${d}" }
  # ReferentialIntegrity "<col>" "<dataset>.<col>" checks against another dataset of the source:
  # the gate passes that dataset's candidate table as the run's additional data source, under the
  # alias <dataset>, and the evaluation role may read it (and nothing else).
  dq_references = {
    for d in local.dq_datasets : d => sort(distinct(flatten([
      for rule in var.data_quality.rules[d] : [
        for match in regexall("^\\s*ReferentialIntegrity\\s+\"[^\"]*\"\\s+\"([a-z][a-z0-9_]*)\\.", rule) : match[0]
      ]
    ])))
  }
  dq_read_datasets = sort(distinct(concat(local.dq_datasets, flatten(values(local.dq_references)))))

  # Landing datasets: list and read only their drop prefixes; the drops are encrypted with the
  # lakehouse key, decrypted only through S3.
  landing_prefixes = var.landing == null ? [] : [for d in var.landing.datasets : "${var.landing.prefix}${var.source_name}/${d}/"]
  landing_statements = var.landing == null ? [] : [
    {
      sid        = "ListLandingDrops"
      actions    = ["s3:ListBucket"]
      resources  = [var.landing.bucket_arn]
      conditions = [{ test = "StringLike", variable = "s3:prefix", values = flatten([for p in local.landing_prefixes : [p, "${p}*"]]) }]
    },
    {
      sid        = "ReadLandingDrops"
      actions    = ["s3:GetObject"]
      resources  = [for p in local.landing_prefixes : "${var.landing.bucket_arn}/${p}*"]
      conditions = []
    },
    {
      sid        = "DecryptLandingDrops"
      actions    = ["kms:Decrypt"]
      resources  = [var.storage.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = ["s3.${local.region}.amazonaws.com"] }]
    },
  ]

  topic_statements = [
    {
      sid        = "PublishFailures"
      actions    = ["sns:Publish"]
      resources  = [var.notifications.failure_topic_arn]
      conditions = []
    },
    {
      # Topics are KMS-encrypted: publishing needs a data key.
      sid        = "NotificationKey"
      actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources  = [var.notifications.kms_key_arn]
      conditions = []
    },
  ]
  data_key_statement = {
    sid        = "LakehouseKey"
    actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources  = [var.storage.kms_key_arn]
    conditions = []
  }
}

# ---------------------------------------------------------------------------------------------
# Parameter Store: endpoints (read by the raw function at run time) and the workflow ARN.
# ---------------------------------------------------------------------------------------------
resource "aws_ssm_parameter" "endpoints" {
  #checkov:skip=CKV2_AWS_34:Public source URLs, not secrets; a String keeps them readable to other teams without KMS grants.
  name        = "${local.ssm_prefix}/endpoints"
  description = "Endpoint per dataset of ${var.source_name} (JSON {dataset: url})."
  type        = "String"
  value       = jsonencode(var.endpoints)
  tags        = var.tags
}

resource "aws_ssm_parameter" "workflow_arn" {
  #checkov:skip=CKV2_AWS_34:An ARN, not a secret.
  name        = "${local.ssm_prefix}/workflow_arn"
  description = "ARN of the ${var.source_name} medallion workflow."
  type        = "String"
  value       = module.workflow.arn
  tags        = var.tags
}

# ---------------------------------------------------------------------------------------------
# Source credentials: an empty secret encrypted with the data key (the value never passes through
# Terraform state: an operator stores it with put-secret-value), or a secret the caller owns.
# ---------------------------------------------------------------------------------------------
resource "aws_secretsmanager_secret" "credentials" {
  count = var.credentials != null && try(var.credentials.secret_arn, null) == null ? 1 : 0
  #checkov:skip=CKV2_AWS_57:A WordPress application password is issued and revoked in WordPress by a person; there is no API a rotation function could call.

  name                    = "${var.namespace}/${var.environment}/pipeline/${var.source_name}/credentials"
  description             = "HTTP Basic credentials of ${var.source_name} for the raw function: JSON {\"username\", \"application_password\"}."
  kms_key_id              = var.storage.kms_key_arn
  recovery_window_in_days = var.force_destroy ? 0 : 7
  tags                    = var.tags
}

locals {
  # null: the source has no credentials; its raw function gets no secret and no grant to read one.
  credentials_secret_arn = var.credentials == null ? null : coalesce(try(var.credentials.secret_arn, null), try(aws_secretsmanager_secret.credentials[0].arn, null))
  credentials_key_arn    = var.credentials == null ? null : coalesce(try(var.credentials.kms_key_arn, null), var.storage.kms_key_arn)
  credentials_statements = var.credentials == null ? [] : [
    {
      sid        = "ReadCredentials"
      actions    = ["secretsmanager:GetSecretValue"]
      resources  = [local.credentials_secret_arn]
      conditions = []
    },
    {
      # Secrets Manager decrypts the secret with the caller's permission, and only through it.
      sid        = "DecryptCredentials"
      actions    = ["kms:Decrypt"]
      resources  = [local.credentials_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = ["secretsmanager.${local.region}.amazonaws.com"] }]
    },
  ]
}

# ---------------------------------------------------------------------------------------------
# Artifacts bucket: scripts, the shared package and Spark's temp dir. Kept apart from the layer
# buckets so data lifecycle rules (raw expiry) and crawlers never touch code.
# ---------------------------------------------------------------------------------------------
module "artifacts" {
  source = "../s3_bucket"

  bucket_name       = "${local.base}-artifacts-${local.account_id}"
  kms_key_arn       = var.storage.kms_key_arn
  access_log_bucket = { bucket = var.storage.access_log_bucket_name, prefix = "artifacts/${var.source_name}/" }
  force_destroy     = var.force_destroy
  lifecycle_rules = [{
    id              = "expire-glue-temp"
    prefix          = "glue/tmp/"
    expiration_days = 7
  }]
  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# Lambda functions
# ---------------------------------------------------------------------------------------------
module "raw_function" {
  source = "../lambda_function"

  name                           = "${local.prefix}-raw-${local.src}"
  description                    = "Raw: fetch ${var.source_name} datasets into s3://${local.buckets.raw}/${local.source_prefix}"
  filename                       = var.lambdas.raw.filename
  source_code_hash               = var.lambdas.raw.source_code_hash
  handler                        = var.lambdas.raw.handler
  runtime                        = var.lambdas.runtime
  architecture                   = var.lambdas.architecture
  memory_size                    = var.lambdas.memory_size
  timeout                        = var.lambdas.timeout
  reserved_concurrent_executions = var.lambdas.reserved
  tracing_mode                   = "Active" # first 100k traces a month are free; shows where a run spends time
  aws_sdk_pandas_layer           = { enabled = var.lambdas.layer_enabled, version = var.lambdas.layer_version, arn = var.lambdas.layer_arn }
  failure_topic_arn              = var.notifications.failure_topic_arn
  kms_key_arn                    = var.notifications.kms_key_arn
  log_retention_days             = var.log_retention_days
  environment_variables = merge({
    RAW_BUCKET           = local.buckets.raw
    SOURCE_NAME          = var.source_name
    ENDPOINTS_PARAMETER  = aws_ssm_parameter.endpoints.name
    INCREMENTAL_DATASETS = join(",", var.incremental.datasets)
    LOOKBACK_DAYS        = tostring(var.incremental.lookback_days)
    FAILURE_TOPIC_ARN    = var.notifications.failure_topic_arn
    }, var.credentials == null ? {} : {
    CREDENTIALS_SECRET_ARN = local.credentials_secret_arn
    }, var.landing == null ? {} : {
    LANDING_BUCKET = var.landing.bucket_name
    LANDING_PREFIX = var.landing.prefix
  })
  policy_statements = concat(
    [
      {
        sid        = "ReadEndpoints"
        actions    = ["ssm:GetParameter"]
        resources  = [aws_ssm_parameter.endpoints.arn]
        conditions = []
      },
      {
        sid        = "ListRawSource"
        actions    = ["s3:ListBucket"]
        resources  = [local.arns.raw]
        conditions = [{ test = "StringLike", variable = "s3:prefix", values = [local.source_prefix, "${local.source_prefix}*"] }]
      },
      {
        # Raw is immutable history: put only, no delete.
        sid        = "WriteRawSource"
        actions    = ["s3:PutObject"]
        resources  = ["${local.arns.raw}/${local.source_prefix}*"]
        conditions = []
      },
      {
        # A single-part PutObject under SSE-KMS needs a data key only; raw never reads S3
        # objects but landing drops, so kms:Decrypt on the data key is granted only via Secrets
        # Manager (credentials_statements) and via S3 for the landing prefixes (landing_statements).
        sid        = "LakehouseKeyEncrypt"
        actions    = ["kms:GenerateDataKey"]
        resources  = [var.storage.kms_key_arn]
        conditions = []
      },
    ],
    local.credentials_statements,
    local.landing_statements,
    local.topic_statements,
  )
  tags = var.tags
}

module "bronze_function" {
  source = "../lambda_function"

  name                           = "${local.prefix}-bronze-${local.src}"
  description                    = "Bronze: raw JSON of one ingest date -> Parquet partition in s3://${local.buckets.bronze}/${local.source_prefix}"
  filename                       = var.lambdas.bronze.filename
  source_code_hash               = var.lambdas.bronze.source_code_hash
  handler                        = var.lambdas.bronze.handler
  runtime                        = var.lambdas.runtime
  architecture                   = var.lambdas.architecture
  memory_size                    = var.lambdas.memory_size
  timeout                        = var.lambdas.timeout
  reserved_concurrent_executions = var.lambdas.reserved
  tracing_mode                   = "Active" # first 100k traces a month are free; shows where a run spends time
  aws_sdk_pandas_layer           = { enabled = var.lambdas.layer_enabled, version = var.lambdas.layer_version, arn = var.lambdas.layer_arn }
  failure_topic_arn              = var.notifications.failure_topic_arn
  kms_key_arn                    = var.notifications.kms_key_arn
  log_retention_days             = var.log_retention_days
  environment_variables = {
    RAW_BUCKET           = local.buckets.raw
    BRONZE_BUCKET        = local.buckets.bronze
    SOURCE_NAME          = var.source_name
    DATASETS             = join(",", var.datasets)
    INCREMENTAL_DATASETS = join(",", var.incremental.datasets)
    FAILURE_TOPIC_ARN    = var.notifications.failure_topic_arn
  }
  policy_statements = concat(
    [
      {
        sid        = "ListSourcePrefixes"
        actions    = ["s3:ListBucket"]
        resources  = [local.arns.raw, local.arns.bronze]
        conditions = [{ test = "StringLike", variable = "s3:prefix", values = [local.source_prefix, "${local.source_prefix}*"] }]
      },
      {
        sid        = "ReadRawSource"
        actions    = ["s3:GetObject"]
        resources  = ["${local.arns.raw}/${local.source_prefix}*"]
        conditions = []
      },
      {
        # Delete: re-running a date replaces that ingest_date partition.
        sid        = "WriteBronzeSource"
        actions    = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        resources  = ["${local.arns.bronze}/${local.source_prefix}*"]
        conditions = []
      },
      local.data_key_statement,
    ],
    local.topic_statements,
  )
  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# Glue jobs
# ---------------------------------------------------------------------------------------------
locals {
  artifacts = {
    bucket_name = module.artifacts.bucket_name
    bucket_arn  = module.artifacts.bucket_arn
    prefix      = "glue/"
    kms_key_arn = var.storage.kms_key_arn
  }
  job_topic_statements = [for s in local.topic_statements : { sid = s.sid, actions = s.actions, resources = s.resources }]
  # A team's silver hook package rides the same --extra-py-files as the shared package.
  silver_hooks          = var.glue_scripts.silver_hooks
  silver_extra_py_files = concat([var.glue_scripts.common_package], local.silver_hooks == null ? [] : [local.silver_hooks.package])
}

module "silver_job" {
  source = "../glue_job"

  name             = "${local.prefix}-silver-${local.src}"
  description      = "Silver: bronze ${var.source_name} -> cleaned current snapshot (Python shell)"
  job_type         = "pythonshell"
  script_path      = var.glue_scripts.silver
  extra_py_files   = local.silver_extra_py_files
  artifacts        = local.artifacts
  capacity         = { max_capacity = var.silver_job.max_capacity }
  execution_class  = "STANDARD"
  timeout_minutes  = var.silver_job.timeout_minutes
  max_retries      = 0
  kms_key_arn      = var.storage.kms_key_arn
  logs_kms_key_arn = var.notifications.kms_key_arn
  job_arguments = merge({
    # Python shell's preinstalled analytics set provides pandas/awswrangler (no pip install at
    # start-up, which would be billed).
    "library-set"         = "analytics"
    "--bronze_bucket"     = local.buckets.bronze
    "--silver_bucket"     = local.buckets.silver
    "--source_name"       = var.source_name
    "--datasets"          = join(",", var.datasets)
    "--failure_topic_arn" = var.notifications.failure_topic_arn
    # The workflow passes --stage write / --stage publish; a run started by hand writes candidates only.
    "--candidate_database"     = local.dbs.silver
    "--candidate_table_prefix" = local.candidate_table_prefix
    },
    # Incremental datasets: silver merges each increment into the previous snapshot by key.
    length(var.incremental.datasets) == 0 ? {} : { "--merge_datasets" = join(",", var.incremental.datasets) },
    local.silver_hooks == null ? {} : { "--hooks_module" = local.silver_hooks.module },
  var.silver_job.arguments)
  data_access = {
    read = [{ bucket_arn = local.arns.bronze, prefix = local.source_prefix }]
    write = [
      { bucket_arn = local.arns.silver, prefix = local.source_prefix },
      { bucket_arn = local.arns.silver, prefix = local.candidate_prefix },
    ]
    kms_key_arns = [var.storage.kms_key_arn]
  }
  policy_statements = concat(local.job_topic_statements, [
    {
      # Publish copies the exact candidate version the quality gate evaluated (versioned bucket).
      sid       = "ReadAuditedCandidateVersions"
      actions   = ["s3:GetObjectVersion"]
      resources = ["${local.arns.silver}/${local.candidate_prefix}*"]
    },
    {
      # The write stage registers each candidate as a table (schema = what it wrote) for the gate.
      sid     = "RegisterCandidateTables"
      actions = ["glue:CreateTable", "glue:UpdateTable"]
      resources = concat(
        ["${local.glue_arn}:catalog", "${local.glue_arn}:database/${local.dbs.silver}"],
        [for t in local.candidate_tables : "${local.glue_arn}:table/${local.dbs.silver}/${t}"],
      )
    },
  ])
  log_retention_days = var.log_retention_days
  tags               = var.tags
}

module "gold_job" {
  source = "../glue_job"

  name             = "${local.prefix}-gold-${local.src}"
  description      = "Gold: silver ${var.source_name} -> ${join(", ", var.gold_datasets)} (Spark)"
  job_type         = "glueetl"
  script_path      = var.glue_scripts.gold
  extra_py_files   = [var.glue_scripts.common_package]
  artifacts        = local.artifacts
  capacity         = { worker_type = var.gold_job.worker_type, number_of_workers = var.gold_job.number_of_workers }
  execution_class  = var.gold_job.execution_class
  timeout_minutes  = var.gold_job.timeout_minutes
  max_retries      = 0
  job_bookmarks    = false # gold is rebuilt from the whole silver snapshot every run
  kms_key_arn      = var.storage.kms_key_arn
  logs_kms_key_arn = var.notifications.kms_key_arn
  job_arguments = merge({
    "--silver_bucket"     = local.buckets.silver
    "--gold_bucket"       = local.buckets.gold
    "--source_name"       = var.source_name
    "--failure_topic_arn" = var.notifications.failure_topic_arn
  }, var.gold_job.arguments)
  data_access = {
    read         = [{ bucket_arn = local.arns.silver, prefix = local.source_prefix }]
    write        = [{ bucket_arn = local.arns.gold, prefix = local.source_prefix }]
    kms_key_arns = [var.storage.kms_key_arn]
  }
  policy_statements  = local.job_topic_statements
  log_retention_days = var.log_retention_days
  tags               = var.tags
}

# ---------------------------------------------------------------------------------------------
# Crawlers: one per catalogued layer, one S3 target (= one table) per dataset.
# ---------------------------------------------------------------------------------------------
module "crawler" {
  source   = "../glue_crawler"
  for_each = local.layer_datasets

  name          = "${local.prefix}-${each.key}-${local.src}"
  description   = "Catalogues ${each.key} ${var.source_name} tables (${local.table_prefix[each.key]}<dataset>)"
  database_name = local.dbs[each.key]
  table_prefix  = local.table_prefix[each.key]
  s3_targets    = [for d in each.value : { bucket_name = local.buckets[each.key], prefix = "${local.source_prefix}${d}/" }]
  # Bronze only ever gains ingest_date folders: crawl just those. Silver/gold snapshots are
  # rewritten in place, so a crawl must re-read them (and is only run when asked or missing).
  recrawl_behavior     = each.key == "bronze" ? var.crawlers.bronze_recrawl_behavior : "CRAWL_EVERYTHING"
  schema_change_policy = each.key == "bronze" && var.crawlers.bronze_recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY" ? { update_behavior = "LOG", delete_behavior = "LOG" } : { update_behavior = "UPDATE_IN_DATABASE", delete_behavior = "LOG" }
  kms_key_arn          = var.storage.kms_key_arn
  logs_kms_key_arn     = var.notifications.kms_key_arn
  data_kms_key_arns    = [var.storage.kms_key_arn]
  tags                 = var.tags
}

# ---------------------------------------------------------------------------------------------
# Data quality: the DQDL ruleset and the role its evaluation runs under.
# ---------------------------------------------------------------------------------------------
resource "aws_glue_data_quality_ruleset" "silver" {
  for_each = var.data_quality.rules

  name        = "${local.prefix}-silver-${local.src}-${replace(each.key, "_", "-")}-quality"
  description = "Silver ${var.source_name} ${each.key} candidate (before publish)."
  ruleset     = "Rules = [\n    ${join(",\n    ", each.value)}\n]"

  target_table {
    database_name = local.dbs.silver
    table_name    = local.dq_table_names[each.key]
  }

  tags = var.tags
}

module "data_quality_role" {
  source = "../iam_service_role"

  name        = "${local.prefix}-silver-${local.src}-dq"
  service     = "glue.amazonaws.com"
  policy_name = "least-privilege"
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ReadCandidateTable"
        Effect = "Allow"
        Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"]
        Resource = concat(
          ["${local.glue_arn}:catalog", "${local.glue_arn}:database/${local.dbs.silver}"],
          [for d in local.dq_read_datasets : "${local.glue_arn}:table/${local.dbs.silver}/${local.candidate_table_prefix}${d}"],
        )
      },
      {
        Sid      = "UseRuleset"
        Effect   = "Allow"
        Action   = ["glue:GetDataQualityRuleset", "glue:PublishDataQuality"]
        Resource = [for d in local.dq_datasets : aws_glue_data_quality_ruleset.silver[d].arn]
      },
      {
        Sid       = "ListCandidateDataset"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [local.arns.silver]
        Condition = { StringLike = { "s3:prefix" = flatten([for d in local.dq_read_datasets : ["${local.candidate_prefix}${d}/", "${local.candidate_prefix}${d}/*"]]) } }
      },
      {
        Sid      = "ReadCandidateDataset"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = [for d in local.dq_read_datasets : "${local.arns.silver}/${local.candidate_prefix}${d}/*"]
      },
      {
        Sid      = "LakehouseKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.storage.kms_key_arn]
      },
      {
        Sid      = "OwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/data-quality/*"]
      },
    ]
  })
  tags = var.tags
}

# ---------------------------------------------------------------------------------------------
# The workflow
# ---------------------------------------------------------------------------------------------
locals {
  crawler_arns = { for k, m in module.crawler : k => m.arn }

  # Each Task names the Retry policy of the service it calls ("Retry": "${retry_glue_job}"): the
  # transient errors of a service are listed once (retry_errors.json), the backoff once here.
  retry_policies = {
    for service, errors in jsondecode(file("${path.module}/retry_errors.json")) : "retry_${service}" => [{
      ErrorEquals     = errors
      IntervalSeconds = var.workflow.retry_interval_seconds
      MaxAttempts     = var.workflow.retry_max_attempts
      BackoffRate     = 2
      JitterStrategy  = "FULL"
    }]
  }

  definition_vars = merge(local.retry_policies, {
    pipeline_name                   = local.base
    source_name                     = var.source_name
    raw_function_arn                = module.raw_function.arn
    bronze_function_arn             = module.bronze_function.arn
    lambda_task_timeout_seconds     = var.lambdas.timeout + 30
    workflow_timeout_seconds        = var.workflow.timeout_seconds
    bronze_database                 = local.dbs.bronze
    silver_database                 = local.dbs.silver
    gold_database                   = local.dbs.gold
    bronze_table_prefix             = local.table_prefix.bronze
    silver_table_prefix             = local.table_prefix.silver
    gold_table_prefix               = local.table_prefix.gold
    bronze_table_count              = length(local.layer_datasets.bronze)
    silver_table_count              = length(local.layer_datasets.silver)
    gold_table_count                = length(local.layer_datasets.gold)
    bronze_crawler_name             = module.crawler["bronze"].name
    silver_crawler_name             = module.crawler["silver"].name
    gold_crawler_name               = module.crawler["gold"].name
    crawl_bronze                    = var.crawlers.every_run.bronze
    crawl_silver                    = var.crawlers.every_run.silver
    crawl_gold                      = var.crawlers.every_run.gold
    crawler_poll_seconds            = var.workflow.crawler_poll_seconds
    crawler_max_polls               = var.workflow.crawler_max_polls
    silver_job_name                 = module.silver_job.name
    gold_job_name                   = module.gold_job.name
    silver_job_task_timeout_seconds = var.silver_job.timeout_minutes * 60 + 300
    gold_job_task_timeout_seconds   = var.gold_job.timeout_minutes * 60 + 900
    dq_gates = [for d in local.dq_datasets : {
      dataset       = d
      table         = local.dq_table_names[d]
      ruleset_names = [aws_glue_data_quality_ruleset.silver[d].name]
      additional_data_sources = {
        for ref in local.dq_references[d] : ref => { GlueTable = { DatabaseName = local.dbs.silver, TableName = "${local.candidate_table_prefix}${ref}" } }
      }
    }]
    dq_max_concurrency   = var.data_quality.max_concurrency
    dq_role_arn          = module.data_quality_role.arn
    dq_number_of_workers = var.data_quality.number_of_workers
    dq_timeout_minutes   = var.data_quality.timeout_minutes
    dq_poll_seconds      = var.workflow.dq_poll_seconds
    dq_max_polls         = var.workflow.dq_max_polls
    success_topic_arn    = var.notifications.success_topic_arn
    failure_topic_arn    = var.notifications.failure_topic_arn
  })
}

# Exactly the calls the definition makes, on exactly their resources (tests/unit/test_pipeline_iam.py
# derives the calls from the rendered definition and checks these statements against them).
module "workflow_iam" {
  source = "./workflow_iam"

  glue_arn_prefix  = local.glue_arn
  function_arns    = [module.raw_function.arn, module.bronze_function.arn]
  job_arns         = [module.silver_job.arn, module.gold_job.arn]
  crawler_arns     = [for l in ["bronze", "silver", "gold"] : local.crawler_arns[l]]
  database_names   = [for l in ["bronze", "silver", "gold"] : local.dbs[l]]
  ruleset_arns     = [for d in local.dq_datasets : aws_glue_data_quality_ruleset.silver[d].arn]
  quality_role_arn = module.data_quality_role.arn
  topic_arns       = [var.notifications.success_topic_arn, var.notifications.failure_topic_arn]
}

module "workflow" {
  source = "../state_machine"

  name               = "${local.base}-pipeline"
  definition_file    = "${path.module}/definition.asl.json"
  definition_vars    = local.definition_vars
  policy_statements  = module.workflow_iam.statements
  log_retention_days = var.log_retention_days
  failure_topic_arn  = var.notifications.failure_topic_arn
  kms_key_arn        = var.notifications.kms_key_arn
  tags               = var.tags
}

# ---------------------------------------------------------------------------------------------
# Schedule: EventBridge Scheduler -> StartExecution, retries, dead-letter queue + alarm.
# ---------------------------------------------------------------------------------------------
resource "aws_sqs_queue" "schedule_dlq" {
  name                              = "${local.base}-schedule-dlq"
  kms_master_key_id                 = var.notifications.kms_key_arn
  kms_data_key_reuse_period_seconds = 3600
  message_retention_seconds         = 1209600 # 14 days: time to notice and replay a missed start
  tags                              = var.tags
}

module "scheduler_role" {
  source = "../iam_service_role"

  name        = "${local.base}-scheduler"
  service     = "scheduler.amazonaws.com"
  policy_name = "least-privilege"
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "StartWorkflow", Effect = "Allow", Action = ["states:StartExecution"], Resource = [module.workflow.arn] },
      { Sid = "DeadLetter", Effect = "Allow", Action = ["sqs:SendMessage"], Resource = [aws_sqs_queue.schedule_dlq.arn] },
      { Sid = "DeadLetterKey", Effect = "Allow", Action = ["kms:GenerateDataKey", "kms:Decrypt"], Resource = [var.notifications.kms_key_arn] },
    ]
  })
  tags = var.tags
}

resource "aws_scheduler_schedule" "daily" {
  name                         = "${local.base}-daily"
  description                  = "Starts the ${var.source_name} medallion workflow."
  schedule_expression          = var.schedule.expression
  schedule_expression_timezone = var.schedule.timezone
  state                        = var.schedule.enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = var.notifications.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.workflow.arn
    role_arn = module.scheduler_role.arn
    # The workflow derives ingest_date (YYYY-MM-DD) from the scheduled time.
    # A literal string: jsonencode() would escape < and > as \u003c/\u003e, and Scheduler only
    # replaces the placeholder where it appears verbatim.
    input = "{\"scheduled_time\":\"<aws.scheduler.scheduled-time>\"}"

    retry_policy {
      maximum_retry_attempts       = var.schedule.maximum_retry_attempts
      maximum_event_age_in_seconds = var.schedule.maximum_event_age
    }

    dead_letter_config {
      arn = aws_sqs_queue.schedule_dlq.arn
    }
  }

  depends_on = [module.scheduler_role]
}

resource "aws_cloudwatch_metric_alarm" "schedule_dlq" {
  alarm_name          = "${local.base}-schedule-dlq"
  alarm_description   = "A scheduled start of the ${var.source_name} workflow failed and was dead-lettered."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.schedule_dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.notifications.failure_topic_arn]
  tags                = var.tags
}
