# A role one AWS service assumes on behalf of this account only, with one inline least-privilege
# policy. Every module of the project builds its roles here, so the trust policy (with its
# confused-deputy conditions) and the wildcard check live in one place.

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = var.service }
      Action    = "sts:AssumeRole"
      Condition = merge(
        { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } },
        var.source_arn_like == null ? {} : { ArnLike = { "aws:SourceArn" = var.source_arn_like } },
      )
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = var.policy_name
  role   = aws_iam_role.this.id
  policy = var.policy_json
}
