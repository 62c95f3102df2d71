# ft completion for bash and zsh, printed by `ft completion`: subcommands and options, local
# paths where a local path goes, remote paths (listed by the server) where a remote one goes.
#   bash: source <(ft completion)        zsh: source <(ft completion zsh)
# The _ft_tree_* functions are generated from ft's command tree; the rest is
# cli/src/main/resources/ft/cli/completion.bash.

if [ -n "${ZSH_VERSION:-}" ]; then
  # zsh runs the bash function below through bashcompinit (its own complete, compgen, COMP_WORDS).
  if ! whence compdef >/dev/null 2>&1; then autoload -U +X compinit && compinit; fi
  autoload -U +X bashcompinit && bashcompinit
fi

@TREE@

# _ft_complete CMD WORD PREV: what bash (or zsh's bashcompinit) calls on TAB. Reads COMP_WORDS,
# COMP_CWORD, COMP_LINE and COMP_POINT; WORD is the text the shell will replace. Sets COMPREPLY.
_ft_complete() {
  if [ -n "${ZSH_VERSION:-}" ]; then
    # 0-based arrays and word splitting as in bash; bashcompinit's compgen calls us so anyway.
    emulate -L sh
    setopt nonomatch noglobdots nonullglob
  fi
  local IFS=$' \t\n'
  COMPREPLY=()
  # The words up to the cursor. bash also splits at : and = (COMP_WORDBREAKS): pieces that
  # touch in the line are one word here, so -s host:7070 and --output=DIR read as typed.
  local -a ws=()
  local n=-1 i w gap rest="${COMP_LINE:0:$COMP_POINT}"
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    gap="${rest%%[![:space:]]*}"
    rest="${rest#"$gap"}"
    if [ "$n" -lt 0 ] || [ -n "$gap" ]; then n=$((n + 1)); ws[n]=''; fi
    ws[n]="${ws[n]}$w"
    rest="${rest#"$w"}"
  done
  local cur="${ws[n]}" lead=''
  # What the shell replaces is WORD, the end of cur (bash: after its last : or =, and inside
  # an opened quote); each candidate, made for the whole of cur, loses what comes before.
  case $cur in *"$2") lead="${cur%"$2"}"; lead="${lead//[\'\"]/}" ;; esac

  # (Names: zsh's path and words are special, so cmdpath and ws.)
  # Which (sub)command, whether the last word is an option waiting for its value, and the
  # server and TLS settings to pass on when asking the server.
  local cmdpath='' expect='' server='' tls='' only_positional=''
  for ((i = 1; i < n; i++)); do
    w="${ws[i]}"
    if [ -n "$expect" ]; then
      case $expect in -s | --server) _ft_dequote "$w"; server="$REPLY" ;; esac
      expect=''
      continue
    fi
    if [ -z "$only_positional" ]; then
      case $w in
        --) only_positional=1; continue ;;
        --server=*) _ft_dequote "${w#*=}"; server="$REPLY"; continue ;;
        --tls) tls=1; continue ;;
        -*=*) continue ;;
        -?*) if _ft_tree_valued "$cmdpath" "$w"; then expect="$w"; fi; continue ;;
      esac
    fi
    if _ft_tree_child "$cmdpath" "$w"; then cmdpath="$REPLY"; fi
  done

  local -a cands=()
  local kind='none' value="$cur" vlead=''
  if [ -n "$expect" ]; then
    _ft_tree_kind "$cmdpath" "$expect"; kind="$REPLY"
  elif [ -z "$only_positional" ] && case $cur in --*=*) true ;; *) false ;; esac; then
    vlead="${cur%%=*}="; value="${cur#*=}"
    if _ft_tree_valued "$cmdpath" "${cur%%=*}"; then _ft_tree_kind "$cmdpath" "${cur%%=*}"; kind="$REPLY"; fi
  elif [ -z "$only_positional" ] && case $cur in -*) true ;; *) false ;; esac; then
    _ft_tree_options "$cmdpath"; _ft_filter "$cur" "${_ft_list[@]}"
  else
    _ft_tree_subcommands "$cmdpath"; _ft_filter "$cur" "${_ft_list[@]}"
    _ft_tree_kind "$cmdpath" @; kind="$REPLY"
  fi
  _ft_dequote "$value"; value="$REPLY"
  case $kind in
    local) _ft_local "$value" ;;
    local-dir) _ft_local "$value" d ;;
    remote) _ft_remote "$value" ;;
    remote-dir) _ft_remote "$value" --dirs ;;
    words:*) _ft_filter "$value" ${kind#words:} ;;
  esac

  for w in "${cands[@]}"; do
    w="$vlead$w"
    case $w in "$lead"*) w="${w#"$lead"}" ;; esac
    # bash closes an opened quote after the one candidate and then adds the / of a local
    # directory itself: 'my dir'/ as in its own file completion, rather than 'my dir/'/.
    if [ -n "${BASH_VERSION:-}" ]; then
      case $kind in local*) case ${cur#"$vlead"} in \'* | \"*) w="${w%/}" ;; esac ;; esac
    fi
    # zsh: registered with nospace (below); a candidate gets its space here, a directory none.
    if [ -n "${ZSH_VERSION:-}" ]; then case $w in */) ;; *) w="$w " ;; esac; fi
    COMPREPLY+=("$w")
  done
  if [ -n "${BASH_VERSION:-}" ]; then
    # Paths: bash quotes what it inserts (spaces and the like); a directory gets no space after it.
    case $kind in local* | remote*) compopt -o filenames 2>/dev/null ;; esac
    if [ "${#COMPREPLY[@]}" -eq 1 ]; then
      case ${COMPREPLY[0]} in */) compopt -o nospace 2>/dev/null ;; esac
    fi
  fi
  return 0
}

# _ft_filter PREFIX WORD...: adds the WORDs that start with PREFIX to cands.
_ft_filter() {
  local p="$1" w
  shift
  for w in "$@"; do
    case $w in "$p"*) cands+=("$w") ;; esac
  done
}

# _ft_dequote WORD: sets REPLY to WORD as the command will see it (backslashes and a
# surrounding pair of quotes removed; no expansions).
_ft_dequote() {
  local s="$1" out='' c
  case $s in
    \'*) s="${s#\'}"; REPLY="${s%\'}"; return ;;
    \"*) s="${s#\"}"; s="${s%\"}" ;;
  esac
  while [ -n "$s" ]; do
    c="${s:0:1}"; s="${s:1}"
    if [ "$c" = '\' ] && [ -n "$s" ]; then c="${s:0:1}"; s="${s:1}"; fi
    out="$out$c"
  done
  REPLY="$out"
}

# _ft_local PREFIX [d]: adds the local files (d: only the directories) whose path starts with
# PREFIX to cands, directories with a trailing /. ~/ stands for $HOME, as typed.
_ft_local() {
  local p="$1" g="$1" f home='' restore=''
  case $p in '~/'*) home="$HOME"; g="$HOME/${p#'~/'}" ;; esac
  if [ -n "${BASH_VERSION:-}" ]; then
    # A glob that matches nothing must stay itself here, whatever the user's shell options.
    restore="$(shopt -p failglob nullglob dotglob)"
    shopt -u failglob nullglob dotglob
  fi
  for f in "$g"*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    case ${f##*/} in . | ..) continue ;; esac
    if [ -d "$f" ]; then f="$f/"; elif [ "${2:-}" = d ]; then continue; fi
    if [ -n "$home" ]; then f="~/${f#"$home"/}"; fi
    cands+=("$f")
  done
  if [ -n "$restore" ]; then eval "$restore"; fi
}

# _ft_remote PREFIX [--dirs]: adds the remote paths that start with PREFIX to cands, as
# `ft complete-remote` lists them: the same ft command as on the line (ws[0]), with its
# -s/--server and --tls; it never prompts and says nothing when the server cannot answer.
_ft_remote() {
  local cmd="${ws[0]}" out line
  case $cmd in '~/'*) cmd="$HOME/${cmd#'~/'}" ;; esac
  local -a args=()
  if [ -n "$server" ]; then args+=(--server "$server"); fi
  if [ -n "$tls" ]; then args+=(--tls); fi
  args+=(complete-remote)
  if [ -n "${2:-}" ]; then args+=("$2"); fi
  # FT_COMPLETING: ./ft then neither builds nor makes its start-up archive (that would take a
  # minute behind a silent prompt); stdin from /dev/null: nothing can wait for an answer.
  out="$(FT_COMPLETING=1 "$cmd" "${args[@]}" -- "$1" 2>/dev/null </dev/null)" || return 0
  while IFS= read -r line; do
    if [ -n "$line" ]; then cands+=("$line"); fi
  done <<EOF
$out
EOF
}

if [ -n "${ZSH_VERSION:-}" ]; then
  complete -o nospace -F _ft_complete ft
else
  complete -F _ft_complete ft
fi
