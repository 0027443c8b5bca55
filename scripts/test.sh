#!/usr/bin/env bash
# What `npm test` runs, in order, stopping at the first failure:
#   eslint -> typecheck -> generated artifacts up to date -> unit tier (unit + golden)
#   -> start OpenSearch, moto and the secured OpenSearch (scripts/services.sh start all; stopped again on
#      exit if this run started them)
#   -> template lint (scripts/lint-templates.sh, when present) -> integration tier.
# The last line is `N passed, N failed` (jest tests of both tiers; a suite that cannot run counts as failed).
#
# Environment: OPENSEARCH_URL / AWS_ENDPOINT_URL use running services instead of starting them;
# TRIBUTARY_SKIP_INTEGRATION=1 stops after the unit tier (no Java or Python needed);
# TRIBUTARY_KEEP_SERVICES=1 leaves the services it started running. The secured-cluster tests
# (test/integration/secured.test.ts) run here with TRIBUTARY_REQUIRE_SECURE=1: a secured node that is
# missing fails them instead of skipping them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.cache/test-results"
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.json

PASSED=0
FAILED=0
SKIPPED=0
TIERS_RUN=0
T_START=$SECONDS
STARTED_FILE=""

summary() {
  echo
  echo "test.sh: total $((SECONDS - T_START)) s"
  if ((TIERS_RUN > 0)); then
    if ((SKIPPED > 0)); then
      echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    else
      echo "$PASSED passed, $FAILED failed"
    fi
  fi
}

# The services go down before the summary so that `N passed, N failed` stays the very last line.
fail() {
  echo >&2
  echo "test.sh: FAILED at step '$1'${2:+: $2}" >&2
  stop_services
  summary
  exit 1
}

# step NAME CMD...: run CMD, stop everything at its first failure.
step() {
  local name="$1" t0=$SECONDS
  shift
  echo
  echo "==> $name: $*"
  "$@" || fail "$name" "exit code $?"
  echo "<== $name ok ($((SECONDS - t0)) s)"
}

# Adds the counts of a jest --json result file; prints them.
count() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    console.log(r.numPassedTests, failed, r.numPendingTests + r.numTodoTests);
  ' "$1"
}

# jest_tier NAME ARGS...: one jest project; counts go into the totals even when it fails.
jest_tier() {
  local name="$1" out="$RESULTS/$1.json" t0=$SECONDS rc=0
  shift
  echo
  echo "==> $name tier: jest $*"
  npx jest --watchAll=false --json --outputFile="$out" "$@" || rc=$?
  [[ -s "$out" ]] || fail "$name tier" "jest wrote no results (exit code $rc)"
  local p f s
  read -r p f s < <(count "$out")
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  SKIPPED=$((SKIPPED + s))
  TIERS_RUN=$((TIERS_RUN + 1))
  ((rc == 0 && f == 0)) || fail "$name tier" "$f failed (jest exit code $rc)"
  echo "<== $name tier ok: $p passed, $s skipped ($((SECONDS - t0)) s)"
}

# Stops what this run started (idempotent; also the EXIT trap, for interruptions).
stop_services() {
  if [[ -n "$STARTED_FILE" ]]; then
    if [[ -s "$STARTED_FILE" && "${TRIBUTARY_KEEP_SERVICES:-}" != 1 ]]; then
      # shellcheck disable=SC2046 # one service name per line
      bash "$ROOT/scripts/services.sh" stop $(sort -u "$STARTED_FILE") || true
    fi
    rm -f "$STARTED_FILE"
    STARTED_FILE=""
  fi
}

[[ -d node_modules ]] || fail "setup" "node_modules is missing: run 'npm ci' first"

step eslint npx eslint .
step typecheck npx tsc --noEmit -p tsconfig.json
step "generated artifacts up to date" npx tsx scripts/generate.ts --check
jest_tier unit --selectProjects unit --maxWorkers=2

if [[ "${TRIBUTARY_SKIP_INTEGRATION:-}" == 1 ]]; then
  echo "test.sh: TRIBUTARY_SKIP_INTEGRATION=1: integration tier not run"
  summary
  exit 0
fi

STARTED_FILE="$(mktemp)"
export TRIBUTARY_STARTED_FILE="$STARTED_FILE"
trap stop_services EXIT
trap 'exit 130' INT TERM
# The secured node too, unless the run uses someone else's plain OpenSearch and names no secured one
# (then its tests are skipped, and counted as skipped, instead of needing Java here).
SERVICES=(all)
REQUIRE_SECURE=1
if [[ -n "${OPENSEARCH_URL:-}" && -z "${OPENSEARCH_SECURE_URL:-}" ]]; then
  SERVICES=(opensearch moto)
  REQUIRE_SECURE=0
  echo "test.sh: OPENSEARCH_URL is set and OPENSEARCH_SECURE_URL is not: the secured-cluster tests will be skipped"
fi
step services bash scripts/services.sh start "${SERVICES[@]}"
set -a
# shellcheck source=/dev/null
. "$ROOT/.cache/services.env"
set +a

if [[ -f scripts/lint-templates.sh ]]; then
  LINT_VENV="$(dirname "$TRIBUTARY_VENV_BIN")" PATH="$TRIBUTARY_VENV_BIN:$PATH" step "template lint" bash scripts/lint-templates.sh
fi

TRIBUTARY_REQUIRE_SECURE=$REQUIRE_SECURE jest_tier integration --selectProjects integration --runInBand --testTimeout=120000
stop_services
summary
