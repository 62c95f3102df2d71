#!/usr/bin/env bash
# Coverage-guided fuzzing of ft's untrusted-input parsers with Jazzer (run by .ci/run).
#
#   scripts/fuzz.sh [MAVEN ARGS...]
#
# Runs every *FuzzTest in protocol and server in fuzzing mode (the Maven profile fuzz, see
# the parent pom), each in its own JVM for its @FuzzTest's maxDuration (30 s): FrameReader +
# HeaderCodec, HeaderCodec alone, Glob, RootJail. The normal test run only replays their
# corpora (src/test/resources/ft/*/<Class>Inputs/<method>/).
#
# A crash fails the run; Jazzer writes the input as crash-<sha1> into that corpus directory,
# where every later test run replays it. Keep the file, turn it into a plain @Test next to
# the target's other tests, and fix the code.
#
# Jazzer fuzzes only the first @FuzzTest of a JVM and reports the others as skipped, so a
# skipped fuzz test fails this script: each *FuzzTest class holds exactly one @FuzzTest.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$here/scripts/jdk.sh"
ft_use_jdk
cd "$here"
modules=(protocol server)

start=$SECONDS
for m in "${modules[@]}"; do rm -f "$m"/target/surefire-reports/TEST-*FuzzTest.xml; done   # this run's only
mvn -B -Pfuzz -pl "$(IFS=,; echo "${modules[*]}")" -am test "$@"

reports=()
for m in "${modules[@]}"; do
  for r in "$m"/target/surefire-reports/TEST-*FuzzTest.xml; do
    [ -e "$r" ] && reports+=("$r")
  done
done
if [ "${#reports[@]}" -eq 0 ]; then
  echo "fuzz: no fuzz test reports found: nothing was fuzzed" >&2
  exit 1
fi
status=0
for r in "${reports[@]}"; do
  if grep -q '<testsuite[^>]* skipped="[1-9]' "$r"; then
    echo "fuzz: $r has skipped tests: Jazzer fuzzes one @FuzzTest per JVM, so keep one per class" >&2
    status=1
  fi
done
echo "fuzz: ${#reports[@]} fuzz test classes fuzzed in $((SECONDS - start)) s" >&2
exit "$status"
