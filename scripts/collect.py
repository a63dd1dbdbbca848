"""Collect a sweep folder into one tidy table and one dataset, naming every job that did not finish. (redphone/commands/collect.py; `python scripts/collect.py --help`)."""

import sys

from redphone.commands.collect import main

if __name__ == "__main__":
    sys.exit(main())
