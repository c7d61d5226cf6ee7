provider "aws" {
  region = "eu-west-1"
}

module "bronze_crawler" {
  source = "../.."

  name                 = "frugal-dev-bronze-wordpress-api"
  database_name        = "frugal_dev_bronze"
  table_prefix         = "bronze_"
  s3_targets           = [for d in ["posts", "terms"] : { bucket_name = "frugal-dev-bronze-123456789012", prefix = "wordpress_api/${d}/" }]
  recrawl_behavior     = "CRAWL_NEW_FOLDERS_ONLY"
  schema_change_policy = { update_behavior = "LOG", delete_behavior = "LOG" }
  kms_key_arn          = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  logs_kms_key_arn     = "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555"
}
