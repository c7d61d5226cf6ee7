mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::frugal-test-wordpress-api-artifacts-123456789012" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:frugal/test/pipeline/wordpress_api/credentials-AbCdEf" }
  }
}

override_resource {
  target = module.raw_function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:frugal-test-raw-wordpress-api" }
}

override_resource {
  target = module.silver_job.aws_glue_job.this
  values = { arn = "arn:aws:glue:eu-west-1:123456789012:job/frugal-test-silver-wordpress-api" }
}

variables {
  namespace     = "frugal"
  environment   = "test"
  source_name   = "wordpress_api"
  datasets      = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"]
  gold_datasets = ["statistics_postname"]
  endpoints     = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] : d => "https://example.org/wp-json/lakehouse/v1/${d}?per_page=100" }
  storage = {
    bucket_names           = { raw = "frugal-test-raw-123456789012", bronze = "frugal-test-bronze-123456789012", silver = "frugal-test-silver-123456789012", gold = "frugal-test-gold-123456789012" }
    bucket_arns            = { raw = "arn:aws:s3:::frugal-test-raw-123456789012", bronze = "arn:aws:s3:::frugal-test-bronze-123456789012", silver = "arn:aws:s3:::frugal-test-silver-123456789012", gold = "arn:aws:s3:::frugal-test-gold-123456789012" }
    database_names         = { raw = "frugal_test_raw", bronze = "frugal_test_bronze", silver = "frugal_test_silver", gold = "frugal_test_gold" }
    kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    access_log_bucket_name = "frugal-test-access-logs-123456789012"
  }
  notifications = {
    success_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-success"
    failure_topic_arn = "arn:aws:sns:eu-west-1:123456789012:frugal-test-failure"
    kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555"
  }
  lambdas = {
    raw    = { filename = "tests/fixtures/raw_ingest.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }
    bronze = { filename = "tests/fixtures/bronze_load.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }
  }
  glue_scripts = {
    silver         = "tests/fixtures/silver.py"
    gold           = "tests/fixtures/gold_statistics_postname.py"
    common_package = "tests/fixtures/lakehouse_common.zip"
  }
  data_quality = {
    rules = {
      posts            = ["IsComplete \"id\"", "RowCount >= 1"]
      statistics_pages = ["IsComplete \"page_id\"", "ColumnValues \"count\" >= 0"]
    }
  }
}

run "workflow_definition_wiring" {
  command = apply

  assert {
    condition     = jsondecode(output.workflow_definition).States.RawIngest.Arguments.FunctionName == "arn:aws:lambda:eu-west-1:123456789012:function:frugal-test-raw-wordpress-api"
    error_message = "the raw step must invoke the raw function"
  }
  assert {
    condition     = jsondecode(output.workflow_definition).States.RunSilverJob.Resource == "arn:aws:states:::glue:startJobRun.sync"
    error_message = "the silver job must run with .sync"
  }
  assert {
    condition     = output.definition_vars.silver_job_name == "frugal-test-silver-wordpress-api" && output.definition_vars.gold_job_name == "frugal-test-gold-wordpress-api"
    error_message = "jobs are named <namespace>-<environment>-<layer>-<source>"
  }
  assert {
    condition     = output.definition_vars.bronze_crawler_name == "frugal-test-bronze-wordpress-api" && output.definition_vars.silver_table_count == 5 && output.definition_vars.gold_table_count == 1
    error_message = "crawler names and expected table counts must be rendered"
  }
  assert {
    condition = output.definition_vars.dq_gates == [
      { dataset = "posts", table = "candidate_posts", ruleset_names = ["frugal-test-silver-wordpress-api-posts-quality"], additional_data_sources = {} },
      { dataset = "statistics_pages", table = "candidate_statistics_pages", ruleset_names = ["frugal-test-silver-wordpress-api-statistics-pages-quality"], additional_data_sources = {} },
    ] && output.definition_vars.crawl_bronze == false
    error_message = "one quality gate per gated dataset (its candidate table and its own ruleset); crawls only when needed by default"
  }
  assert {
    condition     = { for d, r in aws_glue_data_quality_ruleset.silver : d => r.target_table[0].table_name } == { posts = "candidate_posts", statistics_pages = "candidate_statistics_pages" } && output.candidate_table_names == ["candidate_posts", "candidate_statistics_pages", "candidate_term_relationships", "candidate_term_taxonomy", "candidate_terms"]
    error_message = "each ruleset targets its dataset's candidate table; one candidate table per dataset"
  }
  assert {
    condition     = aws_glue_data_quality_ruleset.silver["statistics_pages"].ruleset == "Rules = [\n    IsComplete \"page_id\",\n    ColumnValues \"count\" >= 0\n]"
    error_message = "the module wraps a dataset's rules in one DQDL ruleset"
  }
  assert {
    condition     = output.data_quality_ruleset_names == { posts = "frugal-test-silver-wordpress-api-posts-quality", statistics_pages = "frugal-test-silver-wordpress-api-statistics-pages-quality" }
    error_message = "one ruleset name per gated dataset"
  }
  assert {
    condition     = jsondecode(output.workflow_definition).States.SilverQuality.Items == output.definition_vars.dq_gates
    error_message = "the quality map iterates over every gate"
  }
  assert {
    condition = [
      for s in ["RunSilverJob", "PublishSilver"] :
      jsondecode(output.workflow_definition).States[s].Arguments.Arguments["--stage"]
    ] == ["write", "publish"]
    error_message = "the workflow writes silver candidates, then publishes them"
  }
  assert {
    condition     = jsondecode(output.workflow_definition).States.SilverQuality.Next == "PublishSilver"
    error_message = "publish only after the quality gate passed"
  }
  assert {
    condition     = output.table_names.bronze == ["bronze_posts", "bronze_statistics_pages", "bronze_term_relationships", "bronze_term_taxonomy", "bronze_terms"]
    error_message = "one bronze table per dataset"
  }
}

run "jobs_functions_and_crawlers" {
  command = apply

  assert {
    condition     = module.silver_job.default_arguments["--datasets"] == "posts,statistics_pages,term_relationships,term_taxonomy,terms" && module.silver_job.default_arguments["--bronze_bucket"] == "frugal-test-bronze-123456789012"
    error_message = "the silver job must receive buckets and datasets as arguments"
  }
  assert {
    condition     = module.silver_job.default_arguments["--candidate_database"] == "frugal_test_silver" && module.silver_job.default_arguments["--candidate_table_prefix"] == "candidate_" && !contains(keys(module.silver_job.default_arguments), "--stage")
    error_message = "the silver job registers candidates in the silver database; only the workflow chooses the publish stage"
  }
  assert {
    condition = one([
      for s in jsondecode(module.silver_job.role_policy_json).Statement : s.Resource if s.Sid == "RegisterCandidateTables"
    ]) == concat(["arn:aws:glue:eu-west-1:123456789012:catalog", "arn:aws:glue:eu-west-1:123456789012:database/frugal_test_silver"], [for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] : "arn:aws:glue:eu-west-1:123456789012:table/frugal_test_silver/candidate_${d}"])
    error_message = "the silver job may create/update exactly its candidate tables"
  }
  assert {
    condition = one([
      for s in jsondecode(module.silver_job.role_policy_json).Statement : s.Resource if s.Sid == "WriteObjects"
    ]) == ["arn:aws:s3:::frugal-test-silver-123456789012/wordpress_api/*", "arn:aws:s3:::frugal-test-silver-123456789012/_candidate/wordpress_api/*"]
    error_message = "the silver job writes live silver and its candidates, nothing else"
  }
  assert {
    condition     = module.gold_job.default_arguments["--gold_bucket"] == "frugal-test-gold-123456789012" && !contains(keys(module.gold_job.default_arguments), "--bronze_bucket")
    error_message = "the gold job gets silver and gold buckets only"
  }
  assert {
    condition     = module.raw_function.function_name == "frugal-test-raw-wordpress-api"
    error_message = "functions are named <namespace>-<environment>-<layer>-<source>"
  }
  assert {
    condition     = aws_ssm_parameter.endpoints.name == "/frugal/test/pipeline/wordpress_api/endpoints" && jsondecode(aws_ssm_parameter.endpoints.value).posts == "https://example.org/wp-json/lakehouse/v1/posts?per_page=100"
    error_message = "the endpoint list must be published as JSON in Parameter Store"
  }
  assert {
    condition     = aws_ssm_parameter.workflow_arn.value == module.workflow.arn
    error_message = "the workflow ARN must be published"
  }
}

run "raw_function_reads_exactly_its_secret" {
  command = apply

  assert {
    condition     = length(aws_secretsmanager_secret.credentials) == 1 && aws_secretsmanager_secret.credentials[0].name == "frugal/test/pipeline/wordpress_api/credentials" && aws_secretsmanager_secret.credentials[0].kms_key_id == var.storage.kms_key_arn
    error_message = "without credentials.secret_arn the module creates the secret, encrypted with the data key"
  }
  assert {
    condition = one([
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s if s.Sid == "ReadCredentials"
      ]) == {
      Sid      = "ReadCredentials", Effect = "Allow", Action = ["secretsmanager:GetSecretValue"]
      Resource = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:frugal/test/pipeline/wordpress_api/credentials-AbCdEf"]
    }
    error_message = "the raw function may read exactly its one secret, nothing else of Secrets Manager"
  }
  assert {
    condition = one([
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s if s.Sid == "DecryptCredentials"
      ]) == {
      Sid       = "DecryptCredentials", Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.storage.kms_key_arn]
      Condition = { StringEquals = { "kms:ViaService" = ["secretsmanager.eu-west-1.amazonaws.com"] } }
    }
    error_message = "the secret's key may be used for decryption only through Secrets Manager"
  }
  assert {
    condition = length([
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s
      if contains(flatten([s.Action]), "kms:Decrypt") && contains(flatten([s.Resource]), var.storage.kms_key_arn) && s.Sid != "DecryptCredentials"
    ]) == 0
    error_message = "raw never reads S3 objects: kms:Decrypt on the data key only via Secrets Manager"
  }
  assert {
    condition     = output.credentials_secret_arn == aws_secretsmanager_secret.credentials[0].arn
    error_message = "the secret's ARN is an output (the README's put-secret-value command needs it)"
  }
  assert {
    condition     = !contains(keys(module.silver_job.default_arguments), "--merge_datasets")
    error_message = "without incremental datasets every silver dataset is a full snapshot"
  }
}

run "existing_secret_and_incremental_statistics" {
  command = apply

  variables {
    credentials = {
      secret_arn  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:blog/lakehouse-XyZ123"
      kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555"
    }
    incremental = { datasets = ["statistics_pages"], lookback_days = 3 }
  }

  assert {
    condition     = module.silver_job.default_arguments["--merge_datasets"] == "statistics_pages"
    error_message = "silver merges the incremental datasets into the previous snapshot"
  }
  assert {
    condition     = length(aws_secretsmanager_secret.credentials) == 0 && output.credentials_secret_arn == var.credentials.secret_arn
    error_message = "an existing secret is used as given, none is created"
  }
  assert {
    condition = [
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s.Resource if contains(["ReadCredentials", "DecryptCredentials"], s.Sid)
    ] == [[var.credentials.secret_arn], [var.credentials.kms_key_arn]]
    error_message = "the grants follow the existing secret and its key"
  }
}

run "a_source_without_credentials_gets_no_secret_and_no_grant" {
  command = apply

  variables {
    credentials = null
  }

  assert {
    condition     = length(aws_secretsmanager_secret.credentials) == 0 && output.credentials_secret_arn == null
    error_message = "credentials = null: no secret is created and none is output"
  }
  assert {
    condition = length([
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s
      if contains(flatten([s.Action]), "secretsmanager:GetSecretValue") || contains(["ReadCredentials", "DecryptCredentials"], s.Sid)
    ]) == 0
    error_message = "a source without credentials: the raw function may not read any secret or decrypt through Secrets Manager"
  }
}

run "rejects_a_secret_arn_that_is_not_one" {
  command = plan
  variables {
    credentials = { secret_arn = "blog/lakehouse" }
  }
  expect_failures = [var.credentials]
}

run "rejects_incremental_outside_datasets" {
  command = plan
  variables {
    incremental = { datasets = ["comments"] }
  }
  expect_failures = [var.incremental]
}

run "schedule_retries_and_dead_letters" {
  command = apply

  assert {
    condition     = aws_scheduler_schedule.daily.schedule_expression == "cron(0 7 * * ? *)" && aws_scheduler_schedule.daily.schedule_expression_timezone == "Europe/London"
    error_message = "a 07:00 daily schedule is the default"
  }
  assert {
    condition     = aws_scheduler_schedule.daily.target[0].retry_policy[0].maximum_retry_attempts == 3 && aws_scheduler_schedule.daily.target[0].dead_letter_config[0].arn == aws_sqs_queue.schedule_dlq.arn
    error_message = "the schedule must retry and dead-letter"
  }
  assert {
    condition     = jsondecode(aws_scheduler_schedule.daily.target[0].input).scheduled_time == "<aws.scheduler.scheduled-time>"
    error_message = "the schedule passes its scheduled time so the run's ingest date is the schedule's date"
  }
  assert {
    condition     = [for s in jsondecode(module.scheduler_role.policy_json).Statement : s.Action[0]] == ["states:StartExecution", "sqs:SendMessage", "kms:GenerateDataKey"]
    error_message = "the scheduler role may only start the workflow and dead-letter"
  }
}

run "workflow_role_statements" {
  command = apply

  assert {
    condition     = [for s in output.workflow_policy_statements : s.sid] == ["InvokeFunctions", "RunGlueJobs", "RunCrawlers", "CountLayerTables", "StartQualityRun", "ReadQualityRun", "PassQualityRole", "PublishNotifications"]
    error_message = "the workflow role has one statement per kind of call"
  }
  assert {
    condition     = output.workflow_policy_statements[1].actions == ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
    error_message = ".sync needs GetJobRun, GetJobRuns and BatchStopJobRun (the documented synchronous policy)"
  }
}

run "rejects_five_field_cron" {
  command = plan
  variables {
    schedule = { expression = "cron(0 7 * * ?)" }
  }
  expect_failures = [var.schedule]
}

run "rejects_cron_without_question_mark" {
  command = plan
  variables {
    schedule = { expression = "cron(0 7 * * * *)" }
  }
  expect_failures = [var.schedule]
}

run "rejects_bad_timezone" {
  command = plan
  variables {
    schedule = { timezone = "London time" }
  }
  expect_failures = [var.schedule]
}

run "rejects_quality_dataset_outside_datasets" {
  command = plan
  variables {
    data_quality = { rules = { posts = ["RowCount >= 1"], comments = ["RowCount >= 1"] } }
  }
  expect_failures = [var.data_quality]
}

run "rejects_no_gated_dataset" {
  command = plan
  variables {
    data_quality = { rules = {} }
  }
  expect_failures = [var.data_quality]
}

run "rejects_an_empty_rule_list" {
  command = plan
  variables {
    data_quality = { rules = { posts = ["RowCount >= 1"], statistics_pages = [] } }
  }
  expect_failures = [var.data_quality]
}

run "rejects_a_whole_ruleset_as_a_rule" {
  command = plan
  variables {
    data_quality = { rules = { posts = ["Rules = [ RowCount >= 1 ]"] } }
  }
  expect_failures = [var.data_quality]
}

run "rejects_bad_quality_settings" {
  command = plan
  variables {
    data_quality = { rules = { posts = ["IsComplete \"id\""] }, number_of_workers = 1 }
  }
  expect_failures = [var.data_quality]
}

# Separate run: with datasets invalid, Terraform skips data_quality's checks that refer to it.
run "rejects_empty_datasets" {
  command = plan
  variables {
    datasets = []
  }
  expect_failures = [var.datasets]
}

run "rejects_bad_workflow_timings" {
  command = plan
  variables {
    workflow = { crawler_poll_seconds = 0 }
  }
  expect_failures = [var.workflow]
}

run "rejects_plain_http_endpoints_except_local" {
  command = plan
  variables {
    endpoints = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] : d => "http://blog.example.com/wp-json/lakehouse/v1/${d}" }
  }
  expect_failures = [var.endpoints]
}

run "rejects_a_dataset_without_endpoint" {
  command = plan
  variables {
    endpoints = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy"] : d => "https://example.org/wp-json/lakehouse/v1/${d}" }
  }
  expect_failures = [var.endpoints]
}

run "rejects_an_endpoint_for_an_unknown_dataset" {
  command = plan
  variables {
    endpoints = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms", "comments"] : d => "https://example.org/wp-json/lakehouse/v1/${d}" }
  }
  expect_failures = [var.endpoints]
}

run "accepts_the_local_sample_api" {
  command = plan
  variables {
    endpoints = { for d in ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] : d => "http://127.0.0.1:8080/wp-json/lakehouse/v1/${d}" }
  }
}

run "rejects_reserved_concurrency_of_zero" {
  command = plan
  variables {
    lambdas = {
      raw      = { filename = "tests/fixtures/raw_ingest.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }
      bronze   = { filename = "tests/fixtures/bronze_load.zip", source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }
      reserved = 0
    }
  }
  expect_failures = [var.lambdas]
}

run "landing_datasets_read_only_their_drops" {
  command = apply

  variables {
    landing   = { bucket_name = "frugal-test-landing-123456789012", bucket_arn = "arn:aws:s3:::frugal-test-landing-123456789012", prefix = "drops/", datasets = ["posts", "terms"] }
    endpoints = { for d in ["statistics_pages", "term_relationships", "term_taxonomy"] : d => "https://example.org/wp-json/lakehouse/v1/${d}?per_page=100" }
  }

  assert {
    condition = one([
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s if s.Sid == "ReadLandingDrops"
      ]) == {
      Sid      = "ReadLandingDrops", Effect = "Allow", Action = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::frugal-test-landing-123456789012/drops/wordpress_api/posts/*", "arn:aws:s3:::frugal-test-landing-123456789012/drops/wordpress_api/terms/*"]
    }
    error_message = "the raw function may read only the landing datasets' drop prefixes"
  }
  assert {
    condition = one([
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s if s.Sid == "ListLandingDrops"
    ]).Condition.StringLike["s3:prefix"] == ["drops/wordpress_api/posts/", "drops/wordpress_api/posts/*", "drops/wordpress_api/terms/", "drops/wordpress_api/terms/*"]
    error_message = "listing the landing bucket is limited to the drop prefixes"
  }
  assert {
    condition = one([
      for s in jsondecode(module.raw_function.role_policy_json).Statement : s if s.Sid == "DecryptLandingDrops"
    ]).Condition.StringEquals["kms:ViaService"] == ["s3.eu-west-1.amazonaws.com"]
    error_message = "drops are decrypted only through S3"
  }
}

run "rejects_landing_outside_datasets" {
  command = plan

  variables {
    landing = { bucket_name = "frugal-test-landing-123456789012", bucket_arn = "arn:aws:s3:::frugal-test-landing-123456789012", datasets = ["plays"] }
  }

  expect_failures = [var.landing]
}

run "rejects_landing_arn_of_another_bucket" {
  command = plan

  variables {
    landing   = { bucket_name = "frugal-test-landing-123456789012", bucket_arn = "arn:aws:s3:::other-bucket", datasets = ["posts"] }
    endpoints = { for d in ["statistics_pages", "term_relationships", "term_taxonomy", "terms"] : d => "https://example.org/wp-json/lakehouse/v1/${d}?per_page=100" }
  }

  expect_failures = [var.landing]
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

run "naming_rejects_names_too_long_for_the_jobs" {
  command = plan
  variables {
    namespace   = "music-library"
    environment = "staging"
    source_name = "library_export_drops"
  }
  expect_failures = [var.source_name]
}
run "rejects_an_endpoint_for_a_landing_dataset" {
  command = plan

  variables {
    landing = { bucket_name = "frugal-test-landing-123456789012", bucket_arn = "arn:aws:s3:::frugal-test-landing-123456789012", datasets = ["terms"] }
  }

  expect_failures = [var.endpoints]
}

run "landing_only_source_needs_no_endpoints" {
  command = plan

  variables {
    landing   = { bucket_name = "frugal-test-landing-123456789012", bucket_arn = "arn:aws:s3:::frugal-test-landing-123456789012", datasets = ["posts", "statistics_pages", "term_relationships", "term_taxonomy", "terms"] }
    endpoints = {}
  }

  assert {
    condition     = aws_ssm_parameter.endpoints.value == "{}"
    error_message = "a source delivered only through landing drops publishes no endpoint"
  }
}

run "referential_integrity_reads_the_referenced_candidate" {
  command = apply

  variables {
    data_quality = {
      rules = {
        statistics_pages = ["IsComplete \"page_id\"", "ReferentialIntegrity \"id\" \"posts.ID\" = 1.0"]
      }
    }
  }

  assert {
    condition = output.definition_vars.dq_gates == [{
      dataset                 = "statistics_pages"
      table                   = "candidate_statistics_pages"
      ruleset_names           = ["frugal-test-silver-wordpress-api-statistics-pages-quality"]
      additional_data_sources = { posts = { GlueTable = { DatabaseName = "frugal_test_silver", TableName = "candidate_posts" } } }
    }]
    error_message = "the gate must pass the referenced dataset's candidate table under the dataset's name"
  }
  assert {
    condition = one([
      for s in jsondecode(module.data_quality_role.policy_json).Statement : s if s.Sid == "ReadCandidateDataset"
    ]).Resource == ["arn:aws:s3:::frugal-test-silver-123456789012/_candidate/wordpress_api/posts/*", "arn:aws:s3:::frugal-test-silver-123456789012/_candidate/wordpress_api/statistics_pages/*"]
    error_message = "the evaluation role reads the gated and the referenced candidates, nothing else"
  }
  assert {
    condition     = jsondecode(output.workflow_definition).States.SilverQuality.ItemProcessor.States.StartSilverQualityRun.Arguments.AdditionalDataSources == "{% $states.input.additional_data_sources %}"
    error_message = "the evaluation run must receive the gate's additional data sources"
  }
}

run "rejects_a_reference_to_an_unknown_dataset" {
  command = plan

  variables {
    data_quality = { rules = { statistics_pages = ["ReferentialIntegrity \"id\" \"comments.id\" = 1.0"] } }
  }

  expect_failures = [var.data_quality]
}

# A team's silver hook (tools/package.py --hooks-dir): its zip rides --extra-py-files beside the
# shared package and its module becomes --hooks_module; the gold job gets neither.
run "silver_hooks_reach_the_silver_job" {
  command = apply
  variables {
    glue_scripts = {
      silver         = "tests/fixtures/silver.py"
      gold           = "tests/fixtures/gold_statistics_postname.py"
      common_package = "tests/fixtures/lakehouse_common.zip"
      silver_hooks   = { package = "tests/fixtures/silver_hooks.zip", module = "team_hooks" }
    }
  }
  assert {
    condition     = module.silver_job.default_arguments["--extra-py-files"] == "s3://${module.artifacts.bucket_name}/glue/frugal-test-silver-wordpress-api/lakehouse_common.zip,s3://${module.artifacts.bucket_name}/glue/frugal-test-silver-wordpress-api/silver_hooks.zip"
    error_message = "the silver job's --extra-py-files must carry the shared package and the hooks zip"
  }
  assert {
    condition     = output.silver_job_arguments["--hooks_module"] == "team_hooks"
    error_message = "silver_hooks.module must be the silver job's --hooks_module"
  }
  assert {
    condition     = !contains(keys(module.gold_job.default_arguments), "--hooks_module") && !strcontains(module.gold_job.default_arguments["--extra-py-files"], "silver_hooks.zip")
    error_message = "the gold job gets no silver hook"
  }
}

run "no_silver_hooks_by_default" {
  command = apply
  assert {
    condition     = !contains(keys(output.silver_job_arguments), "--hooks_module") && length(split(",", output.silver_job_arguments["--extra-py-files"])) == 1
    error_message = "without silver_hooks the silver job gets the shared package only and no --hooks_module"
  }
}

run "rejects_a_silver_hook_module_that_is_not_a_module_name" {
  command = plan
  variables {
    glue_scripts = {
      silver         = "tests/fixtures/silver.py"
      gold           = "tests/fixtures/gold_statistics_postname.py"
      common_package = "tests/fixtures/lakehouse_common.zip"
      silver_hooks   = { package = "tests/fixtures/silver_hooks.zip", module = "team-hooks.py" }
    }
  }
  expect_failures = [var.glue_scripts]
}

run "rejects_a_silver_hook_package_named_like_the_shared_one" {
  command = plan
  variables {
    glue_scripts = {
      silver         = "tests/fixtures/silver.py"
      gold           = "tests/fixtures/gold_statistics_postname.py"
      common_package = "tests/fixtures/lakehouse_common.zip"
      silver_hooks   = { package = "other/lakehouse_common.zip", module = "team_hooks" }
    }
  }
  expect_failures = [var.glue_scripts]
}

run "rejects_hooks_module_in_arguments_beside_silver_hooks" {
  command = plan
  variables {
    glue_scripts = {
      silver         = "tests/fixtures/silver.py"
      gold           = "tests/fixtures/gold_statistics_postname.py"
      common_package = "tests/fixtures/lakehouse_common.zip"
      silver_hooks   = { package = "tests/fixtures/silver_hooks.zip", module = "team_hooks" }
    }
    silver_job = { arguments = { "--hooks_module" = "other_hooks" } }
  }
  expect_failures = [var.silver_job]
}
