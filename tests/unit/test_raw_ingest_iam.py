"""The generic raw function's IAM manifest (lambda_src/raw_ingest/iam_calls.json) filled for each
kind of deployment: it lists the calls the code makes there and no other, so `make verify` asks
about a secret only where a source has credentials, and about the landing bucket only where a
source has drops."""

from iam_calls import REPO_ROOT, manifest_calls

MANIFEST = REPO_ROOT / "lambda_src" / "raw_ingest" / "iam_calls.json"
AWS = {"region": "eu-west-1", "account": "123456789012"}
COMMON = {"RAW_BUCKET": "raw", "FAILURE_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:failed"}
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wp-AbCdEf"


def actions(env):
    return sorted({call.action for call in manifest_calls(MANIFEST, {"env": env, "aws": AWS})})


def test_an_http_source_with_credentials_reads_its_endpoints_and_secret():
    env = {**COMMON, "SOURCE_NAME": "wordpress_api", "ENDPOINTS_PARAMETER": "/x/endpoints"}
    calls = manifest_calls(MANIFEST, {"env": {**env, "CREDENTIALS_SECRET_ARN": SECRET}, "aws": AWS})
    assert {call.action for call in calls} == {
        "s3:ListBucket", "s3:PutObject", "sns:Publish", "ssm:GetParameter", "secretsmanager:GetSecretValue",
    }  # fmt: skip
    assert [c.resource for c in calls if c.action == "secretsmanager:GetSecretValue"] == [SECRET]
    assert [c.resource for c in calls if c.action == "ssm:GetParameter"] == [
        "arn:aws:ssm:eu-west-1:123456789012:parameter/x/endpoints"
    ]
    # Without credentials (a public API) no secret is read, and none is asked about.
    assert "secretsmanager:GetSecretValue" not in actions({**env, "CREDENTIALS_SECRET_ARN": ""})


def test_a_landing_source_reads_only_its_drops():
    env = {**COMMON, "SOURCE_NAME": "music_library", "LANDING_BUCKET": "landing", "LANDING_PREFIX": "in/"}
    calls = manifest_calls(MANIFEST, {"env": env, "aws": AWS})
    assert {call.action for call in calls} == {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "sns:Publish"}
    assert ("s3:prefix", "in/music_library/plays/") in {pair for call in calls for pair in call.context}
