"""Every figure of the paper from one command: run what is missing, reuse what is complete, draw. (redphone/commands/figures.py; `python scripts/figures.py --help`)."""

import sys

from redphone.commands.figures import main

if __name__ == "__main__":
    sys.exit(main())
