provider "aws" {
  region = "eu-west-1"
}

module "notifications" {
  source      = "../../../notifications"
  namespace   = "frugal"
  environment = "dev"
}

module "hello" {
  source = "../.."

  name              = "frugal-dev-hello"
  definition_file   = "${path.module}/../../tests/fixtures/hello.asl.json"
  definition_vars   = { topic_arn = module.notifications.success_topic_arn }
  failure_topic_arn = module.notifications.failure_topic_arn
  kms_key_arn       = module.notifications.kms_key_arn
  policy_statements = [{
    sid       = "PublishSuccess"
    actions   = ["sns:Publish"]
    resources = [module.notifications.success_topic_arn]
  }]
}
