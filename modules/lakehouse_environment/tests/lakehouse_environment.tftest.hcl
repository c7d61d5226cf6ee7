mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  # The artifacts bucket's ARN must match its name: "<namespace>-<environment>-<source>-artifacts-<account>".
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::frugal-test-wordpress-api-artifacts-123456789012" }
  }
}

variables {
  namespace   = "frugal"
  environment = "test"
  guard = {
    lifetime_seconds = 900
    boundaries       = { max_workers = 4 }
  }
  pipeline = {
    wordpress_site  = "https://blog.example.com"
    dist_dir        = "tests/fixtures/artifacts"
    row_count_floor = 25
  }
}

run "one_environment_wires_storage_guard_and_pipeline_together" {
  command = apply

  assert {
    condition     = output.guard_lifetime_seconds == 900 && output.guard_state_machine_name == "frugal-test-glue-session-guard"
    error_message = "guard settings must reach the guard"
  }
  assert {
    condition     = module.glue_session_guard.trail_bucket_name != null && length(module.storage.bucket_names) == 4
    error_message = "the guard's trail and the four layer buckets must exist"
  }
  assert {
    condition     = length(regexall("frugal-test-bronze-wordpress-api", module.product["wordpress_api"].pipeline.workflow_definition)) > 0 && length(regexall("frugal_test_silver", module.product["wordpress_api"].pipeline.workflow_definition)) > 0
    error_message = "the workflow must use this environment's crawlers and catalog databases"
  }
  assert {
    condition     = output.success_topic_arn == module.notifications.success_topic_arn && output.failure_topic_arn == module.notifications.failure_topic_arn
    error_message = "one pair of topics serves the whole environment"
  }
}

run "pipeline_reads_and_writes_this_environments_layers" {
  command = apply

  assert {
    condition = length(module.product["wordpress_api"].pipeline.endpoints) == 5 && alltrue([
      for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] :
      module.product["wordpress_api"].pipeline.endpoints[d] == "https://blog.example.com/wp-json/lakehouse/v1/${d}?per_page=100"
    ])
    error_message = "the five routes of the lakehouse-export plugin are derived from wordpress_site"
  }
  assert {
    condition     = keys(output.pipeline_data_quality_ruleset_names) == ["posts", "statistics_pages"]
    error_message = "the quality gate evaluates posts and statistics_pages, each with its own ruleset"
  }
  assert {
    condition     = strcontains(module.product["wordpress_api"].pipeline.data_quality_rulesets["posts"], "RowCount >= 25") && strcontains(module.product["wordpress_api"].pipeline.data_quality_rulesets["statistics_pages"], "IsComplete \"page_id\"")
    error_message = "pipeline.row_count_floor reaches the posts rules; statistics_pages has its own rules"
  }
  assert {
    condition     = !contains(keys(module.product["wordpress_api"].pipeline.silver_job_arguments), "--merge_datasets")
    error_message = "statistics are full snapshots unless statistics_incremental is set"
  }

  assert {
    condition     = output.storage_database_names == module.storage.database_names && output.pipeline_job_names.silver == "frugal-test-silver-wordpress-api"
    error_message = "the pipeline must be named for this environment and use its storage"
  }
}

run "rejects_bad_environment_name" {
  command = plan
  variables {
    environment = "Prod_1"
  }
  expect_failures = [var.environment]
}

run "rejects_bad_namespace" {
  command = plan
  variables {
    namespace = "x"
  }
  expect_failures = [var.namespace]
}

run "rejects_reserved_concurrency_of_zero" {
  command = plan
  variables {
    pipeline = {
      wordpress_site  = "https://blog.example.com"
      dist_dir        = "tests/fixtures/artifacts"
      lambda_reserved = 0
    }
  }
  expect_failures = [var.pipeline]
}

run "rejects_plain_http_site" {
  command = plan
  variables {
    pipeline = { wordpress_site = "http://blog.example.com", dist_dir = "tests/fixtures/artifacts" }
  }
  expect_failures = [var.pipeline]
}

run "rejects_site_with_trailing_slash" {
  command = plan
  variables {
    pipeline = { wordpress_site = "https://blog.example.com/", dist_dir = "tests/fixtures/artifacts" }
  }
  expect_failures = [var.pipeline]
}

run "rejects_site_with_credentials" {
  command = plan
  variables {
    pipeline = { wordpress_site = "https://u:p@blog.example.com", dist_dir = "tests/fixtures/artifacts" }
  }
  expect_failures = [var.pipeline]
}

run "rejects_site_with_route" {
  command = plan
  variables {
    pipeline = { wordpress_site = "https://blog.example.com/wp-json/wp/v2/posts?per_page=10", dist_dir = "tests/fixtures/artifacts" }
  }
  expect_failures = [var.pipeline]
}

run "incremental_statistics" {
  command = apply
  variables {
    pipeline = { wordpress_site = "https://blog.example.com", dist_dir = "tests/fixtures/artifacts", statistics_incremental = true, statistics_lookback_days = 3 }
  }
  assert {
    condition     = module.product["wordpress_api"].pipeline.silver_job_arguments["--merge_datasets"] == "statistics_pages"
    error_message = "with statistics_incremental silver merges statistics_pages increments"
  }
}

run "datasets_come_from_the_contract" {
  command = apply
  variables {
    pipeline = { wordpress_site = "https://blog.example.com", dist_dir = "tests/fixtures/artifacts", contract_path = "tests/fixtures/wordpress_three_datasets.json", statistics_incremental = true }
  }
  assert {
    condition     = jsonencode(sort(keys(module.product["wordpress_api"].pipeline.endpoints))) == jsonencode(["posts", "statistics_pages", "terms"])
    error_message = "the endpoints (one per dataset) must follow the contract's dataset list"
  }
  assert {
    condition     = module.product["wordpress_api"].pipeline.silver_job_arguments["--datasets"] == "posts,statistics_pages,terms"
    error_message = "the silver job's datasets must follow the contract"
  }
  assert {
    condition     = module.product["wordpress_api"].pipeline.silver_job_arguments["--merge_datasets"] == "statistics_pages"
    error_message = "the contract's incremental datasets are merged when statistics_incremental is set"
  }
}

# Naming: one rule for namespace and environment in every module (tests/unit/test_module_naming.py
# checks that the validation text is the same everywhere).
run "naming_rejects_an_uppercase_namespace" {
  command = plan
  variables {
    namespace = "Music-Lib"
  }
  expect_failures = [var.namespace]
}

run "naming_rejects_a_hyphenated_environment" {
  command = plan
  variables {
    environment = "music-lib"
  }
  expect_failures = [var.environment]
}

# A second product on the same environment: its own pipeline, the environment's storage (with a
# landing bucket, since its files are dropped), topics and guard; WordPress stays as it was.
run "a_second_product_shares_storage_topics_and_guard" {
  command = apply
  # The mock provider's bucket ARN is WordPress's; the product's artifacts bucket is named for its source.
  override_resource {
    target = module.product["music_library"].module.pipeline.module.artifacts.aws_s3_bucket.this
    values = { arn = "arn:aws:s3:::frugal-test-music-library-artifacts-123456789012" }
  }
  override_resource {
    target = module.storage.module.landing_bucket[0].aws_s3_bucket.this
    values = { arn = "arn:aws:s3:::frugal-test-landing-123456789012" }
  }
  variables {
    products = {
      music_library = {
        contract_path = "../../sources/music_library/contract.json"
        dist_dir      = "tests/fixtures/music_artifacts"
        gold          = { script = "gold_music_library.py", datasets = ["genre_bpm_band", "rarely_played"] }
      }
    }
  }
  assert {
    condition     = output.storage_landing_bucket.name == "frugal-test-landing-123456789012" && output.products["music_library"].landing_prefixes["plays"] == "music_library/plays/"
    error_message = "a product that drops files gets the environment's landing bucket, under <source>/<dataset>/"
  }
  assert {
    condition     = output.products["music_library"].pipeline.job_names.silver == "frugal-test-silver-music-library" && output.pipeline_job_names.silver == "frugal-test-silver-wordpress-api" && output.products["music_library"].workflow_arn != null
    error_message = "each product has its own pipeline next to WordPress's"
  }
  assert {
    condition     = output.products["music_library"].pipeline.silver_job_arguments["--silver_bucket"] == output.storage_bucket_names.silver && output.products["music_library"].pipeline.definition_vars.gold_database == output.storage_database_names.gold
    error_message = "the product writes the environment's layer buckets and catalog databases"
  }
  assert {
    condition     = output.products["music_library"].pipeline.definition_vars.failure_topic_arn == output.failure_topic_arn && output.products["music_library"].pipeline.definition_vars.success_topic_arn == output.success_topic_arn
    error_message = "one pair of topics serves every product"
  }
  assert {
    condition     = contains([for r in output.storage_lifecycle_rules.gold : r.prefix], "music_library/rarely_played/.spark-staging") && contains([for r in output.storage_lifecycle_rules.gold : r.prefix], "wordpress_api/statistics_postname/.spark-staging")
    error_message = "the Spark staging cleanup covers every product's gold datasets"
  }
  assert {
    condition     = keys(output.products["music_library"].pipeline.data_quality_ruleset_names) == ["plays", "tracks"] && keys(output.pipeline_data_quality_ruleset_names) == ["posts", "statistics_pages"]
    error_message = "each product is gated by its own contract's rules"
  }
}

run "no_products_no_landing_bucket" {
  command = apply
  assert {
    condition     = output.storage_landing_bucket == null && length(output.products) == 0
    error_message = "without products there is no landing bucket and no second pipeline"
  }
}

run "rejects_a_product_not_keyed_by_its_source" {
  command = plan
  variables {
    products = {
      music = {
        contract_path = "../../sources/music_library/contract.json"
        dist_dir      = "tests/fixtures/music_artifacts"
        gold          = { script = "gold_music_library.py", datasets = ["rarely_played"] }
      }
    }
  }
  expect_failures = [var.products]
}

run "rejects_wordpress_as_a_second_product" {
  command = plan
  variables {
    products = {
      wordpress_api = {
        contract_path = "../../sources/wordpress_api/contract.json"
        dist_dir      = "tests/fixtures/artifacts"
        gold          = { script = "gold_statistics_postname.py", datasets = ["statistics_postname"] }
      }
    }
  }
  expect_failures = [var.products]
}
