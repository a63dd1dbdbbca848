"""Progress on long work, and Ctrl-C between chunks."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from redphone.model.lab import progress

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_meter_says_done_rate_and_time_left():
    meter = progress.Meter(100, "runs", "jax", started=time.perf_counter() - 10.0)
    line = meter.line(25)
    assert line.startswith("[jax] 25/100 runs (25%)") and "2.5 runs/s" in line and "about 30 s left" in line
    assert line.endswith(progress.PARTIAL)
    final = meter.line(100)
    assert "100/100 runs (100%)" in final and "left" not in final and not final.endswith(progress.PARTIAL)


def test_on_a_terminal_a_line_is_rewritten_in_logs_each_message_is_a_line(monkeypatch):
    tty = Terminal()
    for message in ("a 1/3 …", "a 2/3 …", "a 3/3"):
        progress.say(message, tty)
    assert tty.getvalue() == "\r\033[Ka 1/3 …\r\033[Ka 2/3 …\r\033[Ka 3/3\n"
    log = io.StringIO()
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    for message in ("a 1/3 …", "a 2/3 …", "a 3/3"):
        progress.say(message, log)
    assert log.getvalue() == "a 1/3 …\na 2/3 …\na 3/3\n"


def test_logs_get_at_most_one_unfinished_line_per_interval(monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr(progress, "LOG_EVERY", 3600.0)
    for message in ("b 1/4 …", "b 2/4 …", "b 3/4 …", "b 4/4"):
        progress.say(message, log)
    assert log.getvalue() == "b 1/4 …\nb 4/4\n"


@pytest.mark.slow
def test_ctrl_c_stops_between_chunks_within_a_second_and_says_what_was_kept(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": ""}
    cmd = [sys.executable, str(ROOT / "scripts" / "run.py"), "replicates=40000", "days=200", "population.public=200",
           "population.media=4", "batch.block=4", "batch.chunk=8", f"hydra.run.dir={out}"]
    # a suite started in the background of a non-interactive shell (nohup make test &) inherits SIGINT ignored, and a
    # Python started so never raises KeyboardInterrupt: the child gets the default disposition a terminal gives it
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    for line in proc.stderr:  # wait until the first chunk is fetched: compiled, running
        lines.append(line)
        if re.search(r"\] [1-9]\d*/40000 runs", line):
            break
    assert proc.poll() is None, "".join(lines)
    proc.send_signal(signal.SIGINT)
    sent = time.perf_counter()
    rest = proc.stderr.read()
    code = proc.wait(timeout=30)
    took = time.perf_counter() - sent
    assert code == 130, rest
    assert took < 2.0, f"took {took:.1f} s to stop"
    assert "interrupted after" in rest and "nothing was written" in rest, rest
    assert not (out / "results.nc").exists() and not (out / "summary.parquet").exists()
