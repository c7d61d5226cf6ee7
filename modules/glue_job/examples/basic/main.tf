provider "aws" {
  region = "eu-west-1"
}

module "silver_job" {
  source = "../.."

  name           = "frugal-dev-silver-wordpress-api"
  job_type       = "pythonshell"
  script_path    = "${path.module}/../../../../dist/glue/silver.py"
  extra_py_files = ["${path.module}/../../../../dist/glue/lakehouse_common.zip"]
  artifacts = {
    bucket_name = "frugal-dev-wordpress-api-artifacts-123456789012"
    bucket_arn  = "arn:aws:s3:::frugal-dev-wordpress-api-artifacts-123456789012"
    prefix      = "glue/"
  }
  capacity         = { max_capacity = 0.0625 }
  kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  logs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555"
  job_arguments    = { "--silver_bucket" = "frugal-dev-silver-123456789012" }
  data_access = {
    read  = [{ bucket_arn = "arn:aws:s3:::frugal-dev-bronze-123456789012", prefix = "wordpress_api/" }]
    write = [{ bucket_arn = "arn:aws:s3:::frugal-dev-silver-123456789012", prefix = "wordpress_api/" }]
  }
}
