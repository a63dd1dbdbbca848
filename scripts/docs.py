"""Write the docs' numbers and lists from the code and the saved results (redphone/commands/docs.py; `python scripts/docs.py --help`)."""

import sys

from redphone.commands.docs import main

if __name__ == "__main__":
    sys.exit(main())
