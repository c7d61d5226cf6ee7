output "success_topic_arn" {
  description = "ARN of the topic that receives success / action-taken notifications."
  value       = aws_sns_topic.this["success"].arn
}

output "failure_topic_arn" {
  description = "ARN of the topic that receives failures, alarms and dead-letter alerts."
  value       = aws_sns_topic.this["failure"].arn
}

output "topic_names" {
  description = "Topic names by kind (success, failure)."
  value       = { for k, t in aws_sns_topic.this : k => t.name }
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the topics (publishers need kms:GenerateDataKey/Decrypt on it)."
  value       = aws_kms_key.this.arn
}

output "subscription_count" {
  description = "Number of e-mail subscriptions created (each pending until confirmed)."
  value       = length(aws_sns_topic_subscription.email)
}
