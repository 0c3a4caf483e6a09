# bash completion for immunosim (installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/immunosim; or `source` this file).
# It asks the binary being completed: `immunosim --help` for the commands,
# `immunosim COMMAND --help` for the options, `immunosim list --names` for the
# models, `immunosim info MODEL --names|--columns` for parameters and columns.

# The columns of the CSV/TSV files already on the command line (for plot --y etc.).
_immunosim_file_columns()
{
  local w
  for w in "${COMP_WORDS[@]:2}"; do
    [[ $w == *.csv || $w == *.tsv ]] && [[ -f $w ]] || continue
    grep -v '^#' -- "$w" 2>/dev/null | head -n 1 | tr ',\t' '\n\n'
  done | sort -u
}

_immunosim()
{
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD - 1]}
  local bin=${COMP_WORDS[0]}
  bin=${bin/#\~/$HOME}
  COMPREPLY=()

  if ((COMP_CWORD == 1)); then
    local cmds
    cmds=$("$bin" --help 2>/dev/null | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { f = 0 }')
    mapfile -t COMPREPLY < <(compgen -W "$cmds --help --version" -- "$cur")
    return 0
  fi

  local cmd=${COMP_WORDS[1]} model="" i
  # the model: the first word after the command that is neither an option nor an option's value
  for ((i = 2; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) [[ ${COMP_WORDS[i]} =~ ^(-p|--params|-s|--schedule|--set|-o|--out|--plot|--units|--atol|--extinct|-t|--end|--t0|--dt|--times|--format|--method|--rtol|--init-step|--max-steps|-r|--rules|--y|--x|--hline|--points|--style|--title|--ylabel|--labels|--xrange|--yrange)$ ]] && ((i++)) ;;
      *) if [[ -z $model && $cmd != plot ]]; then model=${COMP_WORDS[i]}; fi ;;
    esac
  done

  local names sets
  case $prev in
    --set)
      [[ -n $model ]] || return 0
      names=$("$bin" info "$model" --names 2>/dev/null | sed 's/$/=/')
      compopt -o nospace 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur")
      return 0 ;;
    --units | --atol | --extinct)
      [[ -n $model ]] || return 0
      names=$("$bin" info "$model" --columns 2>/dev/null | sed 's/$/=/')
      compopt -o nospace 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur")
      return 0 ;;
    --y | --x | --hline)
      if [[ $cmd == plot ]]; then
        names=$(_immunosim_file_columns)
      elif [[ -n $model ]]; then
        names=$("$bin" info "$model" --columns 2>/dev/null)
      fi
      local head="" last=$cur
      if [[ $prev == --y && $cur == *,* ]]; then head=${cur%,*},; last=${cur##*,}; fi
      [[ $prev == --hline ]] && { names=$(printf '%s=\n' $names); compopt -o nospace 2>/dev/null; }
      mapfile -t COMPREPLY < <(compgen -P "$head" -W "$names" -- "$last")
      return 0 ;;
    -p | --params | -s | --schedule)
      # bare names from the data directory, and files
      local dir
      dir=$("$bin" info "${model:-pk2cmt}" 2>/dev/null | sed -n 's/^parameter sets: //p')
      dir=${dir%/}
      if [[ $prev == -s || $prev == --schedule ]]; then dir=${dir%/*}/schedules; fi
      [[ -n $model || $prev == -s || $prev == --schedule ]] && [[ -d $dir ]] &&
        sets=$(cd "$dir" && ls -- *.csv 2>/dev/null | sed 's/\.csv$//')
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -W "$sets" -- "$cur"; compgen -f -- "$cur")
      return 0 ;;
    -o | --out | --plot | --times | --points | -r | --rules)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return 0 ;;
    --style) mapfile -t COMPREPLY < <(compgen -W "lecture paper" -- "$cur"); return 0 ;;
    --method) mapfile -t COMPREPLY < <(compgen -W "bdf adams" -- "$cur"); return 0 ;;
    --format) mapfile -t COMPREPLY < <(compgen -W "csv tsv" -- "$cur"); return 0 ;;
    -t | --end | --t0 | --dt | --rtol | --init-step | --max-steps | --title | --ylabel | --labels | --xrange | --yrange)
      return 0 ;;
  esac

  if [[ $cur == -* ]]; then
    local opts
    # option lines (first non-blank character '-') of the command's help
    opts=$("$bin" "$cmd" --help 2>/dev/null | grep -E '^ +-' |
      grep -oE '(^|[ ,|])--?[a-zA-Z][-a-zA-Z0-9]*' | tr -d ' ,|' | sort -u)
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    return 0
  fi

  case $cmd in
    run | info | sweep | population | sensitivity | compare | translate)
      # a built-in name or a model file (*.model, through directories)
      if [[ -z $model ]]; then
        [[ $cmd != translate ]] && names=$("$bin" list --names 2>/dev/null)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur"; compgen -f -X '!*.model' -- "$cur"
          compgen -d -- "$cur")
      fi ;;
    plot)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -X '!*.csv' -- "$cur"; compgen -f -X '!*.tsv' -- "$cur"; compgen -d -- "$cur") ;;
  esac
  return 0
}
complete -F _immunosim immunosim
