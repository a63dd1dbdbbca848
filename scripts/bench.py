"""Time the engines, the peers and the scaling (redphone/commands/bench.py; `python scripts/bench.py --help`)."""

import sys

from redphone.commands.bench import main

if __name__ == "__main__":
    sys.exit(main())
