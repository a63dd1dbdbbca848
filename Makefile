# redphone: every target sets itself up. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The interpreter that builds the venv: python3.13/3.12 on PATH, else pyenv's (scripts/find-python.sh).
PYTHON ?= $(shell scripts/find-python.sh)
REPLICATES ?= 200
DAYS ?= 120
# QUICK=1 shrinks figures, bench, calibrate and sensitivity to quick runs
QUICK ?=
export JAX_COMPILATION_CACHE_DIR ?= $(CURDIR)/.jax_cache

.PHONY: run test test-fast venv bench figures clean docs-params docs

# A .venv made by another Python (say `python3 -m venv .venv` with the machine's 3.11) is rebuilt, not reused;
# one whose Python does not start (moved, deleted, unreadable) stops make with one line.
VENV_PYTHON := $(shell test -e $(VENV) && { $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo none; })
ifeq ($(VENV_PYTHON),none)
$(error $(VENV)/bin/python does not run here (its Python was moved or removed, or is not readable by $(shell id -un)): remove $(VENV) (make clean) to rebuild it)
else ifneq ($(filter-out 3.12 3.13,$(VENV_PYTHON)),)
$(info == $(VENV) was built by Python $(VENV_PYTHON), redphone needs 3.12 or 3.13: rebuilding it)
$(shell rm -rf $(VENV))
endif

# The environment is the lockfile's (requirements.lock: every package pinned, the one CI installs); redphone
# itself goes on top, editable and without resolving again. `make lock` rewrites the lockfile from pyproject.toml.
$(STAMP): pyproject.toml requirements.lock
	@if [ -z "$(PYTHON)" ]; then exit 1; fi
	@echo "== setting up $(VENV) with $(PYTHON)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@log=$$( { $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -r requirements.lock && $(PY) -m pip install -q --no-deps -e .; } 2>&1 ) \
	    || { echo "$$log"; echo "== pip install failed (above)"; exit 1; }
	@touch $(STAMP)

venv: $(STAMP)

# Re-pin requirements.lock: a fresh venv from pyproject.toml's [dev] extra (newest versions allowed), frozen.
.PHONY: lock
lock:
	@rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock && $(VENV)-lock/bin/python -m pip install -q --upgrade pip \
	    && $(VENV)-lock/bin/python -m pip install -q ".[dev]" \
	    && { sed -n '1,3p' requirements.lock; $(VENV)-lock/bin/python -m pip freeze --exclude redphone; } > requirements.lock.tmp \
	    && mv requirements.lock.tmp requirements.lock && rm -rf $(VENV)-lock && echo "== wrote requirements.lock"

# The question the project exists for: the 2025 status quo under hotline x Track-II.
# Each run gets a folder of its own (mktemp: two runs started in the same second never share one);
# SWEEP=<folder> resumes an interrupted run there (complete jobs are kept, the rest run again).
SWEEP ?=
run: $(STAMP)
	@mkdir -p multirun/main; \
	sweep="$(SWEEP)"; [ -n "$$sweep" ] || { sweep=$$(mktemp -d multirun/main/$$(date +%Y-%m-%d_%H-%M-%S)-XXXXXX) || exit 1; \
	    chmod "$$(printf %o $$(( 0777 & ~0$$(umask) )))" "$$sweep"; }; \
	echo "== results go to $$sweep; if interrupted, resume with: make run SWEEP=$$sweep REPLICATES=$(REPLICATES) DAYS=$(DAYS)"; \
	start=$$(date +%s); \
	$(PY) scripts/run.py -m preset=india_pakistan_2025 replicates=$(REPLICATES) days=$(DAYS) \
	    institutions.hotline=false,true institutions.track2=false,true hydra.sweep.dir=$$sweep \
	    || { status=$$?; echo "== stopped; resume with: make run SWEEP=$$sweep REPLICATES=$(REPLICATES) DAYS=$(DAYS)"; exit $$status; }; \
	echo "== simulation took $$(( $$(date +%s) - start )) s"; \
	$(PY) scripts/report.py $$sweep

# PYTEST_ARGS picks tests: make test PYTEST_ARGS="tests/test_engines.py -x"
PYTEST_ARGS ?=
# Tests run in TEST_WORKERS pytest-xdist processes (0: in this one). Much of the suite waits on subprocesses,
# compiles (one core each) or SLURM, so two workers overlap on a 2-core machine. --dist loadfile keeps each
# module on one worker, so a module fixture (a compiled run, a calibration, a server) is made once: under
# pytest 9.2, xdist 3.8's --dist loadgroup ignores xdist_group marks (it renames item._nodeid, which
# pytest no longer reads), and such fixtures were made once per worker and again after every interleaving.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile
test: $(STAMP) system-deps
	@$(PY) -m pytest -q -p no:cacheprovider $(XDIST) $(PYTEST_ARGS)

test-fast: $(STAMP)
	@$(PY) -m pytest -q -p no:cacheprovider $(XDIST) -m "not slow"

docs-params: $(STAMP)
	@$(PY) scripts/params_table.py > docs/parameters.md

# Every number and generated list in README, docs/validation.md and docs/ODD.md (redphone/commands/docs.py):
# docs/generated/<block>.md, spliced between the docs' markers. After the model changes: make calibrate WRITE=1,
# make policy, then make docs (which also copies the figures the docs show into docs/img at a page's size). tests/test_docs.py
# fails when a cheap block differs from its command.
docs: docs-params
	@$(PY) scripts/docs.py
	@$(PY) scripts/docs.py --images

clean:
	rm -rf $(VENV) outputs multirun .jax_cache

# -- the dashboard: watch one crisis day by day (Mesa's SolaraViz; docs/dashboard.md) --------------
# Solara's page loads its front-end files from a CDN these machines cannot reach: the fetch script
# puts the same npm packages into Solara's cache folder, from which the server answers offline.
# The browser tests drive Debian's chromium through Playwright (no browser download).
HOST ?= 127.0.0.1
PORT ?= 8765
DASHBOARD_ENV := SOLARA_TELEMETRY_MIXPANEL_ENABLE=false

.PHONY: dashboard dashboard-assets chromium

dashboard-assets: $(STAMP)
	@command -v npm >/dev/null || { echo "== installing npm (apt-get)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	@# the log goes to a temporary file: a user who may not write the venv (make test as another user) still gets it
	@log=$$(mktemp) && { $(PY) scripts/dashboard/fetch_solara_assets.py > $$log 2>&1 || { cat $$log; rm -f $$log; exit 1; }; } \
	    && tail -n 1 $$log && rm -f $$log

chromium:
	@command -v chromium >/dev/null || { echo "== installing chromium (apt-get)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# What the SLURM and browser tests need beyond Python. As root, `make test` installs it (apt-get: npm,
# chromium; the slurm fixture installs and starts slurm-wlm and munge, and stops them at the end unless
# REDPHONE_KEEP_DAEMONS=1). As anyone else it installs nothing: the tests that need what is missing skip
# with a notice naming it. REDPHONE_SYSTEM_TESTS=required makes those skips failures (.ci/run sets it).
.PHONY: system-deps
system-deps: $(STAMP)
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory dashboard-assets chromium; else \
	    missing=""; \
	    command -v chromium >/dev/null || missing="$$missing chromium"; \
	    command -v npm >/dev/null || missing="$$missing npm"; \
	    command -v sinfo >/dev/null || missing="$$missing slurm-wlm munge"; \
	    if [ -n "$$missing" ]; then echo "== not root: nothing is installed for you; the tests that need$$missing skip (install them, or see README 'Requirements')"; fi; \
	    if command -v npm >/dev/null; then $(MAKE) --no-print-directory dashboard-assets 2>/dev/null \
	        || echo "== could not fetch the dashboard's front-end files: the browser tests skip"; fi; \
	fi

# A user who may not write the venv (another account sharing a checkout) serves with the front-end files already there.
dashboard: $(STAMP)
	@if [ -w $(VENV)/share ] || [ ! -e $(VENV)/share ] && [ -w $(VENV) ]; then $(MAKE) --no-print-directory dashboard-assets; \
	    else echo "== $(VENV) is not writable by $$(id -un): the dashboard's front-end files are used as they were fetched"; fi
	@echo "== redphone dashboard: open http://$(HOST):$(PORT)/ in a browser (Ctrl-C stops it)"
	@$(DASHBOARD_ENV) $(VENV)/bin/solara run redphone.dashboard.app --host $(HOST) --port $(PORT) --production --no-open

# Every figure of the paper from one command (scripts/figures.py, docs/figures.md): runs what is
# missing into outputs/figures-data/, reuses complete results, writes figures/<name>.png/.pdf/.csv.
# QUICK=1: small sizes into figures/quick/, for tests (under 5 minutes on a 2-core CPU).
figures: $(STAMP)
	@$(PY) scripts/figures.py $(if $(filter 1,$(QUICK)),--quick)

# --- cluster (issue #4): a local single-node SLURM for the sweep tests; docs/cluster.md ---
.PHONY: slurm-up slurm-down compile-cache
# Idempotent: installs slurm-wlm and munge when missing, starts the daemons when down (needs root).
# `make test` does not need it: the tests start the cluster themselves (and stop it) when they can.
slurm-up:
	@log=$$(scripts/slurm/local-cluster.sh start 2>&1) || { echo "$$log"; exit 1; }

slurm-down:
	@scripts/slurm/local-cluster.sh stop

# The compile-cache saving: one small job with an empty cache, then again with the cache it left.
compile-cache: $(STAMP)
	@scripts/compile_cache_saving.sh

# Speed and memory, side by side (scripts/bench.py; docs/performance.md): `make bench QUICK=1` takes under 2 minutes.
# Results go to bench-results/ (git-ignored). Compile caches are off in the benchmark, so compile times are real.
# DEVICE=gpu installs the cuda extra and runs the same table on the GPU (with its peak memory and the 1e6 x 64 row).
# The Numba peer needs the bench extra (in dev); a venv built before it gets it here.
DEVICE ?=
bench: $(STAMP)
	@$(PY) -c "import numba" 2>/dev/null || $(PY) -m pip install -q -e ".[bench]"
	@$(if $(filter gpu,$(DEVICE)),$(PY) -c "import jax; assert jax.default_backend() == 'gpu'" 2>/dev/null || $(PY) -m pip install -q -e ".[cuda]")
	@$(PY) scripts/bench.py $(if $(QUICK),--quick) $(if $(filter gpu,$(DEVICE)),--gpu) --out bench-results

# ---------------------------------------------------------------- calibration and global sensitivity (issue 6)
# `make calibrate`: Bayesian calibration of the status quo (history matching, then neural posterior estimation) on datasets
# shaped like the record since 1990: posteriors/status_quo.nc and every diagnostic in figures/ (docs/validation.md);
# `make calibrate WRITE=1` also writes the posterior medians into the presets; `make calibrate SLURM=1
# SLURM_SET="partition=debug timeout_min=30"` sends the simulation rounds to SLURM as job arrays. `make sensitivity`: Sobol indices
# and PRIM boxes. QUICK=1 shrinks either to a smoke run (what CI runs).
.PHONY: calibrate policy sensitivity hindcast pathways forecast
WRITE ?=

calibrate: $(STAMP)
	@$(PY) scripts/calibrate.py $(if $(QUICK),--quick) $(if $(WRITE),--write) $(if $(SLURM),--slurm $(foreach s,$(SLURM_SET),--slurm-set $(s)))

# `make policy`: every institution setting against the status quo on 500 posterior draws x 16 replicates (common random
# numbers), long-run metrics from 30 years of long_run on 128 of them x 4: figures/policy_*.{csv,md,png} and the runs
# (policy_runs.npz). Needs posteriors/status_quo.nc (committed; make calibrate rewrites it). OUT=<folder> writes there;
# RENDER=1 re-renders the tables and figures from the saved runs without simulating; ESTIMATE=1 times a small fraction
# and prints how long the whole run would take on this machine (a few minutes; nothing written).
OUT ?=
RENDER ?=
ESTIMATE ?=
policy: $(STAMP)
	@$(PY) scripts/policy.py $(if $(QUICK),--quick) $(if $(OUT),--out $(OUT)) $(if $(RENDER),--render-only) $(if $(ESTIMATE),--estimate)

# `make pathways`: what carries each channel's effect (knock-outs and Shapley shares over its pathways, at the posterior median):
# figures/pathways{.md,.csv,_shapley.csv,_shapley.png}; QUICK=1: a smoke run (40 replicates of 50 citizens) into figures/quick/
pathways: $(STAMP)
	@$(PY) scripts/pathways.py $(if $(QUICK),--quick)

# `make hindcast`: the seven crises since 1990 replayed from their presets, figure and percentile table in figures/,
# and the ranking test beside them (rank correlations, scores per crisis against the pooled null: hindcast_scores.md)
hindcast: $(STAMP)
	@$(PY) scripts/hindcast.py $(if $(QUICK),--quick --out figures/quick)

# `make forecast`: leave-future-out forecasts: the calibration fitted on the crises up to 2016 (then 2019) forecasts
# 2019 and 2025 (then 2025), scored against the pooled null: figures/forecast.{md,csv,png}. 2 to 5 minutes on
# 2 cores; QUICK=1: a smoke run into figures/quick/
forecast: $(STAMP)
	@$(PY) scripts/forecast.py $(if $(QUICK),--quick)

sensitivity: $(STAMP)
	@$(PY) scripts/sensitivity.py $(if $(QUICK),--quick --out figures/quick)
