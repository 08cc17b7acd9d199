#!/usr/bin/env bash
# stacklint benchmark: builds release, generates the synthetic monorepo in a temp dir, and reports
# wall time, files/s and peak RSS of `stacklint check` against the parse floor (discover + read +
# parse only, `stacklint __parse-floor`; also with `--streaming`, each tree dropped once built),
# their ratios, and the 10x scaling ratio. Times yamllint,
# dclint and checkov on the same files when they are installed.
#
#   bench/run.sh [--runs N] [--k8s N] [--compose M] [--docs K] [--no-scale] [--jobs J] [--keep]
#
# Each measurement is repeated N times (default 5); min and median are printed, then N floor/check
# pairs run back to back give the ratio again, free of the machine's drift, and N rounds of one x1
# and one x10 check do the same for the scaling ratio. Needs python3 and
# GNU time (/usr/bin/time -v) for peak RSS (without it RSS is printed as "n/a").
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5 k8s=5000 compose=1000 docs=500 scale=1 jobs="" keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --k8s) k8s=$2; shift 2 ;;
        --compose) compose=$2; shift 2 ;;
        --docs) docs=$2; shift 2 ;;
        --no-scale) scale=0; shift ;;
        --jobs) jobs=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        *) echo "usage: $0 [--runs N] [--k8s N] [--compose M] [--docs K] [--no-scale] [--jobs J] [--keep]" >&2; exit 2 ;;
    esac
done

cargo build --release --locked --quiet
bin=$PWD/target/release/stacklint
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stacklint-bench.XXXXXX")
if [ "$keep" = 0 ]; then trap 'rm -rf "$tmp"' EXIT; else echo "corpus kept in $tmp" >&2; fi

jobs_arg=()
[ -n "$jobs" ] && jobs_arg=(--jobs "$jobs")
have_time=0
[ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null && have_time=1

# measure LABEL CMD...: runs CMD $runs times; sets MIN, MED (seconds) and RSS (max KiB over runs).
measure() {
    local label=$1; shift
    local times=() rss=0 t0 t1 r
    for _ in $(seq "$runs"); do
        if [ "$have_time" = 1 ]; then
            t0=$(date +%s.%N)
            /usr/bin/time -v -o "$tmp/time.txt" "$@" >/dev/null 2>"$tmp/stderr.txt" || true
            t1=$(date +%s.%N)
            r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
            [ "${r:-0}" -gt "$rss" ] && rss=$r
        else
            t0=$(date +%s.%N)
            "$@" >/dev/null 2>"$tmp/stderr.txt" || true
            t1=$(date +%s.%N)
        fi
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    read -r MIN MED < <(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[1], a[int((NR+1)/2)]}')
    RSS=$rss
    local rss_text="n/a"
    [ "$have_time" = 1 ] && rss_text="$(awk -v k="$rss" 'BEGIN {printf "%.1f MiB", k/1024}')"
    printf '  %-34s min %7.3f s  median %7.3f s  peak RSS %s\n' "$label" "$MIN" "$MED" "$rss_text"
}

corpus() { # DIR SCALE
    python3 bench/gen_monorepo.py "$1" --k8s "$k8s" --compose "$compose" --docs "$docs" --scale "$2" 2>/dev/null
    # The generator's writes are flushed now rather than by the kernel during the measurements.
    sync
    find "$1" -type f | wc -l
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
echo "stacklint $("$bin" --version | cut -d' ' -f2), $runs runs per measurement${jobs:+, --jobs $jobs}"

files=$(corpus "$tmp/x1" 1)
echo "corpus x1: $files files ($k8s k8s, $compose compose projects, $docs docs), $(du -sh "$tmp/x1" | cut -f1)"
"$bin" check "$tmp/x1" "${jobs_arg[@]}" --format concise --fail-on never >/dev/null 2>&1 || true # warm the page cache
measure "parse floor (__parse-floor)" "$bin" __parse-floor "$tmp/x1" "${jobs_arg[@]}"
floor=$MIN
# Stricter: each parsed tree dropped at once (the check keeps compose trees and some manifests).
measure "streaming floor (--streaming)" "$bin" __parse-floor "$tmp/x1" --streaming "${jobs_arg[@]}"
sfloor=$MIN
measure "stacklint check" "$bin" check "$tmp/x1" "${jobs_arg[@]}" --format json --fail-on never
check=$MIN check_med=$MED
"$bin" check "$tmp/x1" "${jobs_arg[@]}" --format json --fail-on never >"$tmp/out.json" 2>/dev/null || true
echo "  findings: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["diagnostics"]))' "$tmp/out.json")"
awk -v c="$check" -v f="$floor" -v s="$sfloor" -v n="$files" 'BEGIN {
    printf "  files/s (check, min time): %.0f\n", n / c
    printf "  check / parse floor (min): %.2fx\n", c / f
    printf "  check / streaming floor (min): %.2fx\n", c / s }'

# The machine's speed drifts over minutes, and the blocks above measure the floor and the check
# minutes apart: alternate them, one floor run then one check run, and take the median of the
# per-pair ratios (each pair ran within a second).
pairs=()
for _ in $(seq "$runs"); do
    t0=$(date +%s.%N)
    "$bin" __parse-floor "$tmp/x1" "${jobs_arg[@]}" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    "$bin" check "$tmp/x1" "${jobs_arg[@]}" --format json --fail-on never >/dev/null 2>&1 || true
    t2=$(date +%s.%N)
    pairs+=("$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.6f %.6f %.6f", b - a, c - b, (c - b) / (b - a) }')")
done
printf '%s\n' "${pairs[@]}" | sort -k3 -g | awk '{f[NR]=$1; c[NR]=$2; r[NR]=$3; sf+=$1; sc+=$2} END {
    m = int((NR + 1) / 2)
    printf "  interleaved, %d pairs: floor mean %.3f s, check mean %.3f s\n", NR, sf / NR, sc / NR
    printf "  check / parse floor (interleaved, median of pair ratios): %.2fx (range %.2fx-%.2fx)\n", r[m], r[1], r[NR] }'

if [ "$scale" = 1 ]; then
    files10=$(corpus "$tmp/x10" 10)
    echo "corpus x10: $files10 files"
    "$bin" check "$tmp/x10" "${jobs_arg[@]}" --format concise --fail-on never >/dev/null 2>&1 || true
    # As many runs as x1 had: a minimum over fewer runs is a higher one.
    measure "stacklint check x10" "$bin" check "$tmp/x10" "${jobs_arg[@]}" --format json --fail-on never
    awk -v a="$check" -v b="$MIN" 'BEGIN { printf "  x10 time / x1 time (min): %.2fx\n", b / a }'
    # The same ratio from rounds of one x1 run then one x10 run (the x1 block above ran minutes
    # earlier, and the machine drifts): minimum over rounds of each, and the median round's ratio.
    rounds=()
    for _ in $(seq "$runs"); do
        t0=$(date +%s.%N)
        "$bin" check "$tmp/x1" "${jobs_arg[@]}" --format json --fail-on never >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        "$bin" check "$tmp/x10" "${jobs_arg[@]}" --format json --fail-on never >/dev/null 2>&1 || true
        t2=$(date +%s.%N)
        rounds+=("$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.6f %.6f %.6f", b - a, c - b, (c - b) / (b - a) }')")
    done
    printf '%s\n' "${rounds[@]}" | sort -k3 -g | awk 'NR == 1 {m1 = $1; m10 = $2} {if ($1 < m1) m1 = $1; if ($2 < m10) m10 = $2; r[NR] = $3} END {
        printf "  interleaved, %d rounds: x1 min %.3f s, x10 min %.3f s, x10 / x1 %.2fx (min), %.2fx (median of round ratios, range %.2fx-%.2fx)\n", NR, m1, m10, m10 / m1, r[int((NR + 1) / 2)], r[1], r[NR] }'
    rm -rf "$tmp/x10"
fi

# Other tools on the same files, when installed (they check less; the ratio is only indicative).
if command -v yamllint >/dev/null; then
    runs_saved=$runs; runs=1
    measure "yamllint (all YAML)" yamllint -f parsable "$tmp/x1"
    awk -v a="$check" -v b="$MIN" 'BEGIN { printf "  yamllint / stacklint: %.1fx\n", b / a }'
    runs=$runs_saved
else
    echo "  yamllint: not installed (pip install yamllint)"
fi
if command -v dclint >/dev/null; then
    runs_saved=$runs; runs=1
    measure "dclint (compose files)" dclint -r "$tmp/x1/compose"
    awk -v a="$check" -v b="$MIN" 'BEGIN { printf "  dclint / stacklint: %.1fx\n", b / a }'
    runs=$runs_saved
else
    echo "  dclint: not installed"
fi
if command -v checkov >/dev/null; then
    runs_saved=$runs; runs=1
    measure "checkov (k8s + dockerfile)" checkov -d "$tmp/x1" --quiet --framework kubernetes,dockerfile
    awk -v a="$check" -v b="$MIN" 'BEGIN { printf "  checkov / stacklint: %.1fx\n", b / a }'
    runs=$runs_saved
else
    echo "  checkov: not installed"
fi
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
