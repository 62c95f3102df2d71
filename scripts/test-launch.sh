#!/usr/bin/env bash
# Tests scripts/launch.sh (the java command line and the start-up archive) against the built
# jar: a copy of it in a temporary directory, so client/target is left alone. Starts one ft
# server on 127.0.0.1:0 and stops it by PID. Usage: scripts/test-launch.sh (after a build)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck source=jdk.sh
. "$here/scripts/jdk.sh"
# shellcheck source=launch.sh
. "$here/scripts/launch.sh"
ft_use_jdk
unset FT_NO_ARCHIVE FT_TOKEN FT_TLS FT_CONFIG FT_QUIET FT_STDERR_TTY

[ -f "$here/client/target/ft.jar" ] || { echo "test-launch: build first (./ft --version)" >&2; exit 2; }
t="$(mktemp -d "${TMPDIR:-/tmp}/ft-test-launch.XXXXXX")"
pid=""
cleanup() { [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$t"; }
trap cleanup EXIT
cp "$here/client/target/ft.jar" "$t/ft.jar"
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
for _ in $(seq 400); do
  addr="$(sed -n 's/^ft: serving .* on \(.*\)$/\1/p' "$t/serve.log")"
  [ -z "$addr" ] && kill -0 "$pid" 2>/dev/null || break
  sleep 0.025
done
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
    su -s /bin/bash nobody -c '. "$1/scripts/jdk.sh"; . "$1/scripts/launch.sh"; export JAVA_HOME="$2"
      e="$(ft_make_archive "$3" 2>&1)" && exit 1; [ -z "$e" ] && [ ! -e "${3%.jar}.aot" ] && [ ! -e "${3%.jar}.jsa" ]' \
      _ "$here" "$JAVA_HOME" "$t/ro/ft.jar"
  }
  check "unwritable jar directory: no archive, no message" unwritable
fi

if [ "$failures" -ne 0 ]; then echo "test-launch: $failures check(s) failed" >&2; exit 1; fi
echo "test-launch: all checks passed"
