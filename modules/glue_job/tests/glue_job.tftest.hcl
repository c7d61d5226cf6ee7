mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock-glue" }
  }
}

variables {
  name           = "frugal-test-silver-wordpress-api"
  job_type       = "pythonshell"
  script_path    = "tests/fixtures/job.py"
  extra_py_files = ["tests/fixtures/lakehouse_common.zip"]
  artifacts = {
    bucket_name = "frugal-test-artifacts-123456789012"
    bucket_arn  = "arn:aws:s3:::frugal-test-artifacts-123456789012"
    prefix      = "glue/"
  }
  capacity         = { max_capacity = 0.0625 }
  kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  logs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555"
  job_arguments = {
    "--silver_bucket" = "frugal-test-silver-123456789012"
  }
  data_access = {
    read  = [{ bucket_arn = "arn:aws:s3:::frugal-test-bronze-123456789012", prefix = "wordpress_api/" }]
    write = [{ bucket_arn = "arn:aws:s3:::frugal-test-silver-123456789012", prefix = "wordpress_api/" }]
  }
}

run "pythonshell_job_wiring" {
  command = apply

  assert {
    condition     = aws_glue_job.this.command[0].name == "pythonshell" && aws_glue_job.this.command[0].python_version == "3.9" && aws_glue_job.this.glue_version == "3.0"
    error_message = "a pythonshell job must run the Python 3.9 shell on Glue 3.0"
  }
  assert {
    condition     = aws_glue_job.this.max_capacity == 0.0625 && aws_glue_job.this.execution_class == "STANDARD"
    error_message = "a pythonshell job must use max_capacity and an explicit STANDARD execution class"
  }
  assert {
    condition     = aws_glue_job.this.command[0].script_location == "s3://frugal-test-artifacts-123456789012/glue/frugal-test-silver-wordpress-api/job.py"
    error_message = "the script must be uploaded under the artifacts prefix and used by the job"
  }
  assert {
    condition     = aws_s3_object.script.source_hash == filemd5("tests/fixtures/job.py")
    error_message = "the script upload must follow the content hash"
  }
  assert {
    condition     = aws_glue_job.this.default_arguments["--extra-py-files"] == "s3://frugal-test-artifacts-123456789012/glue/frugal-test-silver-wordpress-api/lakehouse_common.zip"
    error_message = "the shared package must be passed as --extra-py-files"
  }
  assert {
    condition     = aws_glue_job.this.default_arguments["--silver_bucket"] == "frugal-test-silver-123456789012" && !contains(keys(aws_glue_job.this.default_arguments), "--job-bookmark-option")
    error_message = "job arguments must be passed; Python shell gets no bookmark option"
  }
  assert {
    condition     = aws_glue_job.this.security_configuration == "frugal-test-silver-wordpress-api-job"
    error_message = "the job must use its security configuration"
  }
  assert {
    condition     = length(aws_cloudwatch_log_group.job_logs) == 0
    error_message = "Python shell jobs have no module-owned log groups"
  }
}

run "role_limited_to_prefixes_and_logs" {
  command = apply

  assert {
    condition     = jsondecode(module.role.policy_json).Statement[2].Resource == ["arn:aws:s3:::frugal-test-silver-123456789012/wordpress_api/*"]
    error_message = "writes must be limited to the write prefixes"
  }
  assert {
    condition = toset(jsondecode(module.role.policy_json).Statement[1].Resource) == toset([
      "arn:aws:s3:::frugal-test-artifacts-123456789012/glue/frugal-test-silver-wordpress-api/*",
      "arn:aws:s3:::frugal-test-bronze-123456789012/wordpress_api/*",
      "arn:aws:s3:::frugal-test-silver-123456789012/wordpress_api/*",
    ])
    error_message = "reads must be limited to the job's artifacts and the given prefixes"
  }
  assert {
    condition     = alltrue([for r in jsondecode(module.role.policy_json).Statement[4].Resource : strcontains(r, "frugal-test-silver-wordpress-api")])
    error_message = "log permissions must name this job's own log groups"
  }
  assert {
    condition     = alltrue([for s in jsondecode(module.role.policy_json).Statement : alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")])])
    error_message = "no wildcard actions"
  }
}

run "glueetl_flex_with_workers_and_bookmarks" {
  command = apply
  variables {
    name            = "frugal-test-gold-statistics-postname"
    job_type        = "glueetl"
    capacity        = { worker_type = "G.1X", number_of_workers = 2 }
    execution_class = "FLEX"
    job_bookmarks   = true
  }

  assert {
    condition     = aws_glue_job.this.glue_version == "5.0" && aws_glue_job.this.command[0].name == "glueetl" && aws_glue_job.this.command[0].python_version == "3"
    error_message = "a glueetl job must run Glue 5.0 Python 3"
  }
  assert {
    condition     = aws_glue_job.this.worker_type == "G.1X" && aws_glue_job.this.number_of_workers == 2 && aws_glue_job.this.execution_class == "FLEX"
    error_message = "worker settings and FLEX must be applied"
  }
  assert {
    condition = alltrue([
      aws_glue_job.this.default_arguments["--enable-metrics"] == "true",
      aws_glue_job.this.default_arguments["--job-bookmark-option"] == "job-bookmark-enable",
      aws_glue_job.this.default_arguments["--custom-logGroup-prefix"] == "/aws-glue/jobs/frugal-test-gold-statistics-postname",
    ])
    error_message = "Spark jobs get metrics, the bookmark option and their own log group prefix"
  }
  assert {
    # Glue 5.0 logs in real time to <prefix>/output and <prefix>/error; the Glue 4.0 continuous-logging
    # arguments would leave the module's group empty.
    condition = (
      !contains(keys(aws_glue_job.this.default_arguments), "--enable-continuous-cloudwatch-log") &&
      !contains(keys(aws_glue_job.this.default_arguments), "--continuous-log-logGroup")
    )
    error_message = "Glue 5.0 jobs must not carry the Glue 4.0 continuous-logging arguments"
  }
  assert {
    condition = (
      toset(keys(aws_cloudwatch_log_group.job_logs)) == toset(["/aws-glue/jobs/frugal-test-gold-statistics-postname/output", "/aws-glue/jobs/frugal-test-gold-statistics-postname/error"]) &&
      alltrue([for g in aws_cloudwatch_log_group.job_logs : g.retention_in_days == 30 && g.kms_key_id == var.logs_kms_key_arn])
    )
    error_message = "the groups Glue 5.0 writes (<prefix>/output, <prefix>/error) are the module's, with retention and KMS"
  }
}

run "rejects_unknown_job_type" {
  command = plan
  variables {
    job_type = "gluestreaming"
  }
  expect_failures = [var.job_type]
}

run "rejects_workers_on_pythonshell" {
  command = plan
  variables {
    capacity = { worker_type = "G.1X", number_of_workers = 2 }
  }
  expect_failures = [var.capacity]
}

run "rejects_odd_pythonshell_capacity" {
  command = plan
  variables {
    capacity = { max_capacity = 0.5 }
  }
  expect_failures = [var.capacity]
}

run "rejects_glueetl_with_one_worker_or_max_capacity" {
  command = plan
  variables {
    job_type = "glueetl"
    capacity = { worker_type = "G.1X", number_of_workers = 1 }
  }
  expect_failures = [var.capacity]
}

run "rejects_glueetl_without_worker_type" {
  command = plan
  variables {
    job_type = "glueetl"
    capacity = { max_capacity = 2 }
  }
  expect_failures = [var.capacity]
}

run "rejects_flex_and_bookmarks_on_pythonshell" {
  command = plan
  variables {
    execution_class = "FLEX"
    job_bookmarks   = true
  }
  expect_failures = [var.execution_class, var.job_bookmarks]
}

run "rejects_timeout_out_of_range" {
  command = plan
  variables {
    timeout_minutes = 2881
  }
  expect_failures = [var.timeout_minutes]
}

run "rejects_zero_timeout" {
  command = plan
  variables {
    timeout_minutes = 0
  }
  expect_failures = [var.timeout_minutes]
}

run "rejects_bad_argument_names_and_prefix" {
  command = plan
  variables {
    job_arguments = { "silver_bucket" = "x" }
    artifacts = {
      bucket_name = "frugal-test-artifacts-123456789012"
      bucket_arn  = "arn:aws:s3:::frugal-test-artifacts-123456789012"
      prefix      = "/glue"
    }
  }
  expect_failures = [var.job_arguments, var.artifacts]
}

# Naming: one rule for name in every building-block module (tests/unit/test_module_naming.py
# checks that the validation text is the same everywhere).
run "naming_accepts_a_hyphenated_name" {
  command = plan
  variables {
    name = "music-lib"
  }
}

run "naming_rejects_an_uppercase_name" {
  command = plan
  variables {
    name = "Music-Lib"
  }
  expect_failures = [var.name]
}
