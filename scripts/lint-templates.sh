#!/usr/bin/env bash
# Lints the CloudFormation that Tributary deploys:
#   1. the archive-account stack, as `serverless package --stage test` renders it (the test stage
#      turns every optional part on; conditions keep all resources in the template anyway), and
#   2. deploy/member-account.yml (plain CloudFormation, StackSet-deployable).
# cfn-lint must report no error and no warning (except W3005 on the packaged template: the framework
# itself adds DependsOn on each function's role). checkov must report no failed check; every skip is
# justified next to its resource (Metadata.checkov.skip[].comment).
#
# Tools: .cache/venv (scripts/services.sh installs cfn-lint and checkov there), else LINT_VENV, else PATH.
# PACKAGED_DIR=<dir> reuses an existing `serverless package` output instead of packaging again.
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir=""
for d in "${LINT_VENV:-}" .cache/venv; do
  if [ -n "$d" ] && [ -x "$d/bin/cfn-lint" ] && [ -x "$d/bin/checkov" ]; then bin_dir="$d/bin/"; break; fi
done
for tool in cfn-lint checkov; do
  if [ ! -x "${bin_dir}${tool}" ] && ! command -v "${bin_dir}${tool}" >/dev/null; then
    echo "lint-templates: ${tool} not found (run scripts/services.sh, or set LINT_VENV to a venv with cfn-lint and checkov)" >&2
    exit 2
  fi
done

packaged="${PACKAGED_DIR:-}"
if [ -z "$packaged" ]; then
  packaged="$(mktemp -d /tmp/tributary-package.XXXXXX)"
  pkglog="$(mktemp /tmp/tributary-package-log.XXXXXX)"   # not inside $packaged: packaging empties it
  trap 'rm -rf "$packaged" "$pkglog"' EXIT
  # In a private view of the project (files copied, directories linked): serverless-esbuild builds in
  # <service>/.esbuild, which a test run packaging at the same time would otherwise share.
  service="$(mktemp -d /tmp/tributary-lint-service.XXXXXX)"
  trap 'rm -rf "$packaged" "$pkglog" "$service"' EXIT
  for entry in * .[!.]*; do
    [ -e "$entry" ] || continue
    case "$entry" in .esbuild|.serverless|.git|.cache|.tributary) continue ;; esac
    if [ -f "$entry" ]; then cp "$entry" "$service/$entry"; else ln -s "$PWD/$entry" "$service/$entry"; fi
  done
  echo "lint-templates: packaging (serverless package --stage test) ..."
  (cd "$service" && SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off node node_modules/osls/bin/serverless.js package --stage test --package "$packaged") >"$pkglog" 2>&1 ||
    { cat "$pkglog" >&2; echo "lint-templates: serverless package failed" >&2; exit 1; }
fi
stack="$packaged/cloudformation-template-update-stack.json"
member=deploy/member-account.yml
status=0

echo "lint-templates: cfn-lint archive stack"
"${bin_dir}cfn-lint" --ignore-checks W3005 -- "$stack" || status=1
echo "lint-templates: cfn-lint member-account template"
"${bin_dir}cfn-lint" -- "$member" || status=1

for t in "$stack" "$member"; do
  echo "lint-templates: checkov $(basename "$t")"
  "${bin_dir}checkov" --quiet --compact --framework cloudformation --skip-download --output cli -f "$t" || status=1
done

if [ "$status" -eq 0 ]; then echo "lint-templates: OK (cfn-lint clean, checkov no failed checks)"; else echo "lint-templates: FAILED" >&2; fi
exit "$status"
