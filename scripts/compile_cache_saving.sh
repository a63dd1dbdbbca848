#!/usr/bin/env bash
# Measure what the persistent JAX compilation cache saves a job: the same small run in two
# processes, the first with an empty cache folder, the second with the cache the first left.
#   scripts/compile_cache_saving.sh [overrides...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
cache=$(mktemp -d /tmp/redphone-jax-cache.XXXXXX)
out=$(mktemp -d /tmp/redphone-cache-runs.XXXXXX)
trap 'rm -rf "$cache" "$out"' EXIT
secs=()
args=(population.public=1000 population.media=10 replicates=8 days=60 "jax.compilation_cache_dir=$cache" "$@")
for attempt in cold warm; do
    start=$(date +%s.%N)
    "$PY" scripts/run.py "${args[@]}" "hydra.run.dir=$out/$attempt" 2>/dev/null
    secs[${#secs[@]}]=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
done
echo "job with an empty compilation cache: ${secs[0]} s; with the cache: ${secs[1]} s;" \
     "saving: $(awk -v a="${secs[0]}" -v b="${secs[1]}" 'BEGIN { printf "%.1f s (%.0f%%)", a - b, 100 * (a - b) / a }') per job"
