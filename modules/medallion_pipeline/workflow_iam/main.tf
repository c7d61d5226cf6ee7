# The workflow role's statements as a pure function of the resources the workflow calls: no
# providers, no resources, so tests/unit/test_pipeline_iam.py can apply it offline and check it
# against the calls derived from the rendered definition.

terraform {
  required_version = ">= 1.9"
}

variable "glue_arn_prefix" {
  description = "arn:<partition>:glue:<region>:<account>"
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:glue:[a-z0-9-]+:[0-9]{12}$", var.glue_arn_prefix))
    error_message = "glue_arn_prefix must look like arn:aws:glue:<region>:<account>."
  }
}

variable "function_arns" {
  description = "Unqualified ARNs of the functions the workflow invokes."
  type        = list(string)
}

variable "job_arns" {
  description = "ARNs of the Glue jobs the workflow runs with .sync."
  type        = list(string)
}

variable "crawler_arns" {
  description = "ARNs of the crawlers the workflow starts and polls."
  type        = list(string)
}

variable "database_names" {
  description = "Catalog databases whose tables the workflow counts (GetTables)."
  type        = list(string)
}

variable "ruleset_arns" {
  description = "ARNs of the data-quality rulesets the workflow evaluates (one per gated dataset)."
  type        = list(string)
}

variable "quality_role_arn" {
  description = "Role the evaluation run uses (passed by the workflow)."
  type        = string
}

variable "topic_arns" {
  description = "Topics the workflow publishes to."
  type        = list(string)
}

output "statements" {
  description = "Least-privilege statements in the state_machine module's policy_statements shape."
  value = [
    {
      sid        = "InvokeFunctions"
      actions    = ["lambda:InvokeFunction"]
      resources  = var.function_arns
      conditions = []
    },
    {
      # .sync: Step Functions polls GetJobRun/GetJobRuns and stops the run with BatchStopJobRun on
      # abort; the documented policy for the synchronous pattern lists all four
      # (https://docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html).
      sid        = "RunGlueJobs"
      actions    = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
      resources  = var.job_arns
      conditions = []
    },
    {
      sid        = "RunCrawlers"
      actions    = ["glue:StartCrawler", "glue:GetCrawler"]
      resources  = var.crawler_arns
      conditions = []
    },
    {
      # GetTables is authorised on the catalog, the database and its tables.
      sid        = "CountLayerTables"
      actions    = ["glue:GetTables"]
      resources  = concat(["${var.glue_arn_prefix}:catalog"], flatten([for db in var.database_names : ["${var.glue_arn_prefix}:database/${db}", "${var.glue_arn_prefix}:table/${db}/*"]]))
      conditions = []
    },
    {
      sid        = "StartQualityRun"
      actions    = ["glue:StartDataQualityRulesetEvaluationRun"]
      resources  = var.ruleset_arns
      conditions = []
    },
    {
      # These two reads take only a run/result id; IAM offers no resource type for them, so "*".
      sid        = "ReadQualityRun"
      actions    = ["glue:GetDataQualityRulesetEvaluationRun", "glue:GetDataQualityResult"]
      resources  = ["*"]
      conditions = []
    },
    {
      sid        = "PassQualityRole"
      actions    = ["iam:PassRole"]
      resources  = [var.quality_role_arn]
      conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["glue.amazonaws.com"] }]
    },
    {
      sid        = "PublishNotifications"
      actions    = ["sns:Publish"]
      resources  = var.topic_arns
      conditions = []
    },
  ]
}
