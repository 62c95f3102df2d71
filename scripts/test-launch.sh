#!/usr/bin/env bash
# Tests scripts/launch.sh (the java command line and the start-up archive) against the built
# jar: a copy of it in a temporary directory, so cli/target is left alone. Starts one ft
# server on 127.0.0.1:0 and stops it by PID. Then ./ft's build lock, on a copy of the sources
# (one Maven build of it). Usage: scripts/test-launch.sh (after a build)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$here/scripts/jdk.sh"
# shellcheck source=scripts/launch.sh
. "$here/scripts/launch.sh"
ft_use_jdk
unset FT_NO_ARCHIVE FT_TOKEN FT_TLS FT_CONFIG FT_QUIET FT_STDERR_TTY

[ -f "$here/cli/target/ft.jar" ] || { echo "test-launch: build first (./ft --version)" >&2; exit 2; }
t="$(mktemp -d "${TMPDIR:-/tmp}/ft-test-launch.XXXXXX")"
pid=""
cleanup() { [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$t"; }
trap cleanup EXIT
cp "$here/cli/target/ft.jar" "$t/ft.jar"
jar="$t/ft.jar"
archive="$(ft_archive_file "$jar")"
export XDG_CACHE_HOME="$t/cache" XDG_CONFIG_HOME="$t/config"
failures=0
check() { # DESCRIPTION CONDITION...
  local what="$1"; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}

mkdir -p "$t/root" "$t/out"
head -c 4096 /dev/urandom > "$t/root/tiny.bin"
want="$(md5sum < "$t/root/tiny.bin" | cut -d' ' -f1)"
"$JAVA_HOME/bin/java" -jar "$jar" serve --root "$t/root" --listen 127.0.0.1:0 > "$t/serve.log" 2>&1 &
pid=$!
addr="$(ft_serving_address "$t/serve.log" "$pid")"
[ -n "$addr" ] || { cat "$t/serve.log" >&2; echo "test-launch: the server did not start" >&2; exit 1; }
export FT_SERVER="$addr"

# get_exact: ft get through ft_java_argv prints exactly the md5 line, nothing on stderr, exit 0.
get_exact() {
  local cmd out err
  mapfile -t cmd < <(ft_java_argv "$jar")
  rm -f "$t/out/tiny.bin"
  "${cmd[@]}" get tiny.bin -o "$t/out/tiny.bin" > "$t/stdout" 2> "$t/stderr" || return 1
  out="$(cat "$t/stdout")" err="$(cat "$t/stderr")"
  [ "$out" = "$want  $t/out/tiny.bin" ] && [ -z "$err" ] && cmp -s "$t/root/tiny.bin" "$t/out/tiny.bin"
}
# grep reads all of ft_java_argv's output: with grep -q it may exit at the first match, and
# under pipefail the printf that then writes into a closed pipe (SIGPIPE) failed the check.
argv_has() { ft_java_argv "$jar" | grep -- "$1" >/dev/null; }
argv_lacks() { ! argv_has "$1"; }
state_is() { [ "$(ft_archive_state "$jar")" = "$1" ]; }

check "no archive yet: stale, and ft runs without one" state_is stale
check "  the command line names no archive" argv_lacks "$archive"
check "  get prints exactly its md5 line" get_exact

check "the training run makes the archive" ft_make_archive "$jar"
check "  it is fresh for this jar and JDK" state_is fresh
check "  the command line uses it" argv_has "$archive"
check "  get prints exactly its md5 line" get_exact
# shellcheck disable=SC2016 # the inner script expands its own positional arguments
check "  FT_NO_ARCHIVE=1 leaves it out" env FT_NO_ARCHIVE=1 bash -c '. "$1/scripts/jdk.sh"; . "$1/scripts/launch.sh"; ! ft_java_argv "$2" | grep -- "$3" >/dev/null' _ "$here" "$jar" "$archive"

# An archive that no longer fits, with an .id that claims it does: the JVM must fall back
# silently (no word on stdout, which is data, or stderr).
cp "$archive" "$t/good.archive"
head -c 100000 "$t/good.archive" > "$archive"
check "truncated archive claimed fresh: get still exact" get_exact
: > "$archive.empty"; cp "$archive.empty" "$archive"
check "empty archive: state is not fresh" state_is stale
cp "$t/good.archive" "$archive"
touch -r "$jar" "$t/jar.mtime"
touch -d "@$(( $(stat -c %Y "$jar") + 60 ))" "$jar"   # the jar changed after the archive was made
check "jar changed: the archive is stale" state_is stale
check "  and left out" argv_lacks "$archive"
ft_archive_id "$jar" > "$archive.id"   # lie: claim the old archive fits the changed jar
check "jar changed, archive claimed fresh: get still exact" get_exact
touch -r "$t/jar.mtime" "$jar"

ft_archive_id "$jar" > "$archive.failed"; rm -f "$archive" "$archive.id"
check "a failed attempt for this jar and JDK is not retried" state_is failed
check "  and ft runs without an archive" argv_lacks "$archive"

# A jar in a directory this user cannot write (someone else's build): no archive, quietly,
# at once. Root can write anywhere, so the check runs as nobody when there is one.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
  mkdir -p "$t/ro" && cp "$jar" "$t/ro/ft.jar" && chmod 755 "$t" "$t/ro" && chmod 644 "$t/ro/ft.jar"
  unwritable() {
    # shellcheck disable=SC2016 # the inner script expands its own positional arguments
    su -s /bin/bash nobody -c '. "$1/scripts/jdk.sh"; . "$1/scripts/launch.sh"; export JAVA_HOME="$2"
      e="$(ft_make_archive "$3" 2>&1)" && exit 1; [ -z "$e" ] && [ ! -e "${3%.jar}.aot" ] && [ ! -e "${3%.jar}.jsa" ]' \
      _ "$here" "$JAVA_HOME" "$t/ro/ft.jar"
  }
  check "unwritable jar directory: no archive, no message" unwritable
fi

# ./ft's build lock, on a copy of the sources (never this tree's target/): two ./ft commands
# started together in a tree with no jar must both work, with one build and one archive
# between them; a fresh tree never waits for the lock. This costs one Maven build of the copy
# (about 30-60 s) and one training run for its archive (a few seconds).
src="$t/src"
mkdir -p "$src"
modules=()
for pom in "$here"/*/pom.xml; do modules+=("$(basename "$(dirname "$pom")")"); done
tar -C "$here" --exclude=target --exclude=.git -cf - pom.xml .mvn ft scripts "${modules[@]}" | tar -C "$src" -xf -
src_jar="$src/cli/target/ft.jar"
src_lock="$src/cli/target/.ft-build.lock"
want_version="$("$JAVA_HOME/bin/java" -jar "$jar" --version)"
count() { { grep -h -- "$1" "$t/v1.err" "$t/v2.err" || true; } | wc -l; }   # lines saying $1, both commands

completing_unbuilt() { # a shell's TAB must not start a build: no candidates, no words, no jar
  FT_COMPLETING=1 "$src/ft" complete-remote x > "$t/c.out" 2> "$t/c.err" \
    && [ ! -s "$t/c.out" ] && [ ! -s "$t/c.err" ] && [ ! -e "$src_jar" ]
}
check "./ft while completing, before any build: exits 0, says nothing, builds nothing" completing_unbuilt

"$src/ft" --version > "$t/v1.out" 2> "$t/v1.err" & p1=$!
"$src/ft" --version > "$t/v2.out" 2> "$t/v2.err" & p2=$!
r1=0; wait "$p1" || r1=$?
r2=0; wait "$p2" || r2=$?
both_ok() { [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ]; }
both_print_version() { [ "$(cat "$t/v1.out")" = "$want_version" ] && [ "$(cat "$t/v2.out")" = "$want_version" ]; }
check "two ./ft --version at once in an unbuilt tree: both exit 0" both_ok
check "  both print the version" both_print_version
check "  one of them built the jar, the other waited and found it fresh" [ "$(count 'ft: building')" -eq 1 ]
check "  one start-up archive made between them" [ "$(count 'making the start-up archive')" -eq 1 ]
if [ "$r1$r2" != 00 ]; then tail -n 20 "$t/v1.err" "$t/v2.err" >&2 || true; fi

# Someone else holds the lock from here on (as a build would).
exec 8>>"$src_lock"
flock -n 8
fresh_never_waits() { # jar and archive fresh: no lock taken, so no waiting behind a build
  timeout 60 "$src/ft" --version 8>&- > "$t/f.out" 2> "$t/f.err" \
    && [ "$(cat "$t/f.out")" = "$want_version" ] && [ ! -s "$t/f.err" ]
}
check "jar and archive fresh: ./ft does not wait for a held lock" fresh_never_waits

src_archive="$(ft_archive_file "$src_jar")"
rm -f "$src_archive" "$src_archive.id"
completing_no_archive() { # completing runs without an archive rather than wait to make one
  FT_COMPLETING=1 timeout 60 "$src/ft" --version 8>&- > "$t/c.out" 2> "$t/c.err" \
    && [ "$(cat "$t/c.out")" = "$want_version" ] && [ ! -s "$t/c.err" ] && [ ! -e "$src_archive" ]
}
check "archive missing, lock held: completing runs at once without it" completing_no_archive

"$src/ft" --version 8>&- > "$t/w.out" 2> "$t/w.err" & pw=$!
waits() { # until it says it is waiting (bounded), then it must still be waiting, archive unmade
  for _ in $(seq 1200); do
    grep -- 'waiting for another ft command' "$t/w.err" >/dev/null && break
    sleep 0.05
  done
  grep -- 'waiting for another ft command' "$t/w.err" >/dev/null && kill -0 "$pw" 2>/dev/null && [ ! -e "$src_archive" ]
}
check "archive missing, lock held: ./ft waits for the lock" waits
exec 8>&-   # release it
rw=0; wait "$pw" || rw=$?
made_after_lock() {
  [ "$rw" -eq 0 ] && [ "$(cat "$t/w.out")" = "$want_version" ] \
    && [ "$(ft_archive_state "$src_jar")" = fresh ]
}
check "  and once it is free makes the archive and runs" made_after_lock

if [ "$failures" -ne 0 ]; then echo "test-launch: $failures check(s) failed" >&2; exit 1; fi
echo "test-launch: all checks passed"
