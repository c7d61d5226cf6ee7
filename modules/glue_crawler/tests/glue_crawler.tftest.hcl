mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock-crawler" }
  }
}

variables {
  name             = "frugal-test-bronze-wordpress-api"
  database_name    = "frugal_test_bronze"
  table_prefix     = "bronze_"
  kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  logs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/66666666-2222-3333-4444-555555555555"
  s3_targets = [
    { bucket_name = "frugal-test-bronze-123456789012", prefix = "wordpress_api/posts/" },
    { bucket_name = "frugal-test-bronze-123456789012", prefix = "wordpress_api/terms/" },
  ]
}

run "crawler_wiring" {
  command = apply

  assert {
    condition     = [for t in aws_glue_crawler.this.s3_target : t.path] == ["s3://frugal-test-bronze-123456789012/wordpress_api/posts/", "s3://frugal-test-bronze-123456789012/wordpress_api/terms/"]
    error_message = "one S3 target per dataset folder"
  }
  assert {
    condition     = aws_glue_crawler.this.database_name == "frugal_test_bronze" && aws_glue_crawler.this.table_prefix == "bronze_"
    error_message = "database and table prefix must be passed"
  }
  assert {
    condition     = aws_glue_crawler.this.recrawl_policy[0].recrawl_behavior == "CRAWL_EVERYTHING" && aws_glue_crawler.this.schema_change_policy[0].update_behavior == "UPDATE_IN_DATABASE"
    error_message = "default recrawl and schema-change policies"
  }
  assert {
    condition     = output.table_names == ["bronze_posts", "bronze_terms"]
    error_message = "table names are the prefix plus the dataset folder"
  }
  assert {
    condition     = aws_glue_crawler.this.security_configuration == "frugal-test-bronze-wordpress-api-crawler"
    error_message = "the crawler must use its security configuration"
  }
}

run "role_limited_to_targets" {
  command = apply

  assert {
    condition     = jsondecode(module.role.policy_json).Statement[1].Resource == ["arn:aws:s3:::frugal-test-bronze-123456789012/wordpress_api/posts/*", "arn:aws:s3:::frugal-test-bronze-123456789012/wordpress_api/terms/*"]
    error_message = "object reads must be limited to the targets"
  }
  assert {
    condition     = contains(jsondecode(module.role.policy_json).Statement[2].Resource, "arn:aws:glue:eu-west-1:123456789012:table/frugal_test_bronze/bronze_*")
    error_message = "catalog writes must be limited to the prefixed tables of the database"
  }
  assert {
    condition     = alltrue([for s in jsondecode(module.role.policy_json).Statement : alltrue([for r in flatten([s.Resource]) : r != "*"])])
    error_message = "no statement may use a \"*\" resource"
  }
}

run "new_folders_only_with_log_policy" {
  command = apply
  variables {
    recrawl_behavior     = "CRAWL_NEW_FOLDERS_ONLY"
    schema_change_policy = { update_behavior = "LOG", delete_behavior = "LOG" }
  }
  assert {
    condition     = aws_glue_crawler.this.recrawl_policy[0].recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY"
    error_message = "recrawl policy must be applied"
  }
}

run "rejects_new_folders_only_with_updates" {
  command = plan
  variables {
    recrawl_behavior = "CRAWL_NEW_FOLDERS_ONLY"
  }
  expect_failures = [var.recrawl_behavior]
}

run "rejects_bad_policies_and_prefix" {
  command = plan
  variables {
    schema_change_policy = { update_behavior = "MERGE", delete_behavior = "DROP" }
    table_prefix         = "Bronze-"
  }
  expect_failures = [var.schema_change_policy, var.table_prefix]
}

run "rejects_empty_or_bad_targets" {
  command = plan
  variables {
    s3_targets = [{ bucket_name = "frugal-test-bronze-123456789012", prefix = "/wordpress_api" }]
  }
  expect_failures = [var.s3_targets]
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
