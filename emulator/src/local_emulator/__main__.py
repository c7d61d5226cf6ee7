import sys

from local_emulator.cli import main

sys.exit(main())
