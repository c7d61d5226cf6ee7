# Plan-time validation: what each restricted input refuses, and the limits it still accepts.
mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  # What the guard reads differently from the shared mocks: a vended-logs log group (the
  # state machines' logging destination) and the dead-letter queue's URL.
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock-dlq", id = "https://sqs.eu-west-1.amazonaws.com/123456789012/mock-dlq" }
  }
}

variables {
  namespace        = "frugal"
  environment      = "test"
  lifetime_seconds = 1800
}

run "rejects_non_positive_lifetime" {
  command = plan
  variables {
    lifetime_seconds = 0
  }
  expect_failures = [var.lifetime_seconds]
}

run "rejects_fractional_lifetime" {
  command = plan
  variables {
    lifetime_seconds = 1.5
  }
  expect_failures = [var.lifetime_seconds]
}

run "rejects_unknown_worker_type" {
  command = plan
  variables {
    boundaries = { allowed_worker_types = ["G.3X"] }
  }
  expect_failures = [var.boundaries]
}

run "rejects_malformed_email" {
  command = plan
  variables {
    failure_emails = ["ops.example.com"]
  }
  expect_failures = [var.failure_emails]
}

run "rejects_zero_max_workers" {
  command = plan
  variables {
    boundaries = { max_workers = 0 }
  }
  expect_failures = [var.boundaries]
}

run "rejects_bad_sweeper_interval" {
  command = plan
  variables {
    sweeper_interval_minutes = 0
  }
  expect_failures = [var.sweeper_interval_minutes]
}

run "rejects_unknown_stop_policy" {
  command = plan
  variables {
    stop_policy = "idle-ish"
  }
  expect_failures = [var.stop_policy]
}

run "rejects_hard_cap_below_idle_window" {
  command = plan
  variables {
    stop_policy          = "idle"
    idle_minutes         = 30
    max_lifetime_seconds = 1799
  }
  expect_failures = [var.max_lifetime_seconds]
}

run "accepts_hard_cap_equal_to_idle_window" {
  command = plan
  variables {
    stop_policy          = "idle"
    idle_minutes         = 30
    max_lifetime_seconds = 1800
  }
}

run "rejects_hard_cap_of_more_than_1000_idle_windows" {
  command = plan
  variables {
    stop_policy          = "idle"
    idle_minutes         = 1
    max_lifetime_seconds = 60060
  }
  expect_failures = [var.max_lifetime_seconds]
}

run "rejects_fractional_idle_minutes" {
  command = plan
  variables {
    idle_minutes = 2.5
  }
  expect_failures = [var.idle_minutes]
}

run "accepts_exempt_tag_at_aws_limits" {
  command = plan
  variables {
    exempt_tag = { key = "k${join("", [for i in range(127) : "x"])}", value = join("", [for i in range(256) : "v"]) }
  }
}

run "rejects_empty_exempt_tag_key" {
  command = plan
  variables {
    exempt_tag = { key = "", value = "yes" }
  }
  expect_failures = [var.exempt_tag]
}

run "rejects_exempt_tag_key_over_128_characters" {
  command = plan
  variables {
    exempt_tag = { key = join("", [for i in range(129) : "k"]), value = "yes" }
  }
  expect_failures = [var.exempt_tag]
}

run "rejects_exempt_tag_value_over_256_characters" {
  command = plan
  variables {
    exempt_tag = { key = "guard", value = join("", [for i in range(257) : "v"]) }
  }
  expect_failures = [var.exempt_tag]
}

run "rejects_exempt_tag_with_a_double_quote" {
  command = plan
  variables {
    exempt_tag = { key = "guard", value = "ex\"empt" }
  }
  expect_failures = [var.exempt_tag]
}

run "rejects_exempt_tag_with_a_backslash" {
  command = plan
  variables {
    exempt_tag = { key = "gu\\ard", value = "exempt" }
  }
  expect_failures = [var.exempt_tag]
}

run "rejects_unknown_profile" {
  command = plan
  variables {
    profile = "cheap"
  }
  expect_failures = [var.profile]
}

run "accepts_two_regions" {
  command = plan
  variables {
    regions = { home = "eu-west-1", guarded = ["eu-west-1", "us-east-1"] }
  }
}

run "rejects_an_unknown_region_name" {
  command = plan
  variables {
    regions = { home = "eu-west-1", guarded = ["eu-west-1", "eu-wset-2"] }
  }
  expect_failures = [var.regions]
}

run "rejects_an_unknown_home_region" {
  command = plan
  variables {
    regions = { home = "europe", guarded = ["eu-west-1"] }
  }
  expect_failures = [var.regions]
}

run "rejects_a_duplicate_region" {
  command = plan
  variables {
    regions = { home = "eu-west-1", guarded = ["eu-west-1", "us-east-1", "us-east-1"] }
  }
  expect_failures = [var.regions]
}

run "rejects_a_home_region_missing_from_the_list" {
  command = plan
  variables {
    regions = { home = "eu-west-1", guarded = ["us-east-1"] }
  }
  expect_failures = [var.regions]
}

run "rejects_a_home_region_other_than_the_providers" {
  command = plan
  variables {
    regions = { home = "us-east-1", guarded = ["us-east-1", "eu-west-1"] }
  }
  expect_failures = [data.aws_region.current]
}

# Naming: one rule for namespace and environment in every module (tests/unit/test_module_naming.py
# checks that the validation text is the same everywhere).
run "naming_accepts_a_hyphenated_namespace" {
  command = plan
  variables {
    namespace = "music-lib"
  }
}

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
