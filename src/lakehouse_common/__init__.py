"""Code shared by every artifact of the bundle (Lambdas and Glue jobs).

Each artifact bundles this package; nothing here is copied between artifacts. It must import on
Python 3.9 (Glue Python shell) and must not import pandas/pyarrow/awswrangler at module level
(Lambda zips rely on the AWS SDK for pandas layer for those, and some helpers are used without it).
"""
