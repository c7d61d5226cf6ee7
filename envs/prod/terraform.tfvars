region      = "eu-west-1"
owner       = "data-platform"
cost_centre = "analytics"

success_emails = ["data-platform@example.com"]
failure_emails = ["data-platform-oncall@example.com", "finops@example.com"]

wordpress_site = "https://www.example.com" # runs the lakehouse-export plugin
