"""`make test` on a researcher's machine: as an unprivileged user it installs nothing and the
system-dependent tests skip loudly; a .venv made by another Python is rebuilt."""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent
USER = "redphone-test"


@pytest.fixture(scope="module")
def unprivileged_user():
    if os.geteuid() != 0:
        unavailable("root (to create an unprivileged user for this test)", "run the tests as root, as CI does")
    if not shutil.which("useradd") or not shutil.which("setpriv"):
        unavailable("useradd and setpriv", "apt-get install passwd util-linux")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/bash", USER], check=True)
    probe = _as(USER, ["id", "-u"], "/tmp")
    if probe.returncode != 0 or probe.stdout.strip() == "0":
        unavailable("dropping to an unprivileged user with setpriv", f"a kernel and container that allow it ({probe.stderr.strip()[:200]})")
    return USER


def _as(user, command, home, env_extra=None, timeout=900):
    """Run as ``user`` (uid and groups: not root), keeping one capability: to read any file. The venv's
    Python may live where only root can read (pyenv under /root); the user may read it, not write it."""
    entry = pwd.getpwnam(user)
    # the checkout belongs to root here, not to the user: what the tests write goes to the user's home
    env = ["env", "-i", f"HOME={home}", f"PATH={os.environ['PATH']}", f"JAX_COMPILATION_CACHE_DIR={home}/jax", "LANG=C.UTF-8",
           f"REDPHONE_TEST_ARTIFACTS={home}/test-artifacts"]
    env += [f"{k}={v}" for k, v in (env_extra or {}).items()]
    drop = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
            "--inh-caps=-all,+dac_read_search", "--ambient-caps=+dac_read_search", "--"]
    return subprocess.run([*drop, *env, *command], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_make_test_as_an_unprivileged_user_installs_nothing_and_skips_system_tests_loudly(unprivileged_user):
    assert subprocess.run(["make", "-q", "venv"], cwd=ROOT).returncode == 0, "run `make venv` first: the user cannot write .venv"
    home = tempfile.mkdtemp(prefix="redphone-test-home-")
    os.chmod(home, 0o777)
    slurm_up = subprocess.run(["bash", "scripts/slurm/local-cluster.sh", "status"], cwd=ROOT, capture_output=True).returncode == 0
    # with SLURM down, its tests are selected to see them skip loudly; with it up they are left out: slurmd
    # starts the job's Python as this user without the read capability, and the venv's Python may live
    # under /root (pyenv), which the user cannot read
    selection = "tests/test_dashboard_browser.py tests/test_cluster.py -k '" + ("" if slurm_up else "slurm or ") + "hotline or bad_values' -m slow"
    done = _as(unprivileged_user, ["make", "--no-print-directory", "test", f"PYTEST_ARGS={selection}"], home)
    out = done.stdout + done.stderr
    assert "must run as root" not in out and "installing" not in out, out[-3000:]
    assert done.returncode == 0, out[-3000:]
    if shutil.which("chromium"):  # what the machine has runs, as this user too
        assert " passed" in out, out[-3000:]
    if not shutil.which("chromium") or not slurm_up:
        assert "SYSTEM TESTS SKIPPED" in out, out[-3000:]
    if not shutil.which("chromium"):
        assert "apt-get install chromium" in out
    if not slurm_up:
        assert "SLURM" in out and "local-cluster.sh start" in out
        required = _as(unprivileged_user, ["make", "--no-print-directory", "test", f"PYTEST_ARGS={selection}"], home,
                       {"REDPHONE_SYSTEM_TESTS": "required"})
        assert required.returncode != 0 and "REDPHONE_SYSTEM_TESTS=required" in required.stdout, required.stdout[-3000:]
    shutil.rmtree(home, ignore_errors=True)


def test_a_venv_made_by_another_python_is_rebuilt(tmp_path):
    other = next((shutil.which(p) for p in ("python3.11", "python3.10", "python3") if shutil.which(p)), None)
    version = subprocess.run([other, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True).stdout.strip() if other else ""
    if version in ("", "3.12", "3.13"):
        pytest.skip("no Python other than 3.12/3.13 on this machine to make a wrong .venv with")
    venv = tmp_path / "venv"
    subprocess.run([other, "-m", "venv", "--without-pip", str(venv)], check=True)
    done = subprocess.run(["make", "-n", "venv", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True)
    assert f"{venv} was built by Python {version}, redphone needs 3.12 or 3.13: rebuilding it" in done.stdout
    assert not venv.exists()
