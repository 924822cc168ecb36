#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml), one subcommand each, so that they can
# be run and tested outside a runner with the same environment variables:
#
#   plan     where the binary goes and the cache key for it      (outputs: mode, root, cache-key)
#   install  cargo install --locked (unless cached), or docker pull
#   scan     run authprobe, write the SARIF file and the job summary (outputs: exit-code, sarif-file, report-dir)
#   finish   exit with the scan's exit code (after the SARIF upload has run)
#
# Inputs come as INPUT_URL, INPUT_TARGETS, INPUT_ARGS, INPUT_FAIL_ON, INPUT_SARIF,
# INPUT_SUMMARY, INPUT_VERSION, INPUT_IMAGE (action.yml passes them explicitly: a
# composite action gets no INPUT_* variables of its own). The runner provides
# GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, GITHUB_ACTION_PATH and the rest.
# AUTHPROBE_BIN names an authprobe binary to use instead of installing one.
set -euo pipefail

say_error() { echo "::error title=authprobe::$*" >&2; }

output() { echo "$1=$2" >>"$GITHUB_OUTPUT"; }

# The directory cargo installs into, per version, under the runner's tool cache.
install_root() {
  local base="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?}}/authprobe"
  echo "$base/${INPUT_VERSION:-source}"
}

plan() {
  if [ -n "${INPUT_IMAGE:-}" ]; then
    output mode image
    return
  fi
  local key
  if [ -n "${INPUT_VERSION:-}" ]; then
    key="$INPUT_VERSION"
  else
    # The action's own source, whatever ref `uses:` named: the same files, the same key.
    key="$(cd "$GITHUB_ACTION_PATH" && find Cargo.toml Cargo.lock crates -type f -not -path '*/target/*' |
      LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
  fi
  output mode cargo
  output root "$(install_root)"
  output cache-key "authprobe-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$key"
}

install() {
  if [ -n "${AUTHPROBE_BIN:-}" ]; then
    echo "using $AUTHPROBE_BIN"
    return
  fi
  if [ -n "${INPUT_IMAGE:-}" ]; then
    docker pull "$INPUT_IMAGE"
    return
  fi
  local root
  root="$(install_root)"
  if [ -x "$root/bin/authprobe" ]; then
    echo "authprobe from the cache: $("$root/bin/authprobe" --version)"
    return
  fi
  # The commit shown by `authprobe --version`: the runner fetches actions without .git.
  if [[ "${GITHUB_ACTION_REF:-}" =~ ^[0-9a-f]{40}$ ]]; then
    export AUTHPROBE_GIT_COMMIT="${GITHUB_ACTION_REF:0:7}"
  fi
  if [ -z "${INPUT_VERSION:-}" ]; then
    cargo install --locked --root "$root" --path "$GITHUB_ACTION_PATH/crates/authprobe"
  else
    cargo install --locked --root "$root" \
      --git "${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_ACTION_REPOSITORY:?}" \
      --rev "$INPUT_VERSION" authprobe
  fi
}

# Runs authprobe with the given arguments; output files live in $out, which the
# container sees at the same path.
authprobe() {
  if [ -n "${AUTHPROBE_BIN:-}" ]; then
    "$AUTHPROBE_BIN" "$@"
  elif [ -n "${INPUT_IMAGE:-}" ]; then
    docker run --rm --network host --user "$(id -u):$(id -g)" \
      -v "$PWD:$PWD" -w "$PWD" -v "$out:$out" "$INPUT_IMAGE" "$@"
  else
    "$(install_root)/bin/authprobe" "$@"
  fi
}

# One SARIF run from the SARIF files of a batch's targets: the rules of all, each
# result pointing at its rule's new place, every invocation, each target's properties.
merge_sarif() {
  jq -s '
    ([.[].runs[].tool.driver.rules[]] | unique_by(.id)) as $rules
    | ([$rules | to_entries[] | {key: .value.id, value: .key}] | from_entries) as $at
    | [.[].runs[].results[] | .ruleIndex = $at[.ruleId]] as $results
    | [.[].runs[].invocations[]?] as $invocations
    | [.[].runs[].properties | select(. != null)] as $targets
    | .[0]
    | .runs = [.runs[0]
        | .tool.driver.rules = $rules
        | .results = $results
        | .invocations = $invocations
        | .properties = {targets: $targets}]
  ' "$@"
}

scan() {
  out="${RUNNER_TEMP:?}/authprobe"
  rm -rf "$out"
  mkdir -p "$out"
  local sarif="${INPUT_SARIF:-true}" summary="${INPUT_SUMMARY:-true}"
  local -a argv=(scan --fail-on "${INPUT_FAIL_ON:-high}")
  if [ -n "${INPUT_URL:-}" ] && [ -n "${INPUT_TARGETS:-}" ]; then
    say_error "give either url or targets, not both"
    exit 3
  elif [ -n "${INPUT_URL:-}" ]; then
    argv+=("$INPUT_URL" --json "$out/report.json")
    [ "$sarif" = true ] && argv+=(--sarif "$out/authprobe.sarif")
    [ "$summary" = true ] && argv+=(--md "$out/report.md")
  elif [ -n "${INPUT_TARGETS:-}" ]; then
    argv+=(--targets "$INPUT_TARGETS" --output-dir "$out/targets" --json report.json)
    [ "$sarif" = true ] && argv+=(--sarif report.sarif)
  else
    say_error "give the MCP endpoint to scan (url) or a file listing endpoints (targets)"
    exit 3
  fi
  if [ -n "${INPUT_ARGS:-}" ]; then
    # Split like a shell (quotes honoured) without evaluating anything.
    local -a extra
    mapfile -d '' extra < <(printf '%s' "$INPUT_ARGS" | xargs printf '%s\0')
    argv+=("${extra[@]}")
  fi
  local code=0
  authprobe "${argv[@]}" | tee "$out/terminal.txt" || code=$?
  output exit-code "$code"
  output report-dir "$out"

  if [ -n "${INPUT_TARGETS:-}" ] && [ "$sarif" = true ]; then
    local -a files=()
    mapfile -t files < <(find "$out/targets" -name report.sarif 2>/dev/null | LC_ALL=C sort)
    if [ "${#files[@]}" -gt 0 ]; then
      merge_sarif "${files[@]}" >"$out/authprobe.sarif"
    fi
  fi
  if [ "$sarif" = true ] && [ -s "$out/authprobe.sarif" ]; then
    output sarif-file "$out/authprobe.sarif"
  fi

  if [ "$summary" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    if [ -s "$out/report.md" ]; then
      cat "$out/report.md" >>"$GITHUB_STEP_SUMMARY"
    else
      {
        echo "## authprobe (exit $code)"
        echo
        echo '```text'
        cat "$out/terminal.txt"
        echo '```'
      } >>"$GITHUB_STEP_SUMMARY"
    fi
  fi
}

finish() {
  local code="${AUTHPROBE_EXIT_CODE:-}"
  case "$code" in
    0) exit 0 ;;
    2) say_error "findings at or above fail-on (${INPUT_FAIL_ON:-high}); see the job summary and code scanning" ;;
    3) say_error "the scan could not run; see the scan step's log" ;;
    *) say_error "the scan step did not report an exit code"; code=3 ;;
  esac
  exit "$code"
}

case "${1:-}" in
  plan | install | scan | finish) "$1" ;;
  *)
    echo "usage: $0 plan|install|scan|finish" >&2
    exit 3
    ;;
esac
