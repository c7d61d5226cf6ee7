"""Silver job of any source (Glue Python shell, Python 3.9): bronze -> audited silver snapshot.

The engine is `lakehouse_common.silver_job` (write-audit-publish, contract-driven transform); the
source's contract is the one packaged with the job (`--source_name` names it). Arguments, stages
and exit behaviour: docs/job-protocol.md.
"""

import sys

from lakehouse_common.silver_job import main

if __name__ == "__main__":
    main(sys.argv)
