"""The redphone Hydra app, as a script: the same app as the ``redphone`` command (redphone/cli.py).

    python scripts/run.py preset=india_pakistan_2025 replicates=200
    python scripts/run.py -m institutions.hotline=false,true institutions.track2=false,true

Writes results.nc, summary.parquet and COMPLETE into the run's Hydra output
folder (docs/guarantees.md). Every override is checked before any work: a bad
value gets one line naming the key and what is allowed, and exit status 2;
so does a run that cannot fit the machine (memory, devices). A full disk is
found before the computation starts, when possible, and gives one line and
exit status 1; any failure leaves ``FAILED`` with its message and no partial
file. A single run prints its summary table, the one ``make run`` prints.

A job whose folder already holds a complete result of the same config skips
the work and says so: re-running a sweep with the same ``hydra.sweep.dir``
redoes only the jobs that failed, were killed, or are stale (docs/cluster.md).
Under SLURM the job's ids are recorded in both files.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redphone.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
