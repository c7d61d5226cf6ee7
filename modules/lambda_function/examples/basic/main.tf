provider "aws" {
  region = "eu-west-1"
}

module "notifications" {
  source      = "../../../notifications"
  namespace   = "frugal"
  environment = "dev"
}

module "raw_function" {
  source = "../.."

  name              = "frugal-dev-raw-wordpress-api"
  filename          = "${path.module}/../../../../dist/lambda/raw_ingest.zip"
  source_code_hash  = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" # filebase64sha256() of the built zip
  failure_topic_arn = module.notifications.failure_topic_arn
  kms_key_arn       = module.notifications.kms_key_arn
  environment_variables = {
    RAW_BUCKET  = "frugal-dev-raw-123456789012"
    SOURCE_NAME = "wordpress_api"
  }
  policy_statements = [{
    sid       = "RawObjectsWrite"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::frugal-dev-raw-123456789012/wordpress_api/*"]
  }]
}
