# shellcheck shell=bash
# Sourced by ./ft, ./run-tests and .ci/run: picks a JDK >= 21 without help from the user.
# Order: $JAVA_HOME, the java on PATH, then /usr/lib/jvm/* (newest first).

ft_java_major() { # $1 = JDK home; prints its major version or nothing
  local home="$1" v=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  if [ -f "$home/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release")"
  fi
  if [ -z "$v" ]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1)"
  fi
  [ "$v" = "1" ] && v=8
  printf '%s' "$v"
}

ft_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  if [ -d /usr/lib/jvm ]; then
    while IFS= read -r c; do candidates+=("$c"); done < <(printf '%s\n' /usr/lib/jvm/*/ | sed 's:/$::' | sort -rV)
  fi
  for c in "${candidates[@]}"; do
    major="$(ft_java_major "$c" || true)"
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      printf '%s\n' "$c"
      return 0
    fi
  done
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
