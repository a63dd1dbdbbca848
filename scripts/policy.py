"""Policy effects under parameter uncertainty (make policy): every institution setting against the status quo. (redphone/commands/policy.py; `python scripts/policy.py --help`)."""

import sys

from redphone.commands.policy import main

if __name__ == "__main__":
    sys.exit(main())
