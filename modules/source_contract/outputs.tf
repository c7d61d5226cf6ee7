output "source" {
  description = "The contract's source name (the <source> of every S3 prefix and Glue table of the pipeline). Its precondition refuses a contract with mistakes, naming the file and each field."
  value       = try(tostring(local.document.source), "")

  precondition {
    condition     = length(local.problems) == 0
    error_message = "${var.path}: ${join("; ", local.problems)}"
  }
}

output "datasets" {
  description = "Every dataset of the contract, sorted by name."
  value       = sort(keys(local.datasets))
}

output "incremental_datasets" {
  description = "Datasets whose load.mode is incremental (fetched from a start day and merged into silver by key)."
  value       = sort([for name, dataset in local.datasets : name if try(dataset.load.mode, "snapshot") == "incremental"])
}

output "keys" {
  description = "Dataset -> its key columns."
  value       = { for name, dataset in local.datasets : name => try(tolist(dataset.keys), []) }
}

output "http_datasets" {
  description = "Datasets fetched from an HTTP API (raw.kind http) -> their pagination."
  value       = { for name, dataset in local.datasets : name => try(dataset.raw.pagination, "none") if try(dataset.raw.kind, "http") == "http" }
}

output "landing_datasets" {
  description = "Datasets delivered as files dropped in the landing bucket (raw.kind landing) -> their format (csv, json, ndjson)."
  value       = { for name, dataset in local.datasets : name => try(dataset.raw.format, "") if try(dataset.raw.kind, "http") == "landing" }
}

output "quality_rules" {
  description = "Dataset -> its DQDL rules on the silver candidate, for the datasets that have rules."
  value       = { for name, dataset in local.datasets : name => try(tolist(dataset.quality), []) if length(try(dataset.quality, [])) > 0 }
}

output "silver_columns" {
  description = "Dataset -> its silver column names (contract columns minus silver.drop, renamed, dates split)."
  value       = local.silver_columns
}
