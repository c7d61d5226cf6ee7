"""What the generic raw engine (lakehouse_common.raw_http) needs to know about WordPress beyond its
contract: the shape of the credentials secret (a WordPress user and one of its application
passwords) and the lakehouse-export plugin's errors, named so the site owner knows what to fix.

Bundled into every artifact by tools/package.py as lakehouse_contracts/wordpress_api_raw_hooks.py;
no imports beyond the standard library (it runs in the Lambda runtime as it is).
"""

from typing import Optional

# The credentials secret: {"username": ..., "application_password": ...} (Users > Profile >
# Application Passwords in WordPress).
CREDENTIAL_FIELDS = ("username", "application_password")


def describe_error(status: int, code: Optional[str], message: str, site: str) -> Optional[str]:
    """The cause of a non-200 answer from the plugin's routes, or None (the engine's wording)."""
    if status == 403:
        return f"user lacks the lakehouse_export capability on {site} (403)"
    if code == "lakehouse_statistics_unavailable":
        return f"{site} has no WP Statistics ({status}): {message}"
    if code == "rest_no_route":
        return f"{site} has no such route (404): is the lakehouse-export plugin active?"
    return None
