# The AWS provider every module's `terraform test` plans and applies with (mock_provider "aws"
# { source = "../../tests/terraform/mocks/aws" }): one account, region and partition, and ARNs of
# the right shape for the resources whose ARNs other resources, policies and validations read. A
# test file adds mock_resource/mock_data blocks inside its mock_provider block for what it needs
# differently (they take precedence over these), for example the artifacts bucket's ARN, which
# must match the bucket name built from the test's namespace and source.
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}
# The AWS SDK for pandas layer the functions use, as its public Parameter Store entry names it.
mock_data "aws_ssm_parameter" {
  defaults = { value = "arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python312-Arm64:20", insecure_value = "arn:aws:lambda:eu-west-1:336392948345:layer:AWSSDKPandas-Python312-Arm64:20" }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
}
mock_resource "aws_lambda_function" {
  defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock" }
}
mock_resource "aws_glue_job" {
  defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:job/mock" }
}
mock_resource "aws_glue_crawler" {
  defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:crawler/mock" }
}
mock_resource "aws_glue_data_quality_ruleset" {
  defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:dataQualityRuleset/mock" }
}
mock_resource "aws_sfn_state_machine" {
  defaults = { arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:mock" }
}
mock_resource "aws_sqs_queue" {
  defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock", name = "mock" }
}
mock_resource "aws_ssm_parameter" {
  defaults = { arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/mock" }
}
mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::mock-bucket" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
}
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock-topic" }
}
mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/mock" }
}
mock_resource "aws_cloudtrail" {
  defaults = { arn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/mock" }
}
