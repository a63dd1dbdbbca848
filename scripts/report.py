"""Summarise a sweep (or a single run): one row per setting with 95% intervals, and crisis level over time. (redphone/commands/report.py; `python scripts/report.py --help`)."""

import sys

from redphone.commands.report import main

if __name__ == "__main__":
    sys.exit(main())
