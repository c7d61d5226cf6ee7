region      = "eu-west-1"
owner       = "data-platform"
cost_centre = "analytics"

# Notebooks also run in Frankfurt: guard it too (notifications still arrive in eu-west-1).
guard_other_regions = ["eu-central-1"]

success_emails = ["data-platform@example.com"]
failure_emails = ["data-platform-oncall@example.com", "finops@example.com"]

wordpress_site = "https://www.example.com" # runs the lakehouse-export plugin
