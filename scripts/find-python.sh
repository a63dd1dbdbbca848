#!/usr/bin/env bash
# Print the path of a Python 3.12 or 3.13 interpreter that really runs.
# Order: python3.13 / python3.12 on PATH, then pyenv's installed versions.
# pyenv shims answer `command -v` even when the version is not selected, so each
# candidate is run once before it is trusted.
set -u
works() { "$1" -c 'import sys, venv; sys.exit(0 if (3, 12) <= sys.version_info[:2] < (3, 14) else 1)' >/dev/null 2>&1; }
for name in python3.13 python3.12 python3; do
    path=$(command -v "$name" 2>/dev/null) || continue
    if works "$path"; then echo "$path"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for dir in $(ls -d "$root"/versions/3.13* "$root"/versions/3.12* 2>/dev/null | sort -rV); do
        for exe in "$dir"/bin/python3.13 "$dir"/bin/python3.12; do
            if [ -x "$exe" ] && works "$exe"; then echo "$exe"; exit 0; fi
        done
    done
fi
cat >&2 <<'MSG'
error: redphone needs Python 3.12 or 3.13 (Mesa 3.5 needs >= 3.12; Hydra 1.3 breaks on 3.14).
Install one, for example:
  Debian/Ubuntu:  apt-get install python3.12 python3.12-venv   (or python3.13)
  pyenv:          pyenv install 3.12
  macOS:          brew install python@3.12
then run the make target again (or set PYTHON=/path/to/python3.12).
MSG
exit 1
