"""Print docs/parameters.md: every parameter with its default, allowed range, meaning and source. (redphone/commands/params_table.py; `python scripts/params_table.py --help`)."""

import sys

from redphone.commands.params_table import main

if __name__ == "__main__":
    sys.exit(main())
