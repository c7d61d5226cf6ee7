# Read this repository's WordPress contract and show what a pipeline derives from it.
module "contract" {
  source = "../.."

  path = "${path.module}/../../../../sources/wordpress_api/contract.json"
}

output "datasets" {
  value = module.contract.datasets
}

output "incremental_datasets" {
  value = module.contract.incremental_datasets
}

output "quality_rules" {
  value = module.contract.quality_rules
}
