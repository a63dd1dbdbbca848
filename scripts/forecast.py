"""Leave-future-out forecasts: fit on the crises up to 2016 (and 2019), forecast the later ones (make forecast). (redphone/commands/forecast.py; `python scripts/forecast.py --help`)."""

import sys

from redphone.commands.forecast import main

if __name__ == "__main__":
    sys.exit(main())
