variable "path" {
  description = "Path of the source's contract.json (sources/<source>/contract.json, format in sources/README.md). The dataset list, incremental datasets, keys, landing datasets and quality rules are read from it; a contract error fails the plan naming this file and the field."
  type        = string

  validation {
    condition     = can(jsondecode(file(var.path)).datasets) && can(jsondecode(file(var.path)).source)
    error_message = "${var.path}: cannot be read as a contract (a JSON object with source and datasets); see sources/README.md."
  }
}
