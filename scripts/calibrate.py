"""Bayesian calibration of the status quo to the India-Pakistan record (make calibrate). (redphone/commands/calibrate.py; `python scripts/calibrate.py --help`)."""

import sys

from redphone.commands.calibrate import main

if __name__ == "__main__":
    sys.exit(main())
