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
    # Tests that run this script inside a copy of the repository share the tested venv.
    [ -n "${VITRIFY_SKIP_INSTALL:-}" ] && [ -x "$VENV/bin/python" ] && return 0
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

# A run holds .snakemake/vitrify-run.lock (flock) for its whole life, and its owner file
# says who it is. A second run on the same directory is refused, naming the holder. A
# Snakemake lock left by a run that no longer exists (SIGKILL, reboot, OOM killer) is
# removed, but only when no live Snakemake process works in this directory on this host;
# then --rerun-incomplete reruns what the crash left half-written, and the long jobs
# resume from their own checkpoints.
take_run_lock() {
    mkdir -p .snakemake
    exec 9>>.snakemake/vitrify-run.lock
    if ! flock -n 9; then
        say "another run is using this directory: $(cat .snakemake/vitrify-run.owner 2>/dev/null || echo 'owner unknown'); not starting a second one"
        exit 75
    fi
    printf 'host %s pid %s started %s\n' "$(hostname)" "$$" "$(date -Is)" > .snakemake/vitrify-run.owner
    compgen -G ".snakemake/locks/*.lock" >/dev/null || return 0
    local here proc pid live=()
    here=$(pwd -P)
    for proc in /proc/[0-9]*; do
        pid=${proc#/proc/}
        [ "$pid" = "$$" ] && continue
        [ "$(readlink "$proc/cwd" 2>/dev/null)" = "$here" ] || continue
        tr '\0' ' ' < "$proc/cmdline" 2>/dev/null | grep -q "bin/snakemake" && live+=("$pid")
    done
    if [ ${#live[@]} -gt 0 ]; then
        say "Snakemake process(es) ${live[*]} on $(hostname) hold this directory (not started by vitrify.sh); not starting a second run"
        exit 75
    fi
    say "stale Snakemake lock from a run that no longer exists (killed or crashed): unlocking and carrying on"
    "$VENV/bin/snakemake" --unlock --cores 1 "$@" >/dev/null 2>&1 || rm -f .snakemake/locks/*.lock
}

# One thread per process unless a job asks for more (2-core laptops; see README).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    run)
        # OVITO renders its pictures through a Vulkan loader; mesa's CPU driver serves it.
        apt_install libvulkan1 mesa-vulkan-drivers
        python_env
        args=("$@")
        [[ " $* " == *" --cores "* || " $* " == *" -c"* || " $* " == *" --profile "* ]] || args=(--cores 2 "${args[@]}")
        config_args=()
        for ((i = 0; i < ${#args[@]}; i++)); do
            [ "${args[$i]}" = "--configfile" ] && config_args+=(--configfile "${args[$((i + 1))]}")
        done
        take_run_lock "${config_args[@]}"
        # Outputs a killed run left half-written are rerun (their jobs resume from checkpoints).
        exec "$VENV/bin/snakemake" --rerun-incomplete "${args[@]}"
        ;;
    test)
        # chromium: the report test opens the HTML report in a headless browser.
        apt_install slurmctld slurmd slurm-client munge cp2k libvulkan1 mesa-vulkan-drivers chromium
        python_env
        exec "$VENV/bin/python" -m pytest -ra "$@"
        ;;
    *)
        sed -n '2,6p' "$0" >&2
        exit 64
        ;;
esac
