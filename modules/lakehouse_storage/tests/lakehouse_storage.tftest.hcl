# Plan-level tests: names, per-layer default ageing, overrides, key policy, catalog, parameters and
# every refused input.
mock_provider "aws" {
  source          = "../../tests/terraform/mocks/aws"
  override_during = plan

  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      key_id = "11111111-2222-3333-4444-555555555555"
    }
  }
}

variables {
  namespace   = "frugal"
  environment = "dev"
}

run "defaults_per_layer" {
  command = plan

  assert {
    condition = output.bucket_names == {
      raw    = "frugal-dev-raw-123456789012"
      bronze = "frugal-dev-bronze-123456789012"
      silver = "frugal-dev-silver-123456789012"
      gold   = "frugal-dev-gold-123456789012"
    }
    error_message = "bucket names must be <namespace>-<environment>-<layer>-<account id>"
  }
  assert {
    condition     = output.access_log_bucket_name == "frugal-dev-access-logs-123456789012"
    error_message = "access-log bucket name"
  }
  assert {
    condition = jsonencode([for r in output.lifecycle_rules["raw"] : r if r.id == "raw-ageing"][0]) == jsonencode({
      id                           = "raw-ageing"
      prefix                       = ""
      enabled                      = true
      transitions                  = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 90, storage_class = "GLACIER_IR" }]
      expiration_days              = 730
      expired_object_delete_marker = null
      noncurrent_transitions       = []
      noncurrent_expiration_days   = null
      abort_incomplete_upload_days = null
    })
    error_message = "raw: IA at 30, Glacier IR at 90, expire at retention_days (730)"
  }
  assert {
    condition     = jsonencode([for r in output.lifecycle_rules["bronze"] : r.transitions if r.id == "bronze-ageing"][0]) == jsonencode([{ days = 30, storage_class = "STANDARD_IA" }, { days = 90, storage_class = "GLACIER_IR" }]) && [for r in output.lifecycle_rules["bronze"] : r.expiration_days if r.id == "bronze-ageing"][0] == 730
    error_message = "bronze: IA at 30, Glacier IR at 90, expire at 730"
  }
  assert {
    condition     = jsonencode([for r in output.lifecycle_rules["silver"] : r.transitions if r.id == "silver-ageing"][0]) == jsonencode([{ days = 30, storage_class = "STANDARD_IA" }]) && [for r in output.lifecycle_rules["silver"] : r.expiration_days if r.id == "silver-ageing"][0] == null
    error_message = "silver: IA at 30 only, never expires"
  }
  assert {
    condition     = jsonencode([for r in output.lifecycle_rules["gold"] : r.transitions if r.id == "gold-ageing"][0]) == jsonencode([{ days = 90, storage_class = "STANDARD_IA" }]) && [for r in output.lifecycle_rules["gold"] : r.expiration_days if r.id == "gold-ageing"][0] == null
    error_message = "gold: IA at 90 only, never expires"
  }
  assert {
    condition = alltrue([for layer in ["raw", "bronze", "silver", "gold"] :
      [for r in output.lifecycle_rules[layer] : r.id] == ["abort-incomplete-and-noncurrent", "spark-staging-root", "${layer}-ageing"] &&
      output.lifecycle_rules[layer][0].noncurrent_expiration_days == 30 && output.lifecycle_rules[layer][0].abort_incomplete_upload_days == 7
    ])
    error_message = "every layer: abort/noncurrent(30) rule, root spark-staging rule, then its ageing rule"
  }
  assert {
    condition     = [for r in output.lifecycle_rules["access_logs"] : r.id] == ["abort-incomplete-and-noncurrent", "access-logs-expire"] && output.lifecycle_rules["access_logs"][1].expiration_days == 90
    error_message = "access logs expire after 90 days and have no spark-staging rule"
  }
  assert {
    condition     = output.database_names == { bronze = "frugal_dev_bronze", silver = "frugal_dev_silver", gold = "frugal_dev_gold" }
    error_message = "Glue databases for bronze, silver and gold with underscores"
  }
  assert {
    condition     = aws_glue_catalog_database.layer["gold"].location_uri == "s3://frugal-dev-gold-123456789012/"
    error_message = "database location must be the layer bucket"
  }
  assert {
    condition = output.parameter_names == {
      "bucket/raw"           = "/frugal/dev/storage/bucket/raw"
      "bucket/bronze"        = "/frugal/dev/storage/bucket/bronze"
      "bucket/silver"        = "/frugal/dev/storage/bucket/silver"
      "bucket/gold"          = "/frugal/dev/storage/bucket/gold"
      "bucket/access_logs"   = "/frugal/dev/storage/bucket/access_logs"
      kms_key_arn            = "/frugal/dev/storage/kms_key_arn"
      "glue_database/bronze" = "/frugal/dev/storage/glue_database/bronze"
      "glue_database/silver" = "/frugal/dev/storage/glue_database/silver"
      "glue_database/gold"   = "/frugal/dev/storage/glue_database/gold"
    }
    error_message = "parameters published under /<namespace>/<env>/storage/"
  }
  assert {
    condition     = aws_ssm_parameter.bucket_name["silver"].value == "frugal-dev-silver-123456789012" && aws_ssm_parameter.kms_key_arn.value == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "parameters must hold the bucket name and key ARN"
  }
  assert {
    condition     = aws_kms_key.lakehouse.enable_key_rotation && aws_kms_key.lakehouse.deletion_window_in_days == 30
    error_message = "key rotation on, 30-day deletion window by default"
  }
  assert {
    condition = (
      [for s in jsondecode(aws_kms_key.lakehouse.policy).Statement : s.Sid] == ["AccountAdministersKey", "AccountRolesUseKey", "AccountRolesGrantToAwsServices", "CloudWatchLogsUseKey", "NotificationServicesUseKey"] &&
      alltrue([for s in jsondecode(aws_kms_key.lakehouse.policy).Statement : alltrue([for a in s.Action : a != "*" && a != "kms:*"])]) &&
      jsondecode(aws_kms_key.lakehouse.policy).Statement[3].Principal.Service == "logs.eu-west-1.amazonaws.com" &&
      jsondecode(aws_kms_key.lakehouse.policy).Statement[4].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    )
    error_message = "key policy: account admin + use, grants for AWS resources, CloudWatch Logs, notification services; no wildcard actions"
  }
  assert {
    condition = (
      jsondecode(output.bucket_policies["access_logs"]).Statement[1].Principal.Service == ["logging.s3.amazonaws.com"] &&
      jsondecode(output.bucket_policies["access_logs"]).Statement[1].Condition.ArnLike["aws:SourceArn"] == ["arn:aws:s3:::frugal-dev-*"] &&
      jsondecode(output.bucket_policies["access_logs"]).Statement[1].Condition.StringEquals["aws:SourceAccount"] == ["123456789012"] &&
      jsondecode(output.bucket_policies["access_logs"]).Statement[1].Action == ["s3:PutObject"]
    )
    error_message = "log bucket policy lets S3 log delivery write, only for this account's frugal-dev-* buckets"
  }
}

run "overrides_per_layer" {
  command = plan

  variables {
    retention_days                     = 400
    noncurrent_version_expiration_days = 14
    access_log_retention_days          = 30
    kms_deletion_window_days           = 7
    force_destroy                      = true
    catalog_layers                     = ["silver", "gold"]
    spark_staging_dataset_prefixes     = { gold = ["wordpress_api/statistics_postname/"] }
    layer_lifecycle = {
      raw    = { archive_class = "DEEP_ARCHIVE", archive_days = 180 }
      bronze = { infrequent_access_days = 0 }
      silver = { expiration_days = 365, noncurrent_expiration_days = 3 }
      gold   = { infrequent_access_days = 0, infrequent_access_class = "INTELLIGENT_TIERING" }
    }
  }

  assert {
    condition     = jsonencode([for r in output.lifecycle_rules["raw"] : r.transitions if r.id == "raw-ageing"][0]) == jsonencode([{ days = 30, storage_class = "STANDARD_IA" }, { days = 180, storage_class = "DEEP_ARCHIVE" }]) && [for r in output.lifecycle_rules["raw"] : r.expiration_days if r.id == "raw-ageing"][0] == 400
    error_message = "raw override: DEEP_ARCHIVE at 180, expire at retention_days 400"
  }
  assert {
    condition     = jsonencode([for r in output.lifecycle_rules["bronze"] : r.transitions if r.id == "bronze-ageing"][0]) == jsonencode([{ days = 90, storage_class = "GLACIER_IR" }])
    error_message = "bronze override: IA stage off, archive stays"
  }
  assert {
    condition     = [for r in output.lifecycle_rules["silver"] : r.expiration_days if r.id == "silver-ageing"][0] == 365 && output.lifecycle_rules["silver"][0].noncurrent_expiration_days == 3
    error_message = "silver override: expire at 365, noncurrent at 3"
  }
  assert {
    condition     = [for r in output.lifecycle_rules["gold"] : r.id] == ["abort-incomplete-and-noncurrent", "spark-staging-root", "spark-staging-wordpress_api.statistics_postname"]
    error_message = "gold with every stage off has no ageing rule, but keeps the dataset spark-staging rule"
  }
  assert {
    condition     = output.lifecycle_rules["raw"][0].noncurrent_expiration_days == 14 && output.lifecycle_rules["access_logs"][1].expiration_days == 30
    error_message = "module-wide noncurrent and log retention overrides"
  }
  assert {
    condition     = output.database_names == { silver = "frugal_dev_silver", gold = "frugal_dev_gold" }
    error_message = "catalog_layers selects the databases"
  }
  assert {
    condition     = aws_kms_key.lakehouse.deletion_window_in_days == 7
    error_message = "deletion window override"
  }
  assert {
    condition     = output.layer_settings["gold"].infrequent_access_class == "INTELLIGENT_TIERING" && output.layer_settings["raw"].archive_class == "DEEP_ARCHIVE"
    error_message = "effective settings must reflect the overrides"
  }
}

# ---- bad input ----

run "rejects_unknown_layer" {
  command = plan
  variables {
    layer_lifecycle = { platinum = { expiration_days = 10 } }
  }
  expect_failures = [var.layer_lifecycle]
}

run "rejects_negative_days" {
  command = plan
  variables {
    layer_lifecycle = { raw = { expiration_days = -5 } }
  }
  expect_failures = [var.layer_lifecycle]
}

run "rejects_infrequent_access_before_30_days" {
  command = plan
  variables {
    layer_lifecycle = { silver = { infrequent_access_days = 7 } }
  }
  expect_failures = [var.layer_lifecycle]
}

run "rejects_archive_before_infrequent_access" {
  command = plan
  variables {
    layer_lifecycle = { raw = { archive_days = 20 } }
  }
  expect_failures = [terraform_data.layer_lifecycle_checks]
}

run "rejects_archive_too_soon_after_infrequent_access" {
  command = plan
  variables {
    layer_lifecycle = { bronze = { infrequent_access_days = 60, archive_days = 75 } }
  }
  expect_failures = [terraform_data.layer_lifecycle_checks]
}

run "rejects_expiration_before_archive" {
  command = plan
  variables {
    retention_days = 60
  }
  expect_failures = [terraform_data.layer_lifecycle_checks]
}

run "rejects_unknown_archive_class" {
  command = plan
  variables {
    layer_lifecycle = { raw = { archive_class = "STANDARD_IA" } }
  }
  expect_failures = [var.layer_lifecycle]
}

run "rejects_namespace_characters" {
  command = plan
  variables {
    namespace = "Frugal_Lake"
  }
  expect_failures = [var.namespace]
}

run "rejects_environment_characters" {
  command = plan
  variables {
    environment = "dev-"
  }
  expect_failures = [var.environment]
}

run "rejects_names_too_long_for_buckets" {
  command = plan
  variables {
    namespace   = "a-very-long-namespace-for-a-lake"
    environment = "production"
  }
  expect_failures = [var.namespace]
}

run "rejects_unknown_catalog_layer" {
  command = plan
  variables {
    catalog_layers = ["gold", "platinum"]
  }
  expect_failures = [var.catalog_layers]
}

run "rejects_unknown_spark_layer" {
  command = plan
  variables {
    spark_staging_dataset_prefixes = { diamond = ["x/"] }
  }
  expect_failures = [var.spark_staging_dataset_prefixes]
}

run "no_landing_bucket_by_default" {
  command = plan

  assert {
    condition     = output.landing_bucket == null && length(module.landing_bucket) == 0
    error_message = "without var.landing there is no landing bucket"
  }
}

run "landing_bucket_is_hardened_like_the_layers" {
  command = plan

  variables {
    landing = { expiration_days = 14 }
  }

  assert {
    condition     = module.landing_bucket[0].bucket_name == "frugal-dev-landing-123456789012" && output.landing_bucket.name == "frugal-dev-landing-123456789012"
    error_message = "landing bucket name must be <namespace>-<environment>-landing-<account id>"
  }
  assert {
    condition     = module.landing_bucket[0].sse_algorithm == "aws:kms" && module.landing_bucket[0].kms_key_arn == aws_kms_key.lakehouse.arn
    error_message = "landing bucket must be encrypted with the lakehouse key"
  }
  assert {
    condition     = strcontains(module.landing_bucket[0].policy_json, "aws:SecureTransport")
    error_message = "landing bucket must refuse requests without TLS"
  }
  assert {
    condition     = jsonencode([for r in module.landing_bucket[0].lifecycle_rules : r.expiration_days if r.id == "landing-expiry"]) == jsonencode([14])
    error_message = "drops expire after landing.expiration_days"
  }
  assert {
    condition     = aws_ssm_parameter.bucket_name["landing"].value == "frugal-dev-landing-123456789012"
    error_message = "the landing bucket is published in Parameter Store like the layers"
  }
}

run "rejects_fractional_landing_expiry" {
  command = plan

  variables {
    landing = { expiration_days = 1.5 }
  }

  expect_failures = [var.landing]
}

# Naming: one rule for namespace and environment in every module (tests/unit/test_module_naming.py
# checks that the validation text is the same everywhere).
run "naming_accepts_a_hyphenated_namespace" {
  command = plan
  variables {
    namespace = "music-lib"
  }
}

run "naming_rejects_an_uppercase_namespace" {
  command = plan
  variables {
    namespace = "Music-Lib"
  }
  expect_failures = [var.namespace]
}

run "naming_rejects_a_hyphenated_environment" {
  command = plan
  variables {
    environment = "music-lib"
  }
  expect_failures = [var.environment]
}
