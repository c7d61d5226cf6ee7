mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  # The artifacts bucket's ARN must match its name: "<namespace>-<environment>-<source>-artifacts-<account>".
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::frugal-test-music-library-artifacts-123456789012" }
  }
}


variables {
  namespace     = "frugal"
  environment   = "test"
  contract_path = "../../sources/music_library/contract.json"
  dist_dir      = "tests/fixtures/artifacts"
  gold = {
    script   = "gold_music_library.py"
    datasets = ["genre_bpm_band", "key_distribution", "plays_by_track_month", "rarely_played"]
  }
  storage = {
    bucket_names           = { raw = "frugal-test-raw-123456789012", bronze = "frugal-test-bronze-123456789012", silver = "frugal-test-silver-123456789012", gold = "frugal-test-gold-123456789012" }
    bucket_arns            = { raw = "arn:aws:s3:::frugal-test-raw-123456789012", bronze = "arn:aws:s3:::frugal-test-bronze-123456789012", silver = "arn:aws:s3:::frugal-test-silver-123456789012", gold = "arn:aws:s3:::frugal-test-gold-123456789012" }
    database_names         = { raw = "frugal_test_raw", bronze = "frugal_test_bronze", silver = "frugal_test_silver", gold = "frugal_test_gold" }
    kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    access_log_bucket_name = "frugal-test-access-logs-123456789012"
    landing_bucket         = { name = "frugal-test-landing-123456789012", arn = "arn:aws:s3:::frugal-test-landing-123456789012" }
  }
  notifications = {
    success_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-success"
    failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-failure"
    kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555"
  }
}

run "a_landing_product_from_its_contract" {
  command = apply

  assert {
    condition     = output.source_name == "music_library" && module.pipeline.job_names.silver == "frugal-test-silver-music-library" && module.pipeline.workflow_name == "frugal-test-music-library-pipeline"
    error_message = "the product is named after its contract's source"
  }
  assert {
    condition     = module.pipeline.silver_job_arguments["--datasets"] == "plays,tracks" && module.pipeline.silver_job_arguments["--merge_datasets"] == "plays,tracks" && module.pipeline.silver_job_arguments["--bronze_bucket"] == "frugal-test-bronze-123456789012"
    error_message = "datasets and incremental datasets come from the contract; the layers are the shared storage's"
  }
  assert {
    condition     = output.landing_prefixes == { plays = "music_library/plays/", tracks = "music_library/tracks/" } && length(module.pipeline.endpoints) == 0
    error_message = "every music dataset is a landing dataset, dropped under <source>/<dataset>/; none has an endpoint"
  }
  assert {
    condition     = keys(module.pipeline.data_quality_ruleset_names) == ["plays", "tracks"] && strcontains(module.pipeline.data_quality_rulesets["tracks"], "ColumnValues \"bpm\" >= 40")
    error_message = "each dataset is gated by its contract rules"
  }
  assert {
    condition     = output.spark_staging_prefixes == ["music_library/genre_bpm_band/", "music_library/key_distribution/", "music_library/plays_by_track_month/", "music_library/rarely_played/"]
    error_message = "the gold datasets' prefixes are published for the storage's Spark staging cleanup"
  }
  assert {
    condition     = !contains(keys(module.pipeline.silver_job_arguments), "--hooks_module") && module.pipeline.function_names.raw == "frugal-test-raw-music-library"
    error_message = "no hook unless silver_hooks_module is set"
  }
}

run "the_silver_hook_package_reaches_the_silver_job" {
  command = apply
  variables {
    silver_hooks_module = "team_hooks"
  }
  assert {
    condition     = module.pipeline.silver_job_arguments["--hooks_module"] == "team_hooks" && endswith(module.pipeline.silver_job_arguments["--extra-py-files"], "/glue/frugal-test-silver-music-library/silver_hooks.zip")
    error_message = "dist/glue/silver_hooks.zip rides --extra-py-files and silver_hooks_module is --hooks_module"
  }
}

run "the_environment_adds_quality_rules_to_the_contracts" {
  command = apply
  variables {
    extra_quality_rules = { tracks = ["RowCount >= 10"] }
  }
  assert {
    condition     = strcontains(module.pipeline.data_quality_rulesets["tracks"], "RowCount >= 10") && strcontains(module.pipeline.data_quality_rulesets["tracks"], "IsComplete \"track_id\"") && !strcontains(module.pipeline.data_quality_rulesets["plays"], "RowCount")
    error_message = "extra_quality_rules are added to the contract's rules of that dataset only"
  }
}

run "incremental_datasets_keeps_the_others_as_snapshots" {
  command = apply
  variables {
    incremental_datasets = ["tracks"]
  }
  assert {
    condition     = module.pipeline.silver_job_arguments["--merge_datasets"] == "tracks"
    error_message = "only the listed incremental datasets are merged; plays is then a full snapshot"
  }
}

run "no_incremental_datasets_every_dataset_a_snapshot" {
  command = apply
  variables {
    incremental_datasets = []
  }
  assert {
    condition     = !contains(keys(module.pipeline.silver_job_arguments), "--merge_datasets")
    error_message = "incremental_datasets = [] loads every dataset as a full snapshot"
  }
}

run "rejects_an_incremental_dataset_the_contract_loads_as_a_snapshot" {
  command = plan
  variables {
    incremental_datasets = ["tracks", "albums"]
  }
  expect_failures = [var.incremental_datasets]
}

run "rejects_a_landing_product_without_a_landing_bucket" {
  command = plan
  variables {
    storage = {
      bucket_names           = { raw = "frugal-test-raw-123456789012", bronze = "frugal-test-bronze-123456789012", silver = "frugal-test-silver-123456789012", gold = "frugal-test-gold-123456789012" }
      bucket_arns            = { raw = "arn:aws:s3:::frugal-test-raw-123456789012", bronze = "arn:aws:s3:::frugal-test-bronze-123456789012", silver = "arn:aws:s3:::frugal-test-silver-123456789012", gold = "arn:aws:s3:::frugal-test-gold-123456789012" }
      database_names         = { raw = "frugal_test_raw", bronze = "frugal_test_bronze", silver = "frugal_test_silver", gold = "frugal_test_gold" }
      kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      access_log_bucket_name = "frugal-test-access-logs-123456789012"
    }
  }
  expect_failures = [var.storage]
}

run "rejects_endpoints_for_landing_datasets" {
  command = plan
  variables {
    http = { endpoints = { plays = "https://player.example.com/plays" } }
  }
  expect_failures = [var.http]
}

run "rejects_missing_endpoints_of_an_http_contract" {
  command   = plan
  state_key = "http_product"
  override_resource {
    target = module.pipeline.module.artifacts.aws_s3_bucket.this
    values = { arn = "arn:aws:s3:::frugal-test-wordpress-api-artifacts-123456789012" }
  }
  variables {
    contract_path = "../../sources/wordpress_api/contract.json"
    http          = { endpoints = { posts = "https://blog.example.com/wp-json/lakehouse/v1/posts" } }
  }
  expect_failures = [var.http]
}

run "rejects_a_gold_script_path" {
  command = plan
  variables {
    gold = { script = "../gold.py", datasets = ["rarely_played"] }
  }
  expect_failures = [var.gold]
}

run "rejects_a_lambda_name_that_is_not_a_packaged_name" {
  command = plan
  variables {
    lambdas = { raw = "raw-ingest.zip" }
  }
  expect_failures = [var.lambdas]
}

# Naming: one rule for namespace and environment in every module (tests/unit/test_module_naming.py).
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

run "an_http_product_gets_its_endpoints" {
  command = apply
  # A state of its own: a fresh apply, not a replacement of the music product's resources.
  state_key = "http_product"
  # The mock provider's bucket ARN is the music product's; this product's bucket is named for its source.
  override_resource {
    target = module.pipeline.module.artifacts.aws_s3_bucket.this
    values = { arn = "arn:aws:s3:::frugal-test-wordpress-api-artifacts-123456789012" }
  }
  variables {
    contract_path = "../../sources/wordpress_api/contract.json"
    gold          = { script = "gold_music_library.py", datasets = ["statistics_postname"] }
    http = {
      endpoints = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] : d => "https://blog.example.com/wp-json/lakehouse/v1/${d}" }
    }
    storage = {
      bucket_names           = { raw = "frugal-test-raw-123456789012", bronze = "frugal-test-bronze-123456789012", silver = "frugal-test-silver-123456789012", gold = "frugal-test-gold-123456789012" }
      bucket_arns            = { raw = "arn:aws:s3:::frugal-test-raw-123456789012", bronze = "arn:aws:s3:::frugal-test-bronze-123456789012", silver = "arn:aws:s3:::frugal-test-silver-123456789012", gold = "arn:aws:s3:::frugal-test-gold-123456789012" }
      database_names         = { raw = "frugal_test_raw", bronze = "frugal_test_bronze", silver = "frugal_test_silver", gold = "frugal_test_gold" }
      kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      access_log_bucket_name = "frugal-test-access-logs-123456789012"
    }
  }
  assert {
    condition     = length(module.pipeline.endpoints) == 5 && length(output.landing_prefixes) == 0
    error_message = "an HTTP product fetches its endpoints and needs no landing bucket"
  }
}
