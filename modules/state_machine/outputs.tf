output "arn" {
  description = "State machine ARN."
  value       = aws_sfn_state_machine.this.arn
}

output "name" {
  description = "State machine name."
  value       = aws_sfn_state_machine.this.name
}

output "role_arn" {
  description = "Execution role ARN."
  value       = module.role.arn
}

output "role_name" {
  description = "Execution role name."
  value       = module.role.name
}

output "role_policy_json" {
  description = "The execution role's inline policy (for reviews and least-privilege tests)."
  value       = module.role.policy_json
}

output "definition" {
  description = "The rendered ASL definition."
  value       = local.definition
}

output "log_group_name" {
  description = "Execution log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "alarm_names" {
  description = "Alarm names by kind (failed, timed-out, aborted)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}
