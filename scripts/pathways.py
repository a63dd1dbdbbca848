"""What carries each institution's effect, and how far the social drivers move the decision (make pathways). (redphone/commands/pathways.py; `python scripts/pathways.py --help`)."""

import sys

from redphone.commands.pathways import main

if __name__ == "__main__":
    sys.exit(main())
