#!/usr/bin/env bash
# Validates stacklint's SARIF for every testdata/stacks/* case with Microsoft's SARIF multitool
# (npm package @microsoft/sarif-multitool; needs Node and network access to the npm registry the
# first time). Not part of `cargo test`: CI runs it as a separate optional job.
#
# The multitool exits 0 even when it finds errors, so this script reads its output log and fails
# when it holds any result at level error or warning. Notes (optional guidance such as "provide a
# help URI") are listed with VERBOSE=1 but do not fail.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --locked
bin="${CARGO_TARGET_DIR:-target}/debug/stacklint"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
levels='"Error;Warning"'
if [[ "${VERBOSE:-}" == 1 ]]; then levels='"Error;Warning;Note"'; fi

failed=0
for dir in testdata/stacks/*/; do
  name=$(basename "$dir")
  sarif="$out/$name.sarif"
  log="$out/$name.validation.sarif"
  # Exit 1 only means "findings at or above --fail-on"; 2 is a real error.
  set +e
  "$bin" check "$dir" --format sarif --output "$sarif" --fail-on never
  code=$?
  set -e
  if [[ $code -ne 0 ]]; then
    echo "FAIL $name: stacklint exited $code"
    failed=1
    continue
  fi
  # npx runs the tool through a shell: the level list needs its own quotes.
  npx --yes @microsoft/sarif-multitool validate "$sarif" --output "$log" --level "$levels" --quiet >/dev/null 2>&1 || true
  if [[ ! -s "$log" ]]; then
    echo "FAIL $name: the validator wrote no log (is npm reachable?)"
    failed=1
    continue
  fi
  verdict=$(node -e '
    const log = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const run = log.runs[0];
    const ok = (run.invocations || []).every(i => i.executionSuccessful !== false);
    const bad = (run.results || []).filter(r => r.level === "error" || r.level === "warning" || r.level === undefined);
    for (const r of run.results || []) {
      const msg = r.message.text || (r.message.arguments || []).join(" | ");
      console.error(`  ${r.level || "warning"} ${r.ruleId}: ${msg}`);
    }
    console.log(ok && bad.length === 0 ? "ok" : `${bad.length} problem(s)`);
  ' "$log")
  if [[ "$verdict" == ok ]]; then
    echo "ok   $name"
  else
    echo "FAIL $name: $verdict"
    failed=1
  fi
done
exit $failed
