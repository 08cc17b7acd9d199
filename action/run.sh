#!/usr/bin/env bash
# The GitHub Action's steps (action.yml), one subcommand each, so that a test can run them with a
# fake runner environment (tests/action.rs):
#
#   run.sh resolve   which version and archive this runner needs, and the tool-cache folder
#   run.sh install   download the release archive, verify its SHA-256, unpack it into that folder
#                    (or `cargo install` it there for `version: source`)
#   run.sh check     run stacklint, replay its annotations, set the step's outputs
#
# Inputs come as INPUT_* variables (action.yml maps them). STACKLINT_RELEASES overrides where
# release archives come from: a URL prefix under which `<tag>/stacklint-<target>.<ext>` lives
# (`file://` works, which is how the test stands in for the download).
set -euo pipefail

die() {
  echo "::error title=stacklint::$*"
  exit 2
}

output() {
  printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

# Sets `target`: the Rust target whose release archive runs on this runner. (Functions set
# variables rather than print them: an error inside `$(…)` would be captured, not shown.)
find_target() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ;;
    *) die "no released binary for ${RUNNER_OS:-?} ${RUNNER_ARCH:-?}; use \`version: source\` to build it" ;;
  esac
}

# Sets `version`: the input, else the tag the Action itself was used at (`uses:
# stacklint/stacklint@v0.1.0`), else the latest release (a branch, a commit or a local checkout).
find_version() {
  version=${INPUT_VERSION:-}
  if [[ -z "$version" ]]; then
    if [[ "${ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then version=$ACTION_REF; else version=latest; fi
  fi
  case "$version" in
    source | latest | v*) ;;
    [0-9]*) version="v$version" ;;
    *) die "version \`$version\` is not a release tag (v0.1.0), \`latest\` or \`source\`" ;;
  esac
}

resolve() {
  local version target
  find_version
  if [[ "$version" == source ]]; then target=source; else find_target; fi
  local dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?RUNNER_TEMP is not set}}/stacklint/$version/$target"
  output version "$version"
  output target "$target"
  output dir "$dir"
  # Only a released version names one binary for good: `latest` moves, and a `source` build
  # follows whatever the Action's checkout holds.
  if [[ "$version" == v* ]]; then output cacheable true; else output cacheable false; fi
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

install() {
  local version=${STACKLINT_VERSION:?} target=${STACKLINT_TARGET:?} dir=${STACKLINT_DIR:?}
  local exe=stacklint
  [[ "$target" == *windows* ]] && exe=stacklint.exe
  if [[ -x "$dir/bin/$exe" ]]; then
    echo "stacklint $version from the tool cache"
  elif [[ "$version" == source ]]; then
    cargo install --locked --quiet --root "$dir" --path "${GITHUB_ACTION_PATH:?}"
  else
    local ext=tar.gz
    [[ "$target" == *windows* ]] && ext=zip
    local base=${STACKLINT_RELEASES:-https://github.com/${ACTION_REPOSITORY:-stacklint/stacklint}/releases}
    local url
    if [[ "$version" == latest ]]; then url="$base/latest/download"; else url="$base/download/$version"; fi
    # Global, not local: the EXIT trap runs after the function has returned.
    tmp=$(mktemp -d "${RUNNER_TEMP:?}/stacklint-download.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    local archive="$tmp/stacklint-$target.$ext"
    echo "Downloading $url/stacklint-$target.$ext"
    curl --fail --silent --show-error --location --retry 3 -o "$archive" "$url/stacklint-$target.$ext" ||
      die "cannot download stacklint $version for $target (is $version released?)"
    curl --fail --silent --show-error --location --retry 3 -o "$tmp/sha256" "$url/stacklint-$target.sha256" ||
      die "cannot download the checksum of stacklint $version for $target"
    local want got
    want=$(cut -d' ' -f1 <"$tmp/sha256" | head -n 1)
    got=$(sha256 "$archive")
    [[ -n "$want" && "$want" == "$got" ]] ||
      die "checksum mismatch for stacklint-$target.$ext: expected $want, got $got"
    mkdir -p "$dir/bin"
    if [[ "$ext" == zip ]]; then
      if command -v unzip >/dev/null; then
        unzip -q -o "$archive" -d "$tmp/x"
      else
        pwsh -NoProfile -Command "Expand-Archive -Force -Path '$archive' -DestinationPath '$tmp/x'"
      fi
    else
      mkdir -p "$tmp/x"
      tar -xzf "$archive" -C "$tmp/x"
    fi
    [[ -f "$tmp/x/$exe" ]] || die "stacklint-$target.$ext holds no $exe"
    mv "$tmp/x/$exe" "$dir/bin/$exe"
    chmod +x "$dir/bin/$exe"
  fi
  "$dir/bin/$exe" --version
  # Later steps of the job may call stacklint themselves.
  if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$dir/bin" >>"$GITHUB_PATH"; fi
}

check() {
  local dir=${STACKLINT_DIR:?}
  local bin="$dir/bin/stacklint"
  [[ -x "$bin" ]] || bin="$dir/bin/stacklint.exe"
  local workspace=${GITHUB_WORKSPACE:?GITHUB_WORKSPACE is not set}
  # Every run gets its own folder under RUNNER_TEMP: a runner that is reused never replays an
  # earlier run's annotations, and nothing is left in the workspace.
  # Global, not local: the EXIT trap runs after the function has returned.
  tmp=$(mktemp -d "${RUNNER_TEMP:?RUNNER_TEMP is not set}/stacklint.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  local sarif=${INPUT_SARIF_FILE:-}
  if [[ -z "$sarif" ]]; then
    sarif="$RUNNER_TEMP/stacklint.sarif"
  elif [[ "$sarif" != /* && ! "$sarif" =~ ^[A-Za-z]:[\\/] ]]; then
    sarif="$workspace/$sarif"
  fi
  mkdir -p "$(dirname "$sarif")"
  rm -f "$sarif"
  local args=(check . --fail-on "${INPUT_FAIL_ON:-error}"
    --format github --output "$tmp/annotations"
    --format sarif --output "$sarif"
    --format "${INPUT_FORMAT:-concise}")
  [[ -n "${INPUT_CONFIG:-}" ]] && args+=(--config "$INPUT_CONFIG")
  [[ -n "${INPUT_BASELINE:-}" ]] && args+=(--baseline "$INPUT_BASELINE")
  [[ -n "${INPUT_CATEGORY:-}" ]] && args+=(--sarif-category "$INPUT_CATEGORY")
  local code=0
  (cd "$workspace/${INPUT_PATH:-.}" && "$bin" "${args[@]}") || code=$?
  output exit-code "$code"
  if [[ "$code" -ge 2 ]]; then
    # stacklint said why on stderr just above; no report was written.
    echo "::error title=stacklint::stacklint exited $code (a usage, config or I/O error: see the line above)"
    output findings ""
    output errors ""
    output warnings ""
    output sarif-file ""
    exit "$code"
  fi
  # Workflow commands only take effect on stdout: replay the annotations there.
  cat "$tmp/annotations"
  local errors warnings notices
  errors=$(grep -c '^::error ' "$tmp/annotations" || true)
  warnings=$(grep -c '^::warning ' "$tmp/annotations" || true)
  notices=$(grep -c '^::notice ' "$tmp/annotations" || true)
  output findings "$((errors + warnings + notices))"
  output errors "$errors"
  output warnings "$warnings"
  output sarif-file "$sarif"
  exit "$code"
}

case "${1:-}" in
  resolve) resolve ;;
  install) install ;;
  check) check ;;
  *)
    echo "usage: run.sh resolve|install|check" >&2
    exit 2
    ;;
esac
