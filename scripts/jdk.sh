# shellcheck shell=bash
# Sourced by ./ft, ./run-tests and .ci/run: picks a JDK >= 21 without help from the user.
# Order: $JAVA_HOME, the java on PATH, then /usr/lib/jvm/* (newest first).

# These run on every ./ft command, so they use bash's own string handling rather than forking
# sed, dirname or sort (each fork costs a few milliseconds on a busy machine).
ft_java_major() { # $1 = JDK home; prints its major version or nothing
  local home="$1" v="" line
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  if [ -f "$home/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      if [[ "$line" =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
        v="${BASH_REMATCH[1]}"
        break
      fi
    done < "$home/release"
  fi
  if [ -z "$v" ]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1)"
  fi
  [ "$v" = "1" ] && v=8
  printf '%s' "$v"
}

# ft_find_jdk__try HOME: sets _ft_found to HOME when it is a JDK >= 21.
ft_find_jdk__try() {
  local major
  major="$(ft_java_major "$1" || true)"
  if [ -n "$major" ] && [ "$major" -ge 21 ]; then
    _ft_found="$1"
    return 0
  fi
  return 1
}

ft_find_jdk() {
  local c javac _ft_found=""
  # In order, each looked at only when those before it are not a JDK >= 21.
  if [ -n "${JAVA_HOME:-}" ] && ft_find_jdk__try "$JAVA_HOME"; then printf '%s\n' "$_ft_found"; return 0; fi
  if javac="$(command -v javac)"; then
    c="$(readlink -f "$javac")"
    c="${c%/*}"
    c="${c%/*}"
    if ft_find_jdk__try "$c"; then printf '%s\n' "$_ft_found"; return 0; fi
  fi
  if [ -d /usr/lib/jvm ]; then
    while IFS= read -r c; do
      if ft_find_jdk__try "$c"; then printf '%s\n' "$_ft_found"; return 0; fi
    done < <(printf '%s\n' /usr/lib/jvm/*/ | sed 's:/$::' | sort -rV)
  fi
  echo "ft: no JDK 21 or newer found (looked at \$JAVA_HOME, PATH and /usr/lib/jvm); install one, e.g. 'apt-get install openjdk-21-jdk-headless'" >&2
  return 1
}

# Sets JAVA_HOME and PATH, and keeps Maven quiet about its own use of sun.misc.Unsafe on JDK 24+.
ft_use_jdk() {
  local home major
  home="$(ft_find_jdk)" || return 1
  export JAVA_HOME="$home"
  export PATH="$home/bin:$PATH"
  major="$(ft_java_major "$home")"
  if [ "$major" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
