output "success_topic_arn" {
  description = "ARN of the topic that receives success / action-taken notifications."
  value       = local.topic_arns["success"]
}

output "failure_topic_arn" {
  description = "ARN of the topic that receives failures, alarms and dead-letter alerts."
  value       = local.topic_arns["failure"]
}

output "topic_names" {
  description = "Topic names by kind (success, failure)."
  value       = local.topic_names
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the topics (publishers need kms:GenerateDataKey/Decrypt on it); null with encryption = \"aws-managed\"."
  value       = try(aws_kms_key.this[0].arn, null)
}

output "subscription_count" {
  description = "Number of e-mail subscriptions created (each pending until confirmed)."
  value       = length(aws_sns_topic_subscription.email)
}
