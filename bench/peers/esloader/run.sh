#!/usr/bin/env bash
# es-loader (SIEM on Amazon OpenSearch Service 2.8.0c) against Tributary on the
# same generated 50 MB files, one pinned core, whole process (bench/README.md,
# "Peers"). es-loader's code stays outside the repository:
#   ES_LOADER_DIR=/path/to/siem-on-amazon-opensearch-service/source/lambda/es_loader \
#     bench/peers/esloader/run.sh [alb cloudtrail vpc]
# Env: CPU (core, default 1), RUNS (default 3), WARMUP (default 1).
#   GEOIP (default 1): es-loader looks up its geoip fields (geo + as) in
#   GeoLite2-City.mmdb and GeoLite2-ASN.mmdb of GEOIP_DIR (default
#   .cache/peers/geodb), as Tributary enriches by default; build_geodbs.py
#   writes them there when missing (about a minute) from the data Tributary
#   uses (@ip-location-db country MMDB and ASN CSVs). IOC stays off.
#   GEOIP=0: es-loader without GeoIP (the "es-loader <source> no-geoip" runs).
# Needs python3 (3.11 was used), hyperfine, GNU time, node; npm ci and
# npm run build first.
set -euo pipefail
cd "$(dirname "$0")/../../.."
: "${ES_LOADER_DIR:?set ES_LOADER_DIR to the es_loader source directory}"
CPU=${CPU:-1} RUNS=${RUNS:-3} WARMUP=${WARMUP:-1} GEOIP=${GEOIP:-1}
here=bench/peers/esloader venv=.cache/peers/esloader-venv out=.cache/bench

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# Also brings an older venv up to requirements.txt (no download when it is).
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"

esl_name=es-loader tag=
if [ "$GEOIP" = 1 ]; then
  GEOIP_DIR=${GEOIP_DIR:-.cache/peers/geodb}
  [ -f "$GEOIP_DIR/GeoLite2-City.mmdb" ] && [ -f "$GEOIP_DIR/GeoLite2-ASN.mmdb" ] ||
    taskset -c "$CPU" "$venv/bin/python" "$here/build_geodbs.py" "$GEOIP_DIR"
  export GEOIP_DIR
else
  unset GEOIP_DIR
  esl_name="es-loader no-geoip" tag=-no-geoip
fi

# source name -> cli-files.ts source, Tributary --source, es-loader log type
declare -A GEN=([alb]=alb [cloudtrail]=cloudtrail [vpc]=vpc-v2)
declare -A TRIB=([alb]=elb [cloudtrail]=cloudtrail [vpc]=vpcflow)
declare -A ESL=([alb]=alb [cloudtrail]=cloudtrail [vpc]=vpcflowlogs)

mkdir -p "$out"
[ $# -gt 0 ] || set -- alb cloudtrail vpc
for s in "$@"; do
  raw=$out/cli-${GEN[$s]}-50mb.log
  [ -f "$raw" ] || npx tsx bench/cli-files.ts "${GEN[$s]}" 50 "$raw"
  file=$raw
  if [ "$s" = vpc ]; then
    # S3-delivered flow logs start with the field-name line; es-loader reads
    # its field names from it (its csv format), Tributary skips it.
    file=$out/cli-vpc-v2-50mb.header.log
    { echo 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
      cat "$raw"; } > "$file"
  fi
  gzip -c "$file" > "$file.gz"
  esl="$venv/bin/python $here/driver.py ${ESL[$s]} $file.gz"
  trib="node bin/tributary.js normalize --source ${TRIB[$s]} $file"
  export ES_LOADER_DIR
  hyperfine -w "$WARMUP" -r "$RUNS" --export-json "$out/esloader-$s$tag.json" \
    -n "$esl_name $s" "taskset -c $CPU $esl > /dev/null" \
    -n "tributary $s" "taskset -c $CPU $trib > /dev/null" \
    -n "tributary $s --no-enrich" "taskset -c $CPU $trib --no-enrich > /dev/null"
  # Peak RSS (one run each) and the counts each side reports on stderr.
  for cmd in "$esl" "$trib" "$trib --no-enrich"; do
    /usr/bin/time -v taskset -c "$CPU" $cmd 2> "$out/time.err" > /dev/null
    echo "== $cmd"
    grep -E '^\{"log_type"|Maximum resident|Elapsed \(wall' "$out/time.err" || true
    grep -E '^[a-z0-9]+: [0-9]+ received' "$out/time.err" || true
  done
done
uptime
