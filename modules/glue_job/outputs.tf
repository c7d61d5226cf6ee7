output "name" {
  description = "Job name (what glue:startJobRun takes)."
  value       = aws_glue_job.this.name
}

output "arn" {
  description = "Job ARN (what the orchestrator's role is granted on)."
  value       = aws_glue_job.this.arn
}

output "role_arn" {
  description = "ARN of the job's role."
  value       = module.role.arn
}

output "role_name" {
  description = "Name of the job's role."
  value       = module.role.name
}

output "role_policy_json" {
  description = "The job role's inline least-privilege policy (JSON)."
  value       = module.role.policy_json
}

output "script_s3_uri" {
  description = "S3 URI of the uploaded script."
  value       = aws_glue_job.this.command[0].script_location
}

output "default_arguments" {
  description = "Arguments every run receives (module defaults merged with job_arguments)."
  value       = aws_glue_job.this.default_arguments
}

output "security_configuration_name" {
  description = "Name of the job's Glue security configuration."
  value       = aws_glue_security_configuration.this.name
}
