provider "aws" {
  region = "eu-west-1"
}

module "lakehouse" {
  source = "../.."

  namespace   = "frugal"
  environment = "dev"
  emails      = { failure = ["oncall@example.com"] }
  guard       = { lifetime_seconds = 7200, dry_run = true }
  pipeline = {
    wordpress_endpoints = {
      posts              = "https://blog.example.com/wp-json/wp/v2/posts"
      statistics_pages   = "https://blog.example.com/wp-json/lakehouse/v1/statistics_pages"
      term_relationships = "https://blog.example.com/wp-json/lakehouse/v1/term_relationships"
      term_taxonomy      = "https://blog.example.com/wp-json/lakehouse/v1/term_taxonomy"
      terms              = "https://blog.example.com/wp-json/lakehouse/v1/terms"
    }
    dist_dir = "${path.root}/../../../../dist"
  }
}
