region      = "eu-west-1"
owner       = "data-platform"
cost_centre = "analytics-dev"

success_emails = ["data-platform@example.com"]
failure_emails = ["data-platform-oncall@example.com"]

wordpress_endpoints = {
  posts              = "https://www.example.com/wp-json/wp/v2/posts"
  statistics_pages   = "https://www.example.com/wp-json/lakehouse/v1/statistics_pages"
  term_relationships = "https://www.example.com/wp-json/lakehouse/v1/term_relationships"
  term_taxonomy      = "https://www.example.com/wp-json/lakehouse/v1/term_taxonomy"
  terms              = "https://www.example.com/wp-json/lakehouse/v1/terms"
}
