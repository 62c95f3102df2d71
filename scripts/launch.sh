# shellcheck shell=bash
# Sourced by ./ft and bench/run (after scripts/jdk.sh and ft_use_jdk): the one java command
# line that runs ft, and the start-up archive that makes it start faster.
#
# The archive holds the classes ft loads (and, on JDK >= 25, their linked state and profiles),
# so the JVM maps them instead of reading, verifying and linking them on every run:
#   JDK >= 25: an AOT cache   (-XX:AOTCacheOutput to make it, -XX:AOTCache to use it)
#   JDK 21-24: a dynamic CDS archive (-XX:ArchiveClassesAtExit, -XX:SharedArchiveFile)
# It lives beside the jar (cli/target/ft.aot or ft.jsa) with an .id file naming the jar and
# the JDK it was made for; when either changes, ./ft makes it again. The JVM checks it too and,
# should it not fit, runs without it (its complaints are silenced: ft's stdout is data).
# FT_NO_ARCHIVE=1 runs without it and never makes one.

# Every function here runs on each ft command, so each forks as little as it can.
ft__major() { # sets $_ft_major to the major version of the JDK in $JAVA_HOME (once per JAVA_HOME)
  if [ "${_ft_major_of:-}" != "$JAVA_HOME" ]; then
    _ft_major="$(ft_java_major "$JAVA_HOME")"
    _ft_major_of="$JAVA_HOME"
  fi
}

ft_archive_file() { # JAR: the archive's path for the JDK in $JAVA_HOME
  ft__major
  if [ "$_ft_major" -ge 25 ]; then printf '%s\n' "${1%.jar}.aot"; else printf '%s\n' "${1%.jar}.jsa"; fi
}

ft_archive_id() { # JAR: what the archive was made from (the jar's and the JDK's files); any change means a new one
  local jvm="$JAVA_HOME/lib/server/libjvm.so"
  [ -f "$jvm" ] || jvm="$(find "$JAVA_HOME/lib" -name libjvm.so -print -quit 2>/dev/null)"
  printf 'ft-archive 2 %s\n' "$JAVA_HOME"
  stat -L -c '%s %Y %i' "$1" "$JAVA_HOME/release" "$jvm" 2>/dev/null
}

# ft_archive_state JAR: prints "fresh" (archive made for this jar and JDK), "failed" (making
# one for them failed before: do not try again) or "stale".
ft_archive_state() {
  local archive id
  archive="$(ft_archive_file "$1")"
  id="$(ft_archive_id "$1")"
  if [ -s "$archive" ] && [ -f "$archive.id" ] && [ "$(< "$archive.id")" = "$id" ]; then echo fresh
  elif [ -f "$archive.failed" ] && [ "$(< "$archive.failed")" = "$id" ]; then echo failed
  else echo stale
  fi
}

# Picocli reads and writes each option's field by reflection once; by default the JDK makes a
# method handle for each such field (spinning classes at run time), which costs more than the
# single access it serves. Native accessors do that access directly (ft calls nothing
# reflectively in a loop). About 6% of a small command's CPU.
FT_NATIVE_ACCESSORS=-Djdk.reflect.useNativeAccessorOnly=true

# A fresh client runs the TLS cipher (AES-GCM's counter mode and GHASH) as plain Java at
# ~46 MB/s for its first seconds, until C2 compiles the intrinsics: 0.7-0.9 s of CPU of every
# TLS transfer (measured for issue #15). Those methods are compiled after a twentieth of the
# usual invocations. "quiet" keeps the JVM from announcing it on stdout, which is ft's data.
FT_JIT_CRYPTO=(-XX:CompileCommand=quiet "-XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05")

# No -XX:TieredStopAtLevel=1 here, though it starts ft a little faster: C1 has no MD5
# intrinsic, and a 1 GiB get or put then took 20-30% more CPU (measured for issue #6).
#
# ft_java_argv JAR [STATE]: the command that runs ft, one argument per line (mapfile -t); ft's
# own arguments go after it. Uses the archive only when it is fresh (STATE: ft_archive_state's
# answer, when the caller has it already).
ft_java_argv() {
  local jar="$1" state="${2:-}"
  ft__major
  printf '%s\n' "$JAVA_HOME/bin/java" -XX:+UseSerialGC "$FT_NATIVE_ACCESSORS" "${FT_JIT_CRYPTO[@]}"
  if [ -z "${FT_NO_ARCHIVE:-}" ]; then
    [ -n "$state" ] || state="$(ft_archive_state "$jar")"
  fi
  if [ -z "${FT_NO_ARCHIVE:-}" ] && [ "$state" = fresh ]; then
    # AOTCache implies -Xshare:auto's fallback (and refuses the flag itself); for CDS it is spelt out.
    if [ "$_ft_major" -ge 25 ]; then
      printf '%s\n' '-Xlog:aot*=off,cds*=off' "-XX:AOTCache=${jar%.jar}.aot"
    else
      printf '%s\n' -Xshare:auto '-Xlog:cds*=off' "-XX:SharedArchiveFile=${jar%.jar}.jsa"
    fi
  else
    printf '%s\n' -Xshare:auto
  fi
  printf '%s\n' -jar "$jar"
}

# ft_serving_address LOG PID: the HOST:PORT that the 'ft serve' with PID announces in LOG,
# waited for up to 10 s; empty if it stops or stays silent.
ft_serving_address() {
  local log="$1" pid="$2" addr=""
  for _ in $(seq 400); do
    addr="$(sed -n 's/^ft: serving .* on \(.*\)$/\1/p' "$log" 2>/dev/null)"
    if [ -n "$addr" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.025
  done
  printf '%s\n' "$addr"
}

# ft_make_archive JAR: a training run (get, put, ls, stat... against an ft server this starts
# on 127.0.0.1:0 in a temporary directory and stops by PID) writes the archive. Returns 1 and
# leaves a .failed marker when that fails; ft then runs without an archive.
ft_make_archive() {
  local jar="$1" archive id major t pid addr="" ok=1 record
  archive="$(ft_archive_file "$jar")"
  id="$(ft_archive_id "$jar")"
  ft__major; major="$_ft_major"
  # Someone else's build (a directory this user cannot write): run without, and do not try
  # again on every command.
  [ -w "$(dirname "$archive")" ] || return 1
  echo "ft: making the start-up archive $archive (once per build)..." >&2
  t="$(mktemp -d "${TMPDIR:-/tmp}/ft-train.XXXXXX")" || return 1
  mkdir -p "$t/root/dir/sub" "$t/src" "$t/dst" "$t/cache" "$t/config"
  head -c 4096 /dev/urandom > "$t/root/tiny.bin"
  head -c 1048576 /dev/urandom > "$t/root/dir/one.bin"
  head -c 65536 /dev/urandom > "$t/root/dir/sub/two.bin"
  head -c 4096 /dev/urandom > "$t/src/up.bin"
  : > "$t/config/config"
  "$JAVA_HOME/bin/java" -XX:+UseSerialGC -jar "$jar" serve --root "$t/root" --listen 127.0.0.1:0 \
    > "$t/serve.log" 2>&1 < /dev/null &
  pid=$!
  addr="$(ft_serving_address "$t/serve.log" "$pid")"
  if [ -n "$addr" ]; then
    if [ "$major" -ge 25 ]; then record="-XX:AOTCacheOutput=$archive.$$.tmp"
    else record="-XX:ArchiveClassesAtExit=$archive.$$.tmp"; fi
    # The client's common paths, each as its own command line, in one JVM (ft.cli.Training);
    # its own environment, so no user's config, token or digest journal takes part.
    if ! env -u FT_TOKEN -u FT_TLS -u FT_JOBS -u FT_TIMEOUT -u FT_RETRIES -u FT_QUIET -u FT_STDERR_TTY \
        FT_SERVER="$addr" FT_CONFIG="$t/config/config" XDG_CACHE_HOME="$t/cache" XDG_CONFIG_HOME="$t/config" \
        timeout 300 "$JAVA_HOME/bin/java" -XX:+UseSerialGC "$FT_NATIVE_ACCESSORS" "${FT_JIT_CRYPTO[@]}" "$record" -cp "$jar" ft.cli.Training \
        -q get tiny.bin -o "$t/dst/tiny.bin" :: -q get tiny.bin -o "$t/dst/tiny.bin" \
        :: -q get -r dir -o "$t/dst/" :: -q get 'dir/*.bin' -o "$t/dst/glob/" \
        :: -q put "$t/src/up.bin" up.bin :: -q put "$t/src/up.bin" :: ls :: ls -l dir \
        :: stat tiny.bin :: ping :: --version > "$t/train.log" 2>&1 < /dev/null; then
      echo "ft: note: a training command failed while making the start-up archive" >> "$t/train.log"
    fi
    # A command that failed in training still leaves a usable archive (the JVM checks it anyway).
    if [ -s "$archive.$$.tmp" ]; then
      mv -f "$archive.$$.tmp" "$archive" && printf '%s\n' "$id" > "$archive.id" && rm -f "$archive.failed" && ok=0
    fi
  else
    echo "ft server did not start: $(tail -3 "$t/serve.log")" >> "$t/train.log"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$archive.$$.tmp" "$archive.$$.tmp.config"
  if [ "$ok" -ne 0 ]; then
    echo "ft: could not make the start-up archive (ft works without it; FT_NO_ARCHIVE=1 stops trying):" >&2
    tail -5 "$t/train.log" >&2
    rm -f "$archive" "$archive.id"
    printf '%s\n' "$id" > "$archive.failed" 2>/dev/null || true
  fi
  rm -rf "$t"
  return "$ok"
}
