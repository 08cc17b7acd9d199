#!/usr/bin/env bash
# Lints the workflows and every GitHub Actions snippet in the docs with actionlint (on PATH; not
# part of `cargo test`). A ```yaml block with `jobs:` is linted as it is; one that starts with a
# step (`- uses:`/`- run:`) is first wrapped in a one-job workflow. The Action is referred to by
# its path, so actionlint checks the inputs the snippets pass against action.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v actionlint >/dev/null || { echo "actionlint is not on PATH" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/.github/workflows"
cp action.yml "$out/"
mkdir -p "$out/action" && cp action/run.sh "$out/action/"
n=0
for doc in README.md docs/*.md; do
  awk -v dir="$out/.github/workflows" -v doc="$(basename "$doc" .md)" '
    /^```yaml$/ { inblock = 1; text = ""; next }
    /^```$/ && inblock {
      inblock = 0
      if (text ~ /(^|\n)jobs:/) { body = text }
      else if (text ~ /^ *- (uses|run|id):/) {
        body = "on: push\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n    permissions:\n      security-events: write\n    steps:\n"
        n2 = split(text, lines, "\n")
        indent = -1
        for (i = 1; i <= n2; i++) {
          if (lines[i] == "") continue
          if (indent < 0) { match(lines[i], /^ */); indent = RLENGTH }
          body = body "      " substr(lines[i], indent + 1) "\n"
        }
      } else { next }
      k++
      gsub(/stacklint\/stacklint@[^ \n]*/, "./", body)
      printf "%s", body > (dir "/" doc "-" k ".yml")
      close(dir "/" doc "-" k ".yml")
      next
    }
    inblock { text = text $0 "\n" }
  ' "$doc"
done
n=$(find "$out/.github/workflows" -name '*.yml' | wc -l)
cp .github/workflows/*.yml "$out/.github/workflows/"
echo "actionlint: $(find "$out/.github/workflows" -name '*.yml' | wc -l) files ($n snippets from the docs)"
(cd "$out" && git init -q . && actionlint)
echo "actionlint: no problems"
