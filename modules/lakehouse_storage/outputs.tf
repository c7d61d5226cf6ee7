output "bucket_names" {
  description = "Layer bucket names by layer (raw, bronze, silver, gold)."
  value       = { for layer, m in module.layer_bucket : layer => m.bucket_name }
}

output "bucket_arns" {
  description = "Layer bucket ARNs by layer."
  value       = { for layer, m in module.layer_bucket : layer => m.bucket_arn }
}

output "access_log_bucket_name" {
  description = "Bucket receiving S3 server access logs of the layer buckets (layer buckets under \"s3-access/<layer>/\"; any \"<namespace>-<environment>-*\" bucket of the account may log here)."
  value       = module.access_logs.bucket_name
}

output "access_log_bucket_arn" {
  description = "ARN of the access-log bucket."
  value       = module.access_logs.bucket_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the layer buckets (grant kms:Decrypt/GenerateDataKey on it to readers/writers)."
  value       = aws_kms_key.lakehouse.arn
}

output "kms_key_alias" {
  description = "Alias of the KMS key."
  value       = aws_kms_alias.lakehouse.name
}

output "database_names" {
  description = "Glue catalog database names by layer."
  value       = { for layer, db in aws_glue_catalog_database.layer : layer => db.name }
}

output "parameter_names" {
  description = "Parameter Store names: bucket/<layer> and bucket/access_logs, kms_key_arn, glue_database/<layer>."
  value = merge(
    { for k, p in aws_ssm_parameter.bucket_name : "bucket/${k}" => p.name },
    { kms_key_arn = aws_ssm_parameter.kms_key_arn.name },
    { for k, p in aws_ssm_parameter.glue_database : "glue_database/${k}" => p.name },
  )
}

output "layer_settings" {
  description = "Effective ageing per layer after overrides (0 = stage off): infrequent_access_days/class, archive_days/class, expiration_days, noncurrent_expiration_days."
  value       = local.layer_settings
}

output "lifecycle_rules" {
  description = "Every lifecycle rule applied, by bucket (layers plus \"access_logs\"), as normalised by the s3_bucket module."
  value = merge(
    { for layer, m in module.layer_bucket : layer => m.lifecycle_rules },
    { access_logs = module.access_logs.lifecycle_rules },
  )
}

output "bucket_policies" {
  description = "Bucket policy JSON by bucket (layers plus \"access_logs\")."
  value = merge(
    { for layer, m in module.layer_bucket : layer => m.policy_json },
    { access_logs = module.access_logs.policy_json },
  )
}

output "landing_bucket" {
  description = "The landing bucket for dropped files ({ name, arn }), or null without var.landing. Teams drop files under \"<source>/<dataset>/\" (medallion_pipeline's landing input)."
  value       = var.landing == null ? null : { name = module.landing_bucket[0].bucket_name, arn = module.landing_bucket[0].bucket_arn }
}
