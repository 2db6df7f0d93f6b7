# bash completion for gradcli                               -*- shell-script -*-
# Generated from gradcli's command tree (gradcli completion SHELL); do not edit.
#
# Install (bash-completion loads it from there; or source it from ~/.bashrc):
#   mkdir -p ~/.local/share/bash-completion/completions
#   gradcli completion bash > ~/.local/share/bash-completion/completions/gradcli

_gradcli() {
    local cur prev cmd word prefix='' i dashdash=0 values=''
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=''
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --format=VALUE: bash splits the word at '=' (COMP_WORDBREAKS), or not.
    if [[ $cur == "=" ]]; then
        cur=''
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        prefix="$prev="
        cur=${cur#*=}
    fi

    cmd=''
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -z $cmd ]]; then
            case $word in
            grad|jacobian|hessian|verify|completion|help|batch) cmd=$word ;;
            esac
        elif [[ $word == "--" ]]; then
            dashdash=1
        fi
    done

    case $cmd in
    '')
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "--version -h --help" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "grad jacobian hessian verify completion help batch" -- "$cur")
        fi
        return 0
        ;;
    grad)
        if ((dashdash == 0)); then
            case $prev in
            --format|-f) values='pretty text latex numpy json array-api' ;;
            --wrt|-w|--scalar|-s|--vector|--matrix|--symmetric|--square|--simplex|--onehot|--orthogonal|--diagonal|--spd|--positive|--seed|--expand|--function) return 0 ;;  # a name or number: nothing to offer
            esac
            if [[ -n $values ]]; then
                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
                return 0
            fi
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "--wrt -w --scalar -s --vector --matrix --symmetric --square --simplex --onehot --orthogonal --diagonal --spd --positive --format -f --check --no-check --seed --expand --function --steps --display -h --help" -- "$cur")
            fi
        fi
        ;;
    jacobian)
        if ((dashdash == 0)); then
            case $prev in
            --format|-f) values='pretty text latex numpy json array-api' ;;
            --layout) values='numerator denominator' ;;
            --wrt|-w|--scalar|-s|--vector|--matrix|--symmetric|--square|--simplex|--onehot|--orthogonal|--diagonal|--spd|--positive|--seed|--expand|--function) return 0 ;;  # a name or number: nothing to offer
            esac
            if [[ -n $values ]]; then
                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
                return 0
            fi
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "--wrt -w --scalar -s --vector --matrix --symmetric --square --simplex --onehot --orthogonal --diagonal --spd --positive --format -f --check --no-check --seed --layout --expand --function --steps --display -h --help" -- "$cur")
            fi
        fi
        ;;
    hessian)
        if ((dashdash == 0)); then
            case $prev in
            --format|-f) values='pretty text latex numpy json array-api' ;;
            --wrt|-w|--scalar|-s|--vector|--matrix|--symmetric|--square|--simplex|--onehot|--orthogonal|--diagonal|--spd|--positive|--seed|--expand|--function) return 0 ;;  # a name or number: nothing to offer
            esac
            if [[ -n $values ]]; then
                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
                return 0
            fi
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "--wrt -w --scalar -s --vector --matrix --symmetric --square --simplex --onehot --orthogonal --diagonal --spd --positive --format -f --check --no-check --seed --expand --function --steps --display -h --help" -- "$cur")
            fi
        fi
        ;;
    verify)
        if ((dashdash == 0)); then
            case $prev in
            --format|-f) values='pretty text latex numpy json array-api' ;;
            --layout) values='numerator denominator' ;;
            --of|--wrt|-w|--scalar|-s|--vector|--matrix|--symmetric|--square|--simplex|--onehot|--orthogonal|--diagonal|--spd|--positive|--seed) return 0 ;;  # a name or number: nothing to offer
            esac
            if [[ -n $values ]]; then
                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
                return 0
            fi
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "--of --wrt -w --jacobian --hessian --scalar -s --vector --matrix --symmetric --square --simplex --onehot --orthogonal --diagonal --spd --positive --format -f --seed --layout -h --help" -- "$cur")
            fi
        fi
        ;;
    completion)
        if ((dashdash == 0)); then
            case $prev in
            esac
            if [[ -n $values ]]; then
                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
                return 0
            fi
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "-h --help" -- "$cur")
            elif [[ $prev == completion ]]; then
                mapfile -t COMPREPLY < <(compgen -W "bash zsh fish" -- "$cur")
            fi
        fi
        ;;
    help)
        if ((dashdash == 0)); then
            case $prev in
            esac
            if [[ -n $values ]]; then
                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
                return 0
            fi
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "-h --help" -- "$cur")
            elif [[ $prev == help ]]; then
                mapfile -t COMPREPLY < <(compgen -W "language conventions limits json" -- "$cur")
            fi
        fi
        ;;
    batch)
        if ((dashdash == 0)); then
            case $prev in
            --jobs|-j) return 0 ;;  # a name or number: nothing to offer
            esac
            if [[ -n $values ]]; then
                mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$values" -- "$cur")
                return 0
            fi
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "--jobs -j --quiet -q -h --help" -- "$cur")
            fi
        fi
        ;;
    esac
    return 0
}

complete -F _gradcli gradcli
