"""Sobol indices and PRIM boxes for the status quo, on batched runs (make sensitivity). (redphone/commands/sensitivity.py; `python scripts/sensitivity.py --help`)."""

import sys

from redphone.commands.sensitivity import main

if __name__ == "__main__":
    sys.exit(main())
