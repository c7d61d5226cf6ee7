provider "aws" {
  region = "eu-west-1"
}

locals {
  dist = "${path.module}/../../../../dist"
}

module "storage" {
  source      = "../../../lakehouse_storage"
  namespace   = "frugal"
  environment = "dev"
}

module "notifications" {
  source      = "../../../notifications"
  namespace   = "frugal"
  environment = "dev"
}

module "pipeline" {
  source = "../.."

  namespace     = "frugal"
  environment   = "dev"
  source_name   = "wordpress_api"
  datasets      = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
  gold_datasets = ["statistics_postname"]
  # Routes of the lakehouse-export WordPress plugin (wordpress_plugin/lakehouse-export).
  endpoints = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] :
  d => "https://blog.example.com/wp-json/lakehouse/v1/${d}?per_page=100" }
  storage = {
    bucket_names           = module.storage.bucket_names
    bucket_arns            = module.storage.bucket_arns
    database_names         = module.storage.database_names
    kms_key_arn            = module.storage.kms_key_arn
    access_log_bucket_name = module.storage.access_log_bucket_name
  }
  notifications = {
    success_topic_arn = module.notifications.success_topic_arn
    failure_topic_arn = module.notifications.failure_topic_arn
    kms_key_arn       = module.notifications.kms_key_arn
  }
  lambdas = {
    raw    = { filename = "${local.dist}/lambda/raw_ingest.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", handler = "raw_ingest.handler.handler" }
    bronze = { filename = "${local.dist}/lambda/bronze_load.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", handler = "bronze_load.handler.handler" }
  }
  glue_scripts = {
    silver         = "${local.dist}/glue/silver.py"
    gold           = "${local.dist}/glue/gold_statistics_postname.py"
    common_package = "${local.dist}/glue/lakehouse_common.zip"
  }
  data_quality = {
    rules = {
      posts            = ["IsComplete \"id\"", "IsUnique \"id\"", "RowCount >= 1"]
      statistics_pages = ["IsComplete \"page_id\"", "ColumnValues \"count\" >= 0"]
    }
  }
}
