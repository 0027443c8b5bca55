#!/usr/bin/env bash
# `npm run fuzz -- --runs N [--seed S] [TEST_PATH_PATTERN...]`: the property tests (fast-check) with a
# random seed (or S) and N runs per property (default 1000), to fuzz longer than `npm test` does.
# `npm test` runs the same properties with a fixed seed and small run counts (test/helpers/fuzz.ts).
# Without patterns it runs every unit test file that uses fast-check. The seed is printed first and
# last; fast-check's failure message names it with the counterexample's path. Exit code: jest's.
#   npm run fuzz -- --runs 2000 elb vpcflow     # two parsers, 2000 runs per property
#   npm run fuzz -- --runs 2000 --seed 12345    # reproduce a run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() {
  echo "fuzz: $1" >&2
  usage >&2
  exit 2
}

RUNS=1000
SEED=""
PATTERNS=()
while (($# > 0)); do
  case "$1" in
    --runs) [[ $# -ge 2 ]] || die "--runs needs a value"; RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#--runs=}"; shift ;;
    --seed) [[ $# -ge 2 ]] || die "--seed needs a value"; SEED="$2"; shift 2 ;;
    --seed=*) SEED="${1#--seed=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; PATTERNS+=("$@"); break ;;
    -*) die "unknown option $1" ;;
    *) PATTERNS+=("$1"); shift ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]{0,6}$ ]] || die "--runs must be a positive integer (at most 7 digits), got '$RUNS'"
if [[ -z "$SEED" ]]; then
  SEED="$(node -e 'console.log(require("node:crypto").randomInt(-(2 ** 31), 2 ** 31))')"
fi
[[ "$SEED" =~ ^-?[0-9]{1,10}$ ]] && ((SEED >= -2147483648 && SEED <= 2147483647)) || die "--seed must be a 32-bit integer, got '$SEED'"
if ((${#PATTERNS[@]} == 0)); then
  mapfile -t PATTERNS < <(grep -l "from 'fast-check'" test/unit/*.test.ts)
fi

AGAIN="npm run fuzz -- --runs $RUNS --seed $SEED${PATTERNS[*]:+ ${PATTERNS[*]}}"
echo "fuzz: seed $SEED, $RUNS runs per property, ${#PATTERNS[@]} test path pattern(s)"
echo "fuzz: reproduce with: $AGAIN"
rc=0
# No time limit per test: N runs of the whole-pipeline properties can take minutes.
TRIBUTARY_FUZZ_SEED="$SEED" TRIBUTARY_FUZZ_RUNS="$RUNS" \
  npx jest --selectProjects unit --watchAll=false --testTimeout=86400000 "${PATTERNS[@]}" || rc=$?
echo
if ((rc == 0)); then
  echo "fuzz: passed (seed $SEED, $RUNS runs per property)"
else
  echo "fuzz: FAILED (exit code $rc; seed $SEED, $RUNS runs per property); reproduce with: $AGAIN"
fi
exit "$rc"
