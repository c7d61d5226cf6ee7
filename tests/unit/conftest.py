# Fixture modules of the unit suites. pytest only accepts `pytest_plugins` in the root conftest,
# so each suite's fixture module is imported here (tests/unit is on sys.path in rootdir mode).
from fixtures_glue import bronze_small, glue_aws, glue_context, small_site, spark  # noqa: F401
from fixtures_lambda import lambda_aws, wordpress_api, wordpress_small  # noqa: F401
