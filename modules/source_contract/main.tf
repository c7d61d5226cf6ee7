# One source's contract, read once: what the pipeline modules derive from it, and the contract
# mistakes a plan must refuse (the full check is lakehouse_common.contract at package time; these
# are the ones that would otherwise deploy a pipeline that cannot work).

locals {
  document = jsondecode(file(var.path))
  datasets = try(local.document.datasets, {})

  kinds       = ["int", "float", "decimal", "bool", "text", "html", "date", "datetime", "timestamp_tz"]
  date_parts  = ["todate", "year", "month", "day"]
  name_re     = "^[a-z][a-z0-9_]{0,62}$"
  paginations = ["wordpress", "next_link", "cursor", "none"]
  formats     = ["csv", "json", "ndjson"]

  columns = { for name, dataset in local.datasets : name => [for column in try(dataset.columns, []) : try(column.name, "")] }
  # Silver columns as lakehouse_common.contract.Dataset.silver_columns() computes them: contract
  # columns minus silver.drop, renamed, date columns split into <name>_todate/_year/_month/_day.
  silver_columns = {
    for name, dataset in local.datasets : name => flatten([
      for column in try(dataset.columns, []) : (
        contains(try(dataset.silver.drop, []), try(column.name, "")) ? [] : (
          contains(try(dataset.silver.split_dates, []), try(column.name, ""))
          ? [for part in local.date_parts : "${lookup(try(dataset.silver.rename, {}), column.name, column.name)}_${part}"]
          : [lookup(try(dataset.silver.rename, {}), try(column.name, ""), try(column.name, ""))]
        )
      )
    ])
  }

  source_problems = can(regex(local.name_re, local.document.source)) ? [] : ["source: '${try(tostring(local.document.source), "")}' must match ${local.name_re}"]
  dataset_problems = [
    for name, dataset in local.datasets : "datasets.${name}: a dataset name must match ${local.name_re} and declare non-empty columns and keys"
    if !can(regex(local.name_re, name)) || length(try(dataset.columns, [])) == 0 || length(try(dataset.keys, [])) == 0
  ]
  kind_problems = flatten([
    for name, dataset in local.datasets : [
      for index, column in try(dataset.columns, []) : "datasets.${name}.columns[${index}].kind: '${try(tostring(column.kind), "")}' is not allowed; allowed: ${join(", ", local.kinds)}"
      if !contains(local.kinds, try(tostring(column.kind), ""))
    ]
  ])
  key_problems = flatten([
    for name, dataset in local.datasets : [
      for index, key in try(dataset.keys, []) : (
        contains(local.columns[name], key)
        ? "datasets.${name}.keys[${index}]: key column '${key}' must be declared nullable: false"
        : "datasets.${name}.keys[${index}]: '${key}' is not a column; columns: ${join(", ", local.columns[name])}"
      )
      if !contains([for column in try(dataset.columns, []) : try(column.name, "") if try(column.nullable, true) == false], key)
    ]
  ])
  load_problems = flatten([
    for name, dataset in local.datasets : concat(
      contains(["snapshot", "incremental"], try(dataset.load.mode, "snapshot")) ? [] : ["datasets.${name}.load.mode: '${try(tostring(dataset.load.mode), "")}' is not allowed; allowed: snapshot, incremental"],
      try(dataset.load.order_by, "ingest_date") == "ingest_date" || contains(local.columns[name], try(dataset.load.order_by, "")) ? [] : ["datasets.${name}.load.order_by: '${try(tostring(dataset.load.order_by), "")}' is neither a column nor 'ingest_date' (the delivery day)"],
      contains(["http", "landing"], try(dataset.raw.kind, "http")) ? [] : ["datasets.${name}.raw.kind: '${try(tostring(dataset.raw.kind), "")}' is not allowed; allowed: http, landing"],
      try(dataset.raw.kind, "http") != "http" || contains(local.paginations, try(dataset.raw.pagination, "none")) ? [] : ["datasets.${name}.raw.pagination: '${try(tostring(dataset.raw.pagination), "")}' is not allowed; allowed: ${join(", ", local.paginations)}"],
      try(dataset.raw.kind, "http") != "landing" || contains(local.formats, try(dataset.raw.format, "")) ? [] : ["datasets.${name}.raw.format: '${try(tostring(dataset.raw.format), "")}' is not allowed; allowed: ${join(", ", local.formats)}"],
    )
  ])
  # A DQDL rule reads the quoted names right after its rule type; "other.col" is column col of
  # dataset other of this contract (as ReferentialIntegrity's reference names it).
  rule_problems = flatten([
    for name, dataset in local.datasets : [
      for index, rule in try(dataset.quality, []) : [
        for match in regexall("\"([^\"]*)\"", try(regex("^\\s*[A-Za-z]+((?:\\s+\"[^\"]*\")*)", rule)[0], "")) : (
          "datasets.${name}.quality[${index}]: rule on unknown column '${match[0]}'; silver columns: ${join(", ", local.silver_columns[name])}"
        )
        if !(
          contains(local.silver_columns[name], match[0]) || (
            length(split(".", match[0])) == 2 &&
            contains(try(local.silver_columns[split(".", match[0])[0]], []), try(split(".", match[0])[1], ""))
          )
        )
      ]
    ]
  ])
  problems = concat(
    local.source_problems, local.dataset_problems, local.kind_problems, local.key_problems,
    local.load_problems, local.rule_problems,
  )
}
