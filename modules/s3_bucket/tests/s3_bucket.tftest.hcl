# Plan-level tests of the bucket baseline, the lifecycle rules it always adds and every input check.
mock_provider "aws" {
  source          = "../../tests/terraform/mocks/aws"
  override_during = plan

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::acme-dev-data-123456789012"
      id  = "acme-dev-data-123456789012"
    }
  }
}

variables {
  bucket_name       = "acme-dev-data-123456789012"
  kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  access_log_bucket = { bucket = "acme-dev-access-logs-123456789012", prefix = "data/" }
}

run "baseline_defaults" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "force_destroy must default to false"
  }
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "versioning must be Enabled"
  }
  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "object ownership must be BucketOwnerEnforced"
  }
  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "all four public-access-block flags must be on"
  }
  assert {
    condition = (
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == var.kms_key_arn &&
      one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true
    )
    error_message = "SSE-KMS with the given key and a bucket key expected"
  }
  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "acme-dev-access-logs-123456789012" && aws_s3_bucket_logging.this[0].target_prefix == "data/"
    error_message = "access logging must target the given bucket and prefix"
  }
  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.transition_default_minimum_object_size == "all_storage_classes_128K"
    error_message = "transition_default_minimum_object_size must be set explicitly"
  }
  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.id] == ["abort-incomplete-and-noncurrent", "spark-staging-root"]
    error_message = "default rules: abort/noncurrent rule and the bucket-root spark-staging rule"
  }
  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation == 7 &&
      aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration[0].noncurrent_days == 30 &&
      aws_s3_bucket_lifecycle_configuration.this.rule[0].expiration[0].expired_object_delete_marker == true &&
      output.lifecycle_rules[0].prefix == ""
    )
    error_message = "always-on rule: abort after 7 days, noncurrent after 30, delete-marker cleanup, whole bucket"
  }
  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.this.rule[1].filter[0].prefix == ".spark-staging" &&
      aws_s3_bucket_lifecycle_configuration.this.rule[1].expiration[0].days == 1 &&
      aws_s3_bucket_lifecycle_configuration.this.rule[1].noncurrent_version_expiration[0].noncurrent_days == 1
    )
    error_message = "spark-staging rule: prefix .spark-staging, expire after 1 day, noncurrent after 1 day"
  }
  assert {
    condition = jsondecode(output.policy_json).Statement[0] == {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::acme-dev-data-123456789012", "arn:aws:s3:::acme-dev-data-123456789012/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
    error_message = "the policy must start with the deny-non-TLS statement on the bucket and its objects"
  }
  assert {
    condition     = length(jsondecode(output.policy_json).Statement) == 1
    error_message = "no extra statements by default"
  }
}

run "sse_s3_without_logging_force_destroy" {
  command = plan

  variables {
    kms_key_arn       = null
    access_log_bucket = null
    force_destroy     = true
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "kms_key_arn = null must select SSE-S3"
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == false
    error_message = "no bucket key with SSE-S3"
  }
  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0
    error_message = "access_log_bucket = null must turn logging off"
  }
  assert {
    condition     = aws_s3_bucket.this.force_destroy == true
    error_message = "force_destroy must pass through"
  }
}

run "caller_rules_spark_prefixes_and_statements" {
  command = plan

  variables {
    noncurrent_version_expiration_days     = 5
    abort_incomplete_multipart_upload_days = 2
    spark_staging_cleanup                  = { dataset_prefixes = ["wordpress_api/statistics_postname/"] }
    lifecycle_rules = [{
      id                         = "age"
      prefix                     = "wordpress_api/"
      transitions                = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 60, storage_class = "GLACIER_IR" }, { days = 180, storage_class = "DEEP_ARCHIVE" }]
      expiration_days            = 365
      noncurrent_transitions     = [{ days = 30, storage_class = "ONEZONE_IA" }]
      noncurrent_expiration_days = 90
    }]
    policy_statements = [{
      sid        = "AllowReader"
      effect     = "Allow"
      actions    = ["s3:GetObject"]
      resources  = ["arn:aws:s3:::acme-dev-data-123456789012/*"]
      principals = [{ type = "AWS", identifiers = ["arn:aws:iam::123456789012:role/reader"] }]
      conditions = [
        { test = "StringEquals", variable = "aws:PrincipalAccount", values = ["123456789012"] },
        { test = "StringEquals", variable = "s3:ExistingObjectTag/class", values = ["public"] },
      ]
    }]
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.id] == ["abort-incomplete-and-noncurrent", "spark-staging-root", "spark-staging-wordpress_api.statistics_postname", "age"]
    error_message = "rule order: module rules, one spark rule per dataset prefix, then caller rules"
  }
  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.rule[2].filter[0].prefix == "wordpress_api/statistics_postname/.spark-staging"
    error_message = "dataset spark-staging rule must filter on <dataset prefix>.spark-staging"
  }
  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation == 2 &&
      aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration[0].noncurrent_days == 5
    )
    error_message = "always-on rule days must follow the inputs"
  }
  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.this.rule[3].filter[0].prefix == "wordpress_api/" &&
      toset([for t in aws_s3_bucket_lifecycle_configuration.this.rule[3].transition : "${t.storage_class}@${t.days}"]) == toset(["STANDARD_IA@30", "GLACIER_IR@60", "DEEP_ARCHIVE@180"]) &&
      aws_s3_bucket_lifecycle_configuration.this.rule[3].expiration[0].days == 365 &&
      toset([for t in aws_s3_bucket_lifecycle_configuration.this.rule[3].noncurrent_version_transition : "${t.storage_class}@${t.noncurrent_days}"]) == toset(["ONEZONE_IA@30"]) &&
      aws_s3_bucket_lifecycle_configuration.this.rule[3].noncurrent_version_expiration[0].noncurrent_days == 90
    )
    error_message = "caller rule must be rendered with its filter, transitions and expirations"
  }
  assert {
    condition = jsondecode(output.policy_json).Statement[1] == {
      Sid       = "AllowReader"
      Effect    = "Allow"
      Principal = { AWS = ["arn:aws:iam::123456789012:role/reader"] }
      Action    = ["s3:GetObject"]
      Resource  = ["arn:aws:s3:::acme-dev-data-123456789012/*"]
      Condition = { StringEquals = { "aws:PrincipalAccount" = ["123456789012"], "s3:ExistingObjectTag/class" = ["public"] } }
    }
    error_message = "extra statements must follow the deny statement, conditions grouped by operator"
  }
}

run "everyone_principal_is_rendered_as_aws_star" {
  command = plan

  variables {
    policy_statements = [{
      sid        = "DenyOldTls"
      effect     = "Deny"
      actions    = ["s3:*"]
      resources  = ["arn:aws:s3:::acme-dev-data-123456789012/*"]
      principals = [{ type = "*", identifiers = ["*"] }]
      conditions = [{ test = "NumericLessThan", variable = "s3:TlsVersion", values = ["1.2"] }]
    }]
  }

  assert {
    condition     = jsondecode(output.policy_json).Statement[1].Principal == { AWS = ["*"] }
    error_message = "principal type * must become {\"AWS\": [\"*\"]}"
  }
}

run "rejects_mixed_star_principal" {
  command = plan
  variables {
    policy_statements = [{
      sid        = "Mixed"
      effect     = "Deny"
      actions    = ["s3:PutObject"]
      resources  = ["arn:aws:s3:::acme-dev-data-123456789012/*"]
      principals = [{ type = "*", identifiers = ["*"] }, { type = "AWS", identifiers = ["arn:aws:iam::123456789012:root"] }]
    }]
  }
  expect_failures = [var.policy_statements]
}

run "spark_staging_can_be_turned_off" {
  command = plan

  variables {
    spark_staging_cleanup = { enabled = false, dataset_prefixes = ["a/"] }
  }

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.id] == ["abort-incomplete-and-noncurrent"]
    error_message = "only the always-on rule when spark staging cleanup is off"
  }
}

# ---- bad input: each is refused at plan time with a message saying what is allowed ----

run "rejects_bucket_name_too_long" {
  command = plan
  variables {
    bucket_name = "acme-dev-this-name-is-far-too-long-for-s3-bucket-rules-123456789012"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_too_short" {
  command = plan
  variables {
    bucket_name = "ab"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_characters" {
  command = plan
  variables {
    bucket_name = "Acme_Dev.data"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_reserved_bucket_prefix" {
  command = plan
  variables {
    bucket_name = "xn--acme-data"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_infrequent_access_before_30_days" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "early", transitions = [{ days = 10, storage_class = "STANDARD_IA" }] }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_noncurrent_infrequent_access_before_30_days" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "early-nc", noncurrent_transitions = [{ days = 7, storage_class = "ONEZONE_IA" }] }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_archive_before_infrequent_access" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "backwards", transitions = [{ days = 30, storage_class = "GLACIER" }, { days = 60, storage_class = "STANDARD_IA" }] }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_decreasing_transition_days" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "days-down", transitions = [{ days = 120, storage_class = "STANDARD_IA" }, { days = 90, storage_class = "GLACIER" }] }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_leaving_ia_within_30_days" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "short-ia", transitions = [{ days = 30, storage_class = "STANDARD_IA" }, { days = 45, storage_class = "GLACIER_IR" }] }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_onezone_to_glacier_ir" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "oz-gir", transitions = [{ days = 30, storage_class = "ONEZONE_IA" }, { days = 90, storage_class = "GLACIER_IR" }] }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_expiration_before_last_transition" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "exp-early", transitions = [{ days = 90, storage_class = "GLACIER" }], expiration_days = 60 }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_rule_without_action" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "nothing", prefix = "x/" }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_negative_days" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "neg", expiration_days = -1 }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_unknown_storage_class" {
  command = plan
  variables {
    lifecycle_rules = [{ id = "bad-class", transitions = [{ days = 30, storage_class = "REDUCED_REDUNDANCY" }] }]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_duplicate_and_reserved_rule_ids" {
  command = plan
  variables {
    lifecycle_rules = [
      { id = "spark-staging-mine", expiration_days = 3 },
      { id = "spark-staging-mine", expiration_days = 4 },
    ]
  }
  expect_failures = [var.lifecycle_rules]
}

run "rejects_allow_all_actions_statement" {
  command = plan
  variables {
    policy_statements = [{
      sid        = "TooBroad"
      effect     = "Allow"
      actions    = ["s3:*"]
      resources  = ["arn:aws:s3:::acme-dev-data-123456789012/*"]
      principals = [{ type = "AWS", identifiers = ["arn:aws:iam::123456789012:root"] }]
    }]
  }
  expect_failures = [var.policy_statements]
}

run "rejects_bad_spark_prefix" {
  command = plan
  variables {
    spark_staging_cleanup = { dataset_prefixes = ["/wordpress_api/posts"] }
  }
  expect_failures = [var.spark_staging_cleanup]
}
