# Naming: the same hyphenated namespace every module accepts (the main test file shows the
# rejections). A file of its own because the mocked artifact bucket ARN must match the name.
mock_provider "aws" {
  source = "../../tests/terraform/mocks/aws"

  # The artifacts bucket's ARN must match its name: "<namespace>-<environment>-<source>-artifacts-<account>".
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::music-lib-test-wordpress-api-artifacts-123456789012" }
  }
}

variables {
  namespace   = "music-lib"
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

run "naming_accepts_a_hyphenated_namespace" {
  command = plan
}
