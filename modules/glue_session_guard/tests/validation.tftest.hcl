# Plan-time validation: what each restricted input refuses, and the limits it still accepts.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock-topic" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/mock" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock-dlq", id = "https://sqs.eu-west-1.amazonaws.com/123456789012/mock-dlq" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/mock" }
  }
  mock_resource "aws_cloudtrail" {
    defaults = { arn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/mock" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock-bucket" }
  }
}

variables {
  name_prefix      = "frugal-test"
  lifetime_seconds = 1800
  environment      = "test"
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
