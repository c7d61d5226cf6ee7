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
    # The site running the lakehouse-export plugin (wordpress_plugin/lakehouse-export); the five
    # routes are derived from it. The module creates the credentials secret (value stored by you).
    wordpress_site = "https://blog.example.com"
    dist_dir       = "${path.root}/../../../../dist"
  }
}
