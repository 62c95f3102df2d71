#!/usr/bin/env bash
# Checks every shell script of the repository with shellcheck (settings: .shellcheckrc).
# Run by ./run-tests; .ci/run installs shellcheck. Without shellcheck it fails under CI=true
# and otherwise says loudly that it skipped.
#
# The scripts: ./ft, ./run-tests, .ci/run, and every file in scripts/, bench/ and docker/
# that starts with a sh or bash shebang or says '# shellcheck shell=' (the sourced ones).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "shellcheck.sh: shellcheck is not installed (apt-get install shellcheck); under CI it must run" >&2
    exit 1
  fi
  echo "shellcheck.sh: WARNING: shellcheck is not installed; the scripts were NOT checked (apt-get install shellcheck)" >&2
  exit 0
fi

scripts=(ft run-tests .ci/run)
for f in scripts/* bench/* docker/*; do
  [ -f "$f" ] || continue
  first="$(head -n 1 "$f")"
  if [[ "$first" =~ ^#!.*(/|[[:space:]])(ba)?sh([[:space:]]|$) ]] || grep -q '^# shellcheck shell=' "$f"; then
    scripts+=("$f")
  fi
done
shellcheck -x "${scripts[@]}"
echo "shellcheck.sh: ${#scripts[@]} scripts clean" >&2
