# Plan-level: what the pipeline modules derive from a contract, and that each kind of contract
# mistake fails the plan naming the file and the field.

run "wordpress_contract_of_this_repository" {
  command = plan

  variables {
    path = "../../sources/wordpress_api/contract.json"
  }

  assert {
    condition     = output.source == "wordpress_api"
    error_message = "source must come from the contract"
  }
  assert {
    condition     = jsonencode(output.datasets) == jsonencode(["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"])
    error_message = "datasets must be the contract's, sorted"
  }
  assert {
    condition     = jsonencode(output.incremental_datasets) == jsonencode(["statistics_pages"])
    error_message = "statistics_pages is the only incremental WordPress dataset"
  }
  assert {
    condition     = jsonencode(output.keys["term_relationships"]) == jsonencode(["object_id", "term_taxonomy_id"])
    error_message = "keys must come from the contract in order"
  }
  assert {
    condition     = length(output.landing_datasets) == 0 && output.http_datasets["posts"] == "wordpress"
    error_message = "WordPress datasets are fetched over HTTP with the wordpress pagination"
  }
  assert {
    condition     = jsonencode(keys(output.quality_rules)) == jsonencode(["posts", "statistics_pages"]) && contains(output.quality_rules["posts"], "IsUnique \"ID\"") && contains(output.quality_rules["statistics_pages"], "IsComplete \"page_id\"")
    error_message = "posts and statistics_pages carry the WordPress contract's rules, the other datasets none"
  }
}

run "derived_values" {
  command = plan

  variables {
    path = "tests/fixtures/good.json"
  }

  assert {
    condition     = jsonencode(output.datasets) == jsonencode(["plays", "tracks"]) && jsonencode(output.incremental_datasets) == jsonencode(["tracks"])
    error_message = "datasets and incremental datasets"
  }
  assert {
    condition     = jsonencode(output.landing_datasets) == jsonencode({ plays = "ndjson" }) && jsonencode(output.http_datasets) == jsonencode({ tracks = "cursor" })
    error_message = "landing and http datasets"
  }
  assert {
    condition     = jsonencode(output.silver_columns["tracks"]) == jsonencode(["track_id", "track_title", "released_todate", "released_year", "released_month", "released_day", "modified_at"])
    error_message = "silver columns: renamed, dates split"
  }
}

run "unknown_kind_fails_naming_file_and_field" {
  command = plan

  variables {
    path = "tests/fixtures/unknown_kind.json"
  }

  expect_failures = [output.source]
}

run "key_not_a_column_fails" {
  command = plan

  variables {
    path = "tests/fixtures/key_not_a_column.json"
  }

  expect_failures = [output.source]
}

run "rule_on_unknown_column_fails" {
  command = plan

  variables {
    path = "tests/fixtures/rule_on_unknown_column.json"
  }

  expect_failures = [output.source]
}

run "missing_file_fails" {
  command = plan

  variables {
    path = "tests/fixtures/nope.json"
  }

  expect_failures = [var.path]
}
