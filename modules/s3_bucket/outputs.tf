output "bucket_name" {
  description = "Name of the bucket, available once its policy, encryption and public-access block are in place (S3 checks a log target's policy when another bucket starts logging to it)."
  value       = aws_s3_bucket.this.bucket

  depends_on = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_ownership_controls.this,
  ]
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "sse_algorithm" {
  description = "Default encryption: \"aws:kms\" (with bucket key) or \"AES256\"."
  value       = local.sse_kms ? "aws:kms" : "AES256"
}

output "kms_key_arn" {
  description = "KMS key used for default encryption (null for SSE-S3)."
  value       = var.kms_key_arn
}

output "policy_json" {
  description = "The bucket policy as applied (deny-non-TLS plus the caller's statements)."
  value       = local.policy_json
}

output "lifecycle_rules" {
  description = "Every lifecycle rule the module applies (module rules first), normalised: id, prefix (\"\" = whole bucket), enabled, transitions, expiration_days, expired_object_delete_marker, noncurrent_transitions, noncurrent_expiration_days, abort_incomplete_upload_days."
  value       = local.lifecycle_rules
}
