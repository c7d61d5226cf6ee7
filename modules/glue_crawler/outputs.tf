output "name" {
  description = "Crawler name (what glue:startCrawler / getCrawler take)."
  value       = aws_glue_crawler.this.name
}

output "arn" {
  description = "Crawler ARN (what the orchestrator's role is granted on)."
  value       = aws_glue_crawler.this.arn
}

output "role_arn" {
  description = "ARN of the crawler's role."
  value       = module.role.arn
}

output "table_names" {
  description = "Tables the crawler maintains: the prefix plus each target's last folder."
  value       = [for t in var.s3_targets : "${var.table_prefix}${basename(trimsuffix(t.prefix, "/"))}"]
}
