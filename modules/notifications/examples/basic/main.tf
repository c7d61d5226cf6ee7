provider "aws" {
  region = "eu-west-1"
}

module "notifications" {
  source = "../.."

  namespace      = "frugal"
  environment    = "dev"
  success_emails = ["data-team@example.com"]
  failure_emails = ["on-call@example.com"]
}

output "failure_topic_arn" {
  value = module.notifications.failure_topic_arn
}
