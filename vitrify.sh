#!/usr/bin/env bash
# vitrify's two commands (idempotent, safe to rerun):
#   ./vitrify.sh run  [snakemake args]   install what is missing, run the workflow
#                                        (default: config/config.yaml on 2 cores)
#   ./vitrify.sh test [pytest args]      install what is missing (SLURM included), run the tests
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

VENV=.venv
PYTHON=${PYTHON:-python3}
STAMP="$VENV/.vitrify-installed"
TORCH_VERSION=2.13.0

say() { printf '[vitrify] %s\n' "$*" >&2; }

apt_install() {
    # Debian packages, only those missing; `apt-get update` only when something is.
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    say "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_env() {
    if ! "$PYTHON" -c "import venv, ensurepip" 2>/dev/null; then
        apt_install python3-venv
    fi
    [ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
    local want
    want=$(cat pyproject.toml vitrify.sh | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
        # CPU torch first: everything after resolves against it and pulls no CUDA wheels.
        say "installing Python packages into $VENV (torch $TORCH_VERSION CPU first)"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q "torch==$TORCH_VERSION"
        "$VENV/bin/python" -m pip install -q -e ".[test]"
        echo "$want" > "$STAMP"
    fi
}

# One thread per process unless a job asks for more (2-core laptops; see README).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    run)
        python_env
        args=("$@")
        [[ " $* " == *" --cores "* || " $* " == *" -c"* || " $* " == *" --profile "* ]] || args=(--cores 2 "${args[@]}")
        exec "$VENV/bin/snakemake" "${args[@]}"
        ;;
    test)
        apt_install slurmctld slurmd slurm-client munge cp2k
        python_env
        exec "$VENV/bin/python" -m pytest -ra "$@"
        ;;
    *)
        sed -n '2,6p' "$0" >&2
        exit 64
        ;;
esac
