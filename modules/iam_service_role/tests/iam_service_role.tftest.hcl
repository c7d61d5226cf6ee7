mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"
}

variables {
  name    = "frugal-test-role"
  service = "glue.amazonaws.com"
  policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Read", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::b/*"] }]
  })
}

run "trust_is_this_account_only" {
  command = apply

  assert {
    condition     = jsondecode(output.assume_role_policy_json).Statement[0].Principal.Service == "glue.amazonaws.com"
    error_message = "the named service assumes the role"
  }
  assert {
    condition     = jsondecode(output.assume_role_policy_json).Statement[0].Condition == { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    error_message = "only this account's resources may use the role"
  }
  assert {
    condition     = jsondecode(output.policy_json).Statement[0].Action == ["s3:GetObject"]
    error_message = "the inline policy is the one given"
  }
}

run "source_arn_narrows_the_trust" {
  command = apply
  variables {
    source_arn_like = "arn:aws:states:*:123456789012:stateMachine:frugal-test-guard"
  }
  assert {
    condition     = jsondecode(output.assume_role_policy_json).Statement[0].Condition.ArnLike["aws:SourceArn"] == "arn:aws:states:*:123456789012:stateMachine:frugal-test-guard"
    error_message = "the source ARN condition must be added"
  }
}

run "rejects_wildcard_actions" {
  command = plan
  variables {
    policy_json = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
  }
  expect_failures = [var.policy_json]
}

run "rejects_unknown_principal_form" {
  command = plan
  variables {
    service = "arn:aws:iam::123456789012:root"
  }
  expect_failures = [var.service]
}

run "rejects_non_policy_json" {
  command = plan
  variables {
    policy_json = "{}"
  }
  expect_failures = [var.policy_json]
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
