#!/usr/bin/env bash
# Helpers shared by the benchmarks (sourced, not run): messages, report lines, durations, /proc CPU figures
# and building the binary. The sourcing script sets RESULTS, REPO_DIR, LOG_DIR, BIN and BUILD (and CW_BIN when given).

build_ours() {
    local newer=""
    if [[ -x "$BIN" && "$BUILD" != 1 ]]; then
        [[ "$BUILD" == 0 ]] && return 0
        newer="$(find "$REPO_DIR/Sources" "$REPO_DIR/Package.swift" -newer "$BIN" -print -quit 2>/dev/null)"
        [[ -z "$newer" ]] && return 0
        say "sources changed since $BIN was built ($newer): building"
    elif [[ ! -x "$BIN" && "$BUILD" == 0 ]]; then
        die "$BIN does not exist and BENCH_BUILD=0"
    fi
    [[ -z "${CW_BIN:-}" ]] || die "CW_BIN=$BIN is missing or out of date; build it or set BENCH_BUILD=0"
    say "swift build -c release --product catalystwells (a few minutes when cold)"
    (cd "$REPO_DIR" && swift build -c release --product catalystwells) >"$LOG_DIR/swift-build.log" 2>&1 || {
        show_tail "$LOG_DIR/swift-build.log" 40
        die "swift build failed"
    }
    [[ -x "$BIN" ]] || die "the build did not produce $BIN"
}

die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

# machine_ticks: "busy total" from /proc/stat.
machine_ticks() {
    local label user nice system idle iowait irq softirq steal rest
    read -r label user nice system idle iowait irq softirq steal rest </proc/stat
    echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

# Report lines: printed and appended to the results file.
out() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

outf() {
    local line
    # shellcheck disable=SC2059
    printf -v line "$@"
    out "$line"
}

say() { printf '==> %s\n' "$*" >&2; }

# seconds_of 10s|2m|5 -> whole seconds
seconds_of() {
    local value="$1"
    case "$value" in
        *m) echo $((${value%m} * 60)) ;;
        *s) echo "${value%s}" ;;
        *) echo "$value" ;;
    esac
}

show_tail() {
    [[ -s "$1" ]] || return 0
    printf -- '--- last lines of %s\n' "$1" >&2
    tail -n "${2:-20}" "$1" >&2
    printf -- '---\n' >&2
}

# stat_sum PID I J: fields I + J of /proc/PID/stat, counted after the command name (0 if PID is gone).
stat_sum() {
    local line fields
    read -r line 2>/dev/null <"/proc/$1/stat" || {
        echo 0
        return
    }
    read -r -a fields <<<"${line##*) }"
    echo $((fields[$2] + fields[$3]))
}

warn() { printf 'bench: warning: %s\n' "$*" >&2; }
