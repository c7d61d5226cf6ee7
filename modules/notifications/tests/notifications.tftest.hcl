mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock" }
  }
}

variables {
  namespace      = "frugal"
  environment    = "test"
  success_emails = ["a@example.com"]
  failure_emails = ["b@example.com", "c@example.org"]
}

run "topics_encrypted_and_named" {
  command = apply

  assert {
    condition     = aws_sns_topic.this["success"].name == "frugal-test-success" && aws_sns_topic.this["failure"].name == "frugal-test-failure"
    error_message = "topics must be named <prefix>-success and <prefix>-failure"
  }
  assert {
    condition     = alltrue([for t in aws_sns_topic.this : t.kms_master_key_id == aws_kms_key.this[0].arn])
    error_message = "every topic must be encrypted with the module's KMS key"
  }
  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation
    error_message = "key rotation must be on"
  }
  assert {
    condition     = length(aws_sns_topic_subscription.email) == 3 && alltrue([for s in aws_sns_topic_subscription.email : s.protocol == "email"])
    error_message = "one e-mail subscription per address"
  }
}

run "topic_policy_allows_services_and_denies_plain_http" {
  command = apply

  assert {
    condition = contains(
      jsondecode(aws_sns_topic_policy.this["failure"].policy).Statement[1].Principal.Service,
      "cloudwatch.amazonaws.com"
    )
    error_message = "CloudWatch alarms must be allowed to publish to the failure topic"
  }
  assert {
    condition     = jsondecode(aws_sns_topic_policy.this["failure"].policy).Statement[2].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "the topic policy must deny requests without TLS"
  }
  assert {
    condition     = length([for s in jsondecode(aws_kms_key.this[0].policy).Statement : s if s.Sid == "ServicesPublishEncrypted"]) == 1
    error_message = "the key policy must let EventBridge/CloudWatch use the key"
  }
  assert {
    condition = length([
      for s in jsondecode(aws_kms_key.this[0].policy).Statement : s
      if s.Sid == "LogDeliveryReadsStateMachineData" && try(s.Principal.Service, "") == "delivery.logs.amazonaws.com" && try(s.Action, []) == ["kms:Decrypt"]
    ]) == 1
    error_message = "the key policy must let log delivery decrypt the execution data of state machines encrypted with it"
  }
}

run "rejects_malformed_email" {
  command = plan
  variables {
    failure_emails = ["not-an-email"]
  }
  expect_failures = [var.failure_emails]
}

run "component_joins_the_prefix" {
  command = plan
  variables {
    component = "guard"
  }
  assert {
    condition     = aws_sns_topic.this["success"].name == "frugal-test-guard-success"
    error_message = "a component goes after <namespace>-<environment>"
  }
}

run "rejects_bad_component" {
  command = plan
  variables {
    component = "Guard"
  }
  expect_failures = [var.component]
}

run "rejects_deletion_window_out_of_range" {
  command = plan
  variables {
    kms_deletion_window_days = 3
  }
  expect_failures = [var.kms_deletion_window_days]
}

run "aws_managed_encryption_creates_no_key" {
  command = apply
  variables {
    encryption = "aws-managed"
  }
  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_sns_topic.this) == 0 && output.kms_key_arn == null
    error_message = "aws-managed encryption must create no customer-managed key"
  }
  assert {
    condition     = aws_sns_topic.aws_managed["success"].kms_master_key_id == "alias/aws/sns" && aws_sns_topic.aws_managed["failure"].kms_master_key_id == null
    error_message = "success topic on aws/sns; failure topic unencrypted so CloudWatch alarms can publish"
  }
  assert {
    condition     = length(aws_sns_topic_subscription.email) == 3 && length(aws_sns_topic_policy.this) == 2
    error_message = "subscriptions and TLS-only topic policies must not depend on the encryption"
  }
}

run "rejects_unknown_encryption" {
  command = plan
  variables {
    encryption = "none"
  }
  expect_failures = [var.encryption]
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
