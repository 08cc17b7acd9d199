#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another, starting from the seed
# corpus that seed.py builds from testdata/. Needs nightly and cargo-fuzz:
#   rustup toolchain install nightly && cargo install cargo-fuzz
# Usage (from fuzz/): ./run-all.sh [SECONDS] [TARGET...]
# SANITIZER=none skips AddressSanitizer (stacklint has no unsafe code; panics, stack overflows,
# timeouts and the 2 GiB memory limit are still caught) and builds and runs several times faster.
# A crash leaves its input in artifacts/<target>/ and stops that target; the summary says which.
set -u
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
python3 seed.py > /dev/null
mkdir -p logs
for t in "${targets[@]}"; do
  start=$(date +%s)
  cargo +nightly fuzz run -O -s "${SANITIZER:-address}" "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    > "logs/$t.log" 2>&1
  rc=$?
  end=$(date +%s)
  runs=$(grep -o 'Done [0-9]* runs' "logs/$t.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "logs/$t.log" | tail -1)
  echo "$t: exit $rc, $((end - start)) s, ${runs:-no summary}, ${cov:-}"
done
