# bash completion for immunosim, generated from the option table (src/cli/options.c)
# by 'immunosim _doc bash'; do not edit: tests/cli/options.sh checks it matches.
# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/immunosim;
# or `source` this file.  Models, parameters, columns, sets and schedules come from the
# binary being completed (list --names, info MODEL --names|--columns|--sets|--schedules).

_immunosim_commands="run list info compare sweep sensitivity plot population merge equilibria continue translate export"

# the options of a command
_immunosim_options()
{
  case $1 in
    run) echo "-h --help -p --params --set -s --schedule -r --rules --no-unit-check -t --end --t0 --dt --times -o --out --format --no-metadata --units --plot --events-out --metrics-out --method --rtol --atol --extinct --no-extinct --no-jac --init-step --max-steps --stats --metrics --window --threshold --cols --extrema --crossings --y --overlay --logy --liny --logx --linx --weeks --xrange --yrange --x --hline --points --style --title --ylabel --labels --no-doses" ;;
    list) echo "-h --help --names" ;;
    info) echo "-h --help --no-unit-check --names --columns --sets --schedules" ;;
    compare) echo "-h --help -p --params --set -s --schedule -r --rules --no-unit-check -t --end --t0 --dt --times --no-metadata --units --plot --metrics-out --method --rtol --atol --extinct --no-extinct --no-jac --init-step --max-steps --window --threshold --cols" ;;
    sweep) echo "-h --help -p --params --set -s --schedule -r --rules --no-unit-check -t --end --t0 --dt --times -o --out --no-metadata --units --plot --method --rtol --atol --extinct --no-extinct --no-jac --init-step --max-steps --window --threshold --cols --vary --plot-metric" ;;
    sensitivity) echo "-h --help -p --params --set -s --schedule -r --rules --no-unit-check -t --end --t0 --dt --times -o --out --no-metadata --units --plot --metrics-out --method --rtol --atol --extinct --no-extinct --no-jac --init-step --max-steps --par --of --raw" ;;
    plot) echo "-h --help -s --schedule -o --out --y --overlay --logy --liny --logx --linx --weeks --xrange --yrange --x --hline --points --style --title --ylabel --labels --no-doses" ;;
    population) echo "-h --help -p --params --set -s --schedule --omega --covariates --covariates-mode --no-unit-check -t --end --t0 --dt --times -o --out --format --no-metadata --units --per-subject --method --rtol --atol --extinct --no-extinct --no-jac --init-step --max-steps --stats --cols -n --seed --subjects --threads --bands-mem" ;;
    merge) echo "-h --help -o --out --stats" ;;
    equilibria) echo "-h --help -p --params --set --no-unit-check --box --time --starts -o --out --plane --xrange --yrange --grid --logx --logy --at --slaved --nc-grid --nullclines --field --traj --separatrix --traj-time --traj-out --plot --title --style" ;;
    continue) echo "-h --help --par -p --params --set --no-unit-check --box --time --starts --title --style --max-points --max-step -o --out --plot --y --logy --liny --logx --linx --yrange --orbits --npar --logpar --transient --window --carry --rtol --atol --extinct --no-extinct" ;;
    translate) echo "-h --help --no-unit-check -o --out" ;;
    export) echo "-h --help -p --params --set -o --out" ;;
  esac
}

# what the value of option $2 of command $1 is: none, file, sets, ...;
# nothing for a flag
_immunosim_value()
{
  case "$1 $2" in
    "continue --par") echo param= ;;
    "run --params" | "run -p" | "compare --params" | "compare -p" | "sweep --params" | "sweep -p" | "population --params" | "population -p" | "sensitivity --params" | "sensitivity -p" | "equilibria --params" | "equilibria -p" | "continue --params" | "continue -p" | "export --params" | "export -p") echo sets ;;
    "run --set" | "compare --set" | "sweep --set" | "population --set" | "sensitivity --set" | "equilibria --set" | "continue --set" | "export --set") echo param= ;;
    "run --schedule" | "run -s" | "sweep --schedule" | "sweep -s" | "population --schedule" | "population -s" | "sensitivity --schedule" | "sensitivity -s") echo schedules ;;
    "compare --schedule" | "compare -s") echo schedules ;;
    "plot --schedule" | "plot -s") echo schedules ;;
    "run --rules" | "run -r" | "compare --rules" | "compare -r" | "sweep --rules" | "sweep -r" | "sensitivity --rules" | "sensitivity -r") echo rules ;;
    "population --omega") echo file ;;
    "population --covariates") echo file ;;
    "population --covariates-mode") echo "words rows sample" ;;
    "run --end" | "run -t" | "compare --end" | "compare -t" | "sweep --end" | "sweep -t" | "population --end" | "population -t" | "sensitivity --end" | "sensitivity -t") echo none ;;
    "run --t0" | "compare --t0" | "sweep --t0" | "population --t0" | "sensitivity --t0") echo none ;;
    "run --dt" | "compare --dt" | "sweep --dt" | "population --dt" | "sensitivity --dt") echo none ;;
    "run --times" | "compare --times" | "sweep --times" | "population --times" | "sensitivity --times") echo file ;;
    "run --out" | "run -o") echo file ;;
    "sweep --out" | "sweep -o") echo file ;;
    "population --out" | "population -o") echo file ;;
    "sensitivity --out" | "sensitivity -o") echo file ;;
    "translate --out" | "translate -o") echo file ;;
    "export --out" | "export -o") echo file ;;
    "plot --out" | "plot -o") echo file ;;
    "merge --out" | "merge -o") echo file ;;
    "run --format" | "population --format") echo "words csv tsv" ;;
    "run --units" | "compare --units" | "sweep --units" | "population --units" | "sensitivity --units") echo column= ;;
    "run --plot") echo file ;;
    "compare --plot") echo file ;;
    "sweep --plot") echo file ;;
    "sensitivity --plot") echo file ;;
    "run --events-out") echo file ;;
    "run --metrics-out") echo file ;;
    "compare --metrics-out") echo file ;;
    "sensitivity --metrics-out") echo file ;;
    "population --per-subject") echo file ;;
    "run --method" | "compare --method" | "sweep --method" | "population --method" | "sensitivity --method") echo "words bdf adams" ;;
    "run --rtol" | "compare --rtol" | "sweep --rtol" | "population --rtol" | "sensitivity --rtol") echo none ;;
    "run --atol" | "compare --atol" | "sweep --atol" | "population --atol" | "sensitivity --atol") echo state= ;;
    "run --extinct" | "compare --extinct" | "sweep --extinct" | "population --extinct" | "sensitivity --extinct") echo state= ;;
    "run --init-step" | "compare --init-step" | "sweep --init-step" | "population --init-step" | "sensitivity --init-step") echo none ;;
    "run --max-steps" | "compare --max-steps" | "sweep --max-steps" | "population --max-steps" | "sensitivity --max-steps") echo none ;;
    "run --window") echo none ;;
    "compare --window") echo none ;;
    "sweep --window") echo none ;;
    "run --threshold" | "compare --threshold") echo column= ;;
    "sweep --threshold") echo column= ;;
    "run --cols" | "compare --cols" | "sweep --cols") echo columns, ;;
    "population --cols") echo columns, ;;
    "run --extrema") echo file ;;
    "run --crossings") echo file ;;
    "population -n") echo none ;;
    "population --seed") echo none ;;
    "population --subjects") echo none ;;
    "population --threads") echo none ;;
    "population --bands-mem") echo none ;;
    "sweep --vary") echo param= ;;
    "sweep --plot-metric") echo none ;;
    "sensitivity --par") echo params, ;;
    "sensitivity --of") echo columns, ;;
    "plot --y" | "run --y") echo columns, ;;
    "plot --xrange" | "run --xrange") echo none ;;
    "plot --yrange" | "run --yrange") echo none ;;
    "plot --x" | "run --x") echo columns, ;;
    "plot --hline" | "run --hline") echo column= ;;
    "plot --points" | "run --points") echo file ;;
    "plot --style" | "run --style") echo "words lecture paper" ;;
    "plot --title" | "run --title") echo none ;;
    "plot --ylabel" | "run --ylabel") echo none ;;
    "plot --labels" | "run --labels") echo none ;;
    "equilibria --box") echo state= ;;
    "continue --box") echo state= ;;
    "equilibria --time" | "continue --time") echo none ;;
    "equilibria --starts") echo none ;;
    "continue --starts") echo none ;;
    "equilibria --out" | "equilibria -o") echo file ;;
    "equilibria --plane") echo columns, ;;
    "equilibria --xrange") echo none ;;
    "equilibria --yrange") echo none ;;
    "equilibria --grid") echo none ;;
    "equilibria --at") echo none ;;
    "equilibria --nc-grid") echo none ;;
    "equilibria --nullclines") echo file ;;
    "equilibria --field") echo file ;;
    "equilibria --traj") echo none ;;
    "equilibria --traj-time") echo none ;;
    "equilibria --traj-out") echo file ;;
    "equilibria --plot") echo file ;;
    "equilibria --title" | "continue --title") echo none ;;
    "equilibria --style" | "continue --style") echo "words lecture paper" ;;
    "continue --max-points") echo none ;;
    "continue --max-step") echo none ;;
    "continue --out" | "continue -o") echo file ;;
    "continue --plot") echo file ;;
    "continue --y") echo columns, ;;
    "continue --yrange") echo none ;;
    "continue --orbits") echo columns, ;;
    "continue --npar") echo none ;;
    "continue --transient") echo none ;;
    "continue --window") echo none ;;
    "continue --rtol") echo none ;;
    "continue --atol") echo state= ;;
    "continue --extinct") echo state= ;;
  esac
}

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
    mapfile -t COMPREPLY < <(compgen -W "$_immunosim_commands --help --version" -- "$cur")
    return 0
  fi

  local cmd=${COMP_WORDS[1]} model="" i
  # --opt=value: bash splits at '='
  if [[ $prev == = ]] && ((COMP_CWORD >= 3)); then prev=${COMP_WORDS[COMP_CWORD - 2]}; fi
  if [[ $cur == = ]]; then cur=""; fi
  # the model: the first word after the command that is neither an option nor a value
  for ((i = 2; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) [[ ${COMP_WORDS[i]} != *=* && -n $(_immunosim_value "$cmd" "${COMP_WORDS[i]}") ]] && ((i++)) ;;
      =) ((i++)) ;;
      *) if [[ -z $model && $cmd != plot ]]; then model=${COMP_WORDS[i]}; fi ;;
    esac
  done

  local kind names head="" last=$cur
  kind=$(_immunosim_value "$cmd" "$prev")
  if [[ -n $kind ]]; then
    case $kind in
      none) return 0 ;;
      file) compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
      sets | schedules | rules)
        if [[ $kind != rules && -n $model ]]; then
          names=$("$bin" info "$model" --$kind 2>/dev/null)
        elif [[ $kind == rules ]]; then
          names=$("$bin" info "${model:-pk2cmt}" 2>/dev/null | sed -n 's/^rules that apply (-r NAME): //p' | tr ' ' '\n')
        fi
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur"; compgen -f -- "$cur") ;;
      param= | column= | state=)
        [[ -n $model ]] || return 0
        case $kind in
          param=) names=$("$bin" info "$model" --names 2>/dev/null) ;;
          *) names=$("$bin" info "$model" --columns 2>/dev/null) ;;
        esac
        compopt -o nospace 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -S = -W "$names" -- "$cur") ;;
      columns, | params,)
        if [[ $cmd == plot ]]; then
          names=$(_immunosim_file_columns)
        elif [[ -n $model && $kind == columns, ]]; then
          names=$("$bin" info "$model" --columns 2>/dev/null)
        elif [[ -n $model ]]; then
          names=$("$bin" info "$model" --names 2>/dev/null)
        fi
        if [[ $cur == *,* ]]; then head=${cur%,*},; last=${cur##*,}; fi
        mapfile -t COMPREPLY < <(compgen -P "$head" -W "$names" -- "$last") ;;
      words\ *) mapfile -t COMPREPLY < <(compgen -W "${kind#words }" -- "$cur") ;;
    esac
    return 0
  fi

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_immunosim_options "$cmd")" -- "$cur")
    return 0
  fi

  case $cmd in
    plot)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -X '!*.csv' -- "$cur"; compgen -f -X '!*.tsv' -- "$cur"; compgen -d -- "$cur") ;;
    list) ;;
    translate)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -X '!*.model' -- "$cur"; compgen -d -- "$cur") ;;
    *)
      # a built-in name or a model file (*.model, through directories)
      if [[ -z $model ]]; then
        names=$("$bin" list --names 2>/dev/null)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur"; compgen -f -X '!*.model' -- "$cur"
          compgen -d -- "$cur")
      fi ;;
  esac
  return 0
}
complete -F _immunosim immunosim
