"""The redphone Hydra app as a script: the same app as the ``redphone`` command (see redphone/cli.py).

    python scripts/run.py preset=india_pakistan_2025 replicates=200
    python scripts/run.py -m institutions.hotline=false,true institutions.track2=false,true
"""

from redphone.cli import run

if __name__ == "__main__":
    run()
