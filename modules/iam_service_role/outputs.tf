output "arn" {
  description = "Role ARN."
  value       = aws_iam_role.this.arn
}

output "name" {
  description = "Role name."
  value       = aws_iam_role.this.name
}

output "policy_json" {
  description = "The inline policy as applied (for reviews and least-privilege tests)."
  value       = aws_iam_role_policy.this.policy
}

output "assume_role_policy_json" {
  description = "The trust policy."
  value       = aws_iam_role.this.assume_role_policy
}
