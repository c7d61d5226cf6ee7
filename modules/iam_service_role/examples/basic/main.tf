provider "aws" {
  region = "eu-west-1"
}

module "role" {
  source = "../.."

  name    = "frugal-dev-example"
  service = "glue.amazonaws.com"
  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadRaw"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::frugal-dev-raw-123456789012/wordpress_api/*"]
    }]
  })
}
