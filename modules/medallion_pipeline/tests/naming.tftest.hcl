# Naming: the same hyphenated namespace every module accepts (the main test file shows the
# rejections). A file of its own because the mocked artifact bucket ARN must match the name.
mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::music-lib-test-wordpress-api-artifacts-123456789012" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:frugal/test/pipeline/wordpress_api/credentials-AbCdEf" }
  }
}

override_resource {
  target = module.raw_function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:frugal-test-raw-wordpress-api" }
}

override_resource {
  target = module.silver_job.aws_glue_job.this
  values = { arn = "arn:aws:glue:eu-west-1:123456789012:job/frugal-test-silver-wordpress-api" }
}

variables {
  namespace     = "music-lib"
  environment   = "test"
  source_name   = "wordpress_api"
  datasets      = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
  gold_datasets = ["statistics_postname"]
  endpoints     = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] : d => "https://example.org/wp-json/lakehouse/v1/${d}?per_page=100" }
  storage = {
    bucket_names           = { raw = "frugal-test-raw-123456789012", bronze = "frugal-test-bronze-123456789012", silver = "frugal-test-silver-123456789012", gold = "frugal-test-gold-123456789012" }
    bucket_arns            = { raw = "arn:aws:s3:::frugal-test-raw-123456789012", bronze = "arn:aws:s3:::frugal-test-bronze-123456789012", silver = "arn:aws:s3:::frugal-test-silver-123456789012", gold = "arn:aws:s3:::frugal-test-gold-123456789012" }
    database_names         = { raw = "frugal_test_raw", bronze = "frugal_test_bronze", silver = "frugal_test_silver", gold = "frugal_test_gold" }
    kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    access_log_bucket_name = "frugal-test-access-logs-123456789012"
  }
  notifications = {
    success_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-success"
    failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-failure"
    kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555"
  }
  lambdas = {
    raw    = { filename = "tests/fixtures/raw_ingest.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }
    bronze = { filename = "tests/fixtures/bronze_load.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }
  }
  glue_scripts = {
    silver         = "tests/fixtures/silver.py"
    gold           = "tests/fixtures/gold_statistics_postname.py"
    common_package = "tests/fixtures/lakehouse_common.zip"
  }
  data_quality = {
    rules = {
      posts            = ["IsComplete \"id\"", "RowCount >= 1"]
      statistics_pages = ["IsComplete \"page_id\"", "ColumnValues \"count\" >= 0"]
    }
  }
}

run "naming_accepts_a_hyphenated_namespace" {
  command = plan
}
