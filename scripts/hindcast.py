"""Replay the record: the seven hindcast presets against the crises they stand for (make hindcast). (redphone/commands/hindcast.py; `python scripts/hindcast.py --help`)."""

import sys

from redphone.commands.hindcast import main

if __name__ == "__main__":
    sys.exit(main())
