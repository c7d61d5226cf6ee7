provider "aws" {
  region = "eu-west-1"
}

# A team's product on storage and topics it already has (here created beside it).
module "notifications" {
  source = "../../../notifications"

  namespace   = "music"
  environment = "dev"
}

module "storage" {
  source = "../../../lakehouse_storage"

  namespace   = "music"
  environment = "dev"
  landing     = { expiration_days = 7 }
  # The gold job's .spark-staging* leftovers expire after a day.
  spark_staging_dataset_prefixes = { gold = module.product.spark_staging_prefixes }
}

module "product" {
  source = "../.."

  namespace     = "music"
  environment   = "dev"
  contract_path = "${path.root}/../../../../sources/music_library/contract.json"
  # python tools/package.py --sources-dir sources --lambda-dir lambda_src --glue-dir glue_jobs
  #   --glue-dir sources/music_library/glue --out dist/music_library
  dist_dir = "${path.root}/../../../../dist/music_library"
  gold = {
    script   = "gold_music_library.py"
    datasets = ["genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played"]
  }

  storage = {
    bucket_names           = module.storage.bucket_names
    bucket_arns            = module.storage.bucket_arns
    database_names         = module.storage.database_names
    kms_key_arn            = module.storage.kms_key_arn
    access_log_bucket_name = module.storage.access_log_bucket_name
    landing_bucket         = module.storage.landing_bucket
  }
  notifications = {
    success_topic_arn = module.notifications.success_topic_arn
    failure_topic_arn = module.notifications.failure_topic_arn
    kms_key_arn       = module.notifications.kms_key_arn
  }
}
