output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "Unqualified ARN of the function (what a Step Functions lambda:invoke task calls)."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = module.role.arn
}

output "role_policy_json" {
  description = "The execution role's inline policy (JSON): what the function may do."
  value       = module.role.policy_json
}

output "role_name" {
  description = "Name of the execution role."
  value       = module.role.name
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "layers" {
  description = "Layer ARNs attached (the resolved AWS SDK for pandas layer, or none)."
  value       = local.layers
}

output "error_alarm_name" {
  description = "Name of the Errors alarm."
  value       = aws_cloudwatch_metric_alarm.errors.alarm_name
}
