#!/usr/bin/env bash
# Proves the pre-commit hook works: `pre-commit try-repo` installs stacklint from this checkout (a
# release build, several minutes on a small machine) and runs it on two throwaway repositories; it
# must fail on a broken stack and pass on a clean one. Needs Python (pip installs pre-commit) and
# git. Not part of `cargo test`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip install --quiet --user pre-commit >/dev/null 2>&1 || python3 -m pip install --quiet pre-commit
export PATH="$HOME/.local/bin:$PATH"
export PRE_COMMIT_HOME="$work/cache"

make_repo() { # name, source stack
  local dir="$work/$1"
  mkdir -p "$dir"
  cp -R "$2/." "$dir/"
  git -C "$dir" init -q
  git -C "$dir" add -A
  git -C "$dir" -c user.email=t@example.com -c user.name=t commit -qm init
  echo "$dir"
}

broken=$(make_repo broken "$here/testdata/stacks/restart-loop")
clean=$(make_repo clean "$here/testdata/stacks/anchors-defaults")

echo "== broken stack (must fail, with stacklint's findings)"
if (cd "$broken" && pre-commit try-repo "$here" stacklint --all-files) > "$work/broken.log" 2>&1; then
  cat "$work/broken.log"; echo "FAIL: the hook passed on a broken stack"; exit 1
fi
cat "$work/broken.log"
grep -q "port-clash" "$work/broken.log" || { echo "FAIL: the hook failed, but not because of the stack"; exit 1; }
echo "== clean stack (must pass)"
(cd "$clean" && pre-commit try-repo "$here" stacklint --all-files) || { echo "FAIL: the hook failed on a clean stack"; exit 1; }
echo "ok: the hook fails on a broken stack and passes on a clean one"
