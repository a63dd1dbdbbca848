"""The headline numbers of README and docs/validation.md: the status quo against single institutions. (redphone/commands/headline.py; `python scripts/headline.py --help`)."""

import sys

from redphone.commands.headline import main

if __name__ == "__main__":
    sys.exit(main())
