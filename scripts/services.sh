#!/usr/bin/env bash
# Real local services for the integration tier: OpenSearch (single node, plain HTTP) and moto (AWS API).
#
#   scripts/services.sh start    install what is missing (cached), start both, wait until healthy,
#                                write .cache/services.env (OPENSEARCH_URL, AWS_ENDPOINT_URL, test credentials)
#   scripts/services.sh stop [opensearch|moto]...   stop what this script started (all by default)
#   scripts/services.sh status   URLs and health; exit 0 only when everything answers
#   scripts/services.sh env      print `export` lines: eval "$(scripts/services.sh env)"
#   scripts/services.sh install  only download and unpack (OpenSearch, plugins, Python venv)
#
# Needs Java 11+ (17 recommended; the integ-test distribution bundles no JDK), Maven (to fetch the
# distribution from Maven Central into ~/.m2), Python 3.9+ (venv for moto, cfn-lint, checkov), curl, unzip.
# OpenSearch refuses to run as root: as root, it runs as the unprivileged system user $TRIBUTARY_OS_USER.
#
# Environment (all optional):
#   OPENSEARCH_URL               use this OpenSearch instead of starting one
#   AWS_ENDPOINT_URL             use this AWS endpoint instead of starting moto
#   TRIBUTARY_OS_PORT (9200), TRIBUTARY_OS_TRANSPORT_PORT (9300), TRIBUTARY_MOTO_PORT (5000)
#   TRIBUTARY_OS_VERSION (2.19.4), TRIBUTARY_OS_HEAP (768m), TRIBUTARY_OS_USER (tributary-os)
#   TRIBUTARY_OS_TIMEOUT (240 s), TRIBUTARY_MOTO_TIMEOUT (60 s)  bounded health waits
#   TRIBUTARY_OS_PLUGINS         Maven coordinates of plugin zips (group:artifact:version), installed in order
#   TRIBUTARY_OS_PLUGIN_ZIPS     local plugin zip files, installed after TRIBUTARY_OS_PLUGINS
#   TRIBUTARY_OS_KEEP_DATA=1     keep indices between restarts (default: fresh data on every start)
#   TRIBUTARY_CACHE_DIR          where everything is unpacked (default: <repo>/.cache)
#   TRIBUTARY_STARTED_FILE       `start` appends the names of the services it started to this file
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${TRIBUTARY_CACHE_DIR:-$ROOT/.cache}"
RUN_DIR="$CACHE/services"
ENV_FILE="$CACHE/services.env"
VENV="$CACHE/venv"
REQS="$ROOT/scripts/requirements-test.txt"

OS_VERSION="${TRIBUTARY_OS_VERSION:-2.19.4}"
OS_PORT="${TRIBUTARY_OS_PORT:-9200}"
OS_TRANSPORT_PORT="${TRIBUTARY_OS_TRANSPORT_PORT:-9300}"
OS_HEAP="${TRIBUTARY_OS_HEAP:-768m}"
OS_USER="${TRIBUTARY_OS_USER:-tributary-os}"
OS_TIMEOUT="${TRIBUTARY_OS_TIMEOUT:-240}"
OS_PLUGINS="${TRIBUTARY_OS_PLUGINS:-}"
OS_PLUGIN_ZIPS="${TRIBUTARY_OS_PLUGIN_ZIPS:-}"
MOTO_PORT="${TRIBUTARY_MOTO_PORT:-5000}"
MOTO_TIMEOUT="${TRIBUTARY_MOTO_TIMEOUT:-60}"
OS_OWN_URL="http://127.0.0.1:$OS_PORT"
MOTO_OWN_URL="http://127.0.0.1:$MOTO_PORT"
MOTO_PID="$RUN_DIR/moto.pid"
MOTO_LOG="$RUN_DIR/moto.log"

# Set by os_paths: where the distribution is unpacked and where the node keeps data, logs and its pid.
OS_HOME=""
OS_RUN=""
RUN_AS=()

log() { printf 'services: %s\n' "$*" >&2; }
die() {
  printf 'services: ERROR: %s\n' "$*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required: $2"
}

# A URL the user gave us (not the one this script would start) means "use theirs".
external_os() { [[ -n "${OPENSEARCH_URL:-}" && "${OPENSEARCH_URL%/}" != "$OS_OWN_URL" ]]; }
external_moto() { [[ -n "${AWS_ENDPOINT_URL:-}" && "${AWS_ENDPOINT_URL%/}" != "$MOTO_OWN_URL" ]]; }
os_url() { if external_os; then echo "${OPENSEARCH_URL%/}"; else echo "$OS_OWN_URL"; fi; }
moto_url() { if external_moto; then echo "${AWS_ENDPOINT_URL%/}"; else echo "$MOTO_OWN_URL"; fi; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# alive PIDFILE MARKER: the pid in the file runs and its command line contains MARKER (guards against reuse).
alive() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}

find_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    :
  else
    command -v java >/dev/null 2>&1 ||
      die "Java is required to run OpenSearch $OS_VERSION (the test distribution bundles no JDK): install Java 17 (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  fi
  export JAVA_HOME
  local major
  major="$("$JAVA_HOME/bin/java" -version 2>&1 | sed -nE '1s/.*version "(1\.)?([0-9]+).*/\2/p')"
  [[ -n "$major" && "$major" -ge 11 ]] || die "OpenSearch $OS_VERSION needs Java 11 or newer (17 recommended); $JAVA_HOME/bin/java reports '${major:-unknown}'"
}

find_python() {
  command -v python3 >/dev/null 2>&1 || die "Python 3.9+ is required for moto, cfn-lint and checkov: install python3 and python3-venv"
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
    die "Python 3.9+ is required; python3 is $(python3 --version 2>&1)"
}

# Where OpenSearch lives. As root, the unprivileged user must be able to reach it: when a parent of the
# cache is not traversable (a checkout under /root, say), fall back to a per-checkout folder in /var/tmp.
os_paths() {
  mkdir -p "$CACHE"
  local base="$CACHE"
  if [[ "$(id -u)" == 0 ]]; then
    if ! id -u "$OS_USER" >/dev/null 2>&1; then
      log "creating system user $OS_USER (OpenSearch refuses to run as root)"
      useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$OS_USER" || die "could not create user $OS_USER"
    fi
    RUN_AS=(runuser -u "$OS_USER" --)
    if ! runuser -u "$OS_USER" -- test -x "$CACHE"; then
      base="/var/tmp/tributary-$(printf '%s' "$CACHE" | sha1sum | cut -c1-12)"
      log "$OS_USER cannot traverse $CACHE; using $base for OpenSearch"
      mkdir -p "$base"
      chmod 755 "$base"
    fi
  fi
  OS_HOME="$base/opensearch-$OS_VERSION"
  OS_RUN="$base/services/opensearch"
}

mvn_fetch() { # COORD(group:artifact:version:zip) DIR
  need mvn "Maven fetches OpenSearch from Maven Central (apt-get install maven)"
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$1" -DoutputDirectory="$2" -Dmdep.overWriteIfNewer=true ||
    die "could not fetch $1 from Maven Central"
}

# JVMs running from our OS_HOME (the pid file appears only some seconds after launch).
os_jvm_pids() { pgrep -f -- "-Dopensearch.path.home=$OS_HOME( |$)" || true; }
os_running() { alive "$OS_RUN/opensearch.pid" "$OS_HOME" || [[ -n "$(os_jvm_pids)" ]]; }
os_kill_strays() {
  local pid
  for pid in $(os_jvm_pids); do
    log "killing OpenSearch pid $pid (start failed)"
    kill -KILL "$pid" 2>/dev/null || true
  done
}

os_install() {
  local want stamp="$OS_HOME/.tributary-installed"
  want="$OS_VERSION|$OS_PLUGINS|$OS_PLUGIN_ZIPS"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  alive "$OS_RUN/opensearch.pid" "$OS_HOME" && die "OpenSearch is running from $OS_HOME with other plugins; run '$0 stop' first"
  need unzip "apt-get install unzip"
  local t0=$SECONDS tmp="$OS_HOME.tmp"
  rm -rf "$tmp" "$OS_HOME"
  mkdir -p "$tmp/dl"
  log "fetching OpenSearch $OS_VERSION (Maven Central, cached in ~/.m2)"
  mvn_fetch "org.opensearch.distribution.integ-test-zip:opensearch:$OS_VERSION:zip" "$tmp/dl"
  unzip -q "$tmp/dl/opensearch-$OS_VERSION.zip" -d "$tmp"
  [[ -x "$tmp/opensearch-$OS_VERSION/bin/opensearch" ]] || die "unexpected layout in opensearch-$OS_VERSION.zip"
  local coord zip
  for coord in $OS_PLUGINS; do
    log "fetching plugin $coord"
    rm -rf "$tmp/plugin" && mkdir -p "$tmp/plugin"
    mvn_fetch "$coord:zip" "$tmp/plugin"
    zip="$(ls "$tmp/plugin"/*.zip)"
    "$tmp/opensearch-$OS_VERSION/bin/opensearch-plugin" install --batch "file://$zip" >&2 ||
      die "could not install plugin $coord"
  done
  for zip in $OS_PLUGIN_ZIPS; do
    [[ -f "$zip" ]] || die "plugin zip not found: $zip"
    "$tmp/opensearch-$OS_VERSION/bin/opensearch-plugin" install --batch "file://$(readlink -f "$zip")" >&2 ||
      die "could not install plugin $zip"
  done
  rm -rf "$tmp/dl" "$tmp/plugin"
  mv "$tmp/opensearch-$OS_VERSION" "$OS_HOME"
  rmdir "$tmp"
  printf '%s' "$want" >"$stamp"
  log "OpenSearch $OS_VERSION installed in $OS_HOME ($((SECONDS - t0)) s)"
}

# Fail fast (before a long OpenSearch start) when the venv must be built and Python is missing.
find_python_if_needed() { [[ -x "$VENV/bin/moto_server" ]] || find_python; }

venv_install() {
  local want
  want="$(sha256sum "$REQS" | cut -d' ' -f1)"
  if [[ -x "$VENV/bin/moto_server" && -f "$VENV/.tributary-reqs" && "$(cat "$VENV/.tributary-reqs")" == "$want" ]]; then
    return 0
  fi
  find_python
  local t0=$SECONDS
  log "installing moto, cfn-lint, checkov into $VENV (PyPI)"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQS" >&2 || die "pip install -r $REQS failed"
  printf '%s' "$want" >"$VENV/.tributary-reqs"
  log "venv ready ($((SECONDS - t0)) s)"
}

tail_log() { # FILE...
  local f
  for f in "$@"; do
    [[ -s "$f" ]] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 40 "$f" >&2
  done
}

# wait_http NAME URL TIMEOUT LIVENESS_FN LOG...: bounded wait for URL to answer 2xx; stops early when
# LIVENESS_FN says the process died.
wait_http() {
  local name="$1" url="$2" timeout="$3" liveness="$4"
  shift 4
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if curl -fsS -m 5 -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! "$liveness"; then
      tail_log "$@"
      die "$name exited during startup (see above)"
    fi
    sleep 1
  done
  tail_log "$@"
  die "$name did not answer $url within ${timeout}s (raise TRIBUTARY_OS_TIMEOUT / TRIBUTARY_MOTO_TIMEOUT on a slow machine)"
}

started() {
  if [[ -n "${TRIBUTARY_STARTED_FILE:-}" ]]; then echo "$1" >>"$TRIBUTARY_STARTED_FILE"; fi
}

os_start() {
  if external_os; then
    log "OPENSEARCH_URL=$OPENSEARCH_URL is set: using it, not starting OpenSearch"
    curl -fsS -m 10 -o /dev/null "$OPENSEARCH_URL" || die "OpenSearch at $OPENSEARCH_URL does not answer"
    return 0
  fi
  find_java
  os_paths
  local pidfile="$OS_RUN/opensearch.pid"
  if alive "$pidfile" "$OS_HOME"; then
    wait_http OpenSearch "$OS_OWN_URL/_cluster/health?wait_for_status=yellow&timeout=2s" "$OS_TIMEOUT" os_running "$OS_RUN/logs/tributary.log"
    log "OpenSearch already running at $OS_OWN_URL (pid $(cat "$pidfile"))"
    return 0
  fi
  rm -f "$pidfile"
  port_busy "$OS_PORT" && die "port $OS_PORT is in use by a process this script did not start: set TRIBUTARY_OS_PORT (and TRIBUTARY_OS_TRANSPORT_PORT) or OPENSEARCH_URL"
  port_busy "$OS_TRANSPORT_PORT" && die "transport port $OS_TRANSPORT_PORT is in use: set TRIBUTARY_OS_TRANSPORT_PORT"
  os_install
  [[ "${TRIBUTARY_OS_KEEP_DATA:-}" == 1 ]] || rm -rf "$OS_RUN/data"
  mkdir -p "$OS_RUN/data" "$OS_RUN/logs" "$OS_RUN/tmp"
  if ((${#RUN_AS[@]})); then
    # The node writes its keystore into config/ on first start, and its data, logs and pid file here.
    chown -R "$OS_USER:" "$OS_HOME" "$OS_RUN"
  fi
  log "starting OpenSearch $OS_VERSION on $OS_OWN_URL (heap $OS_HEAP${RUN_AS:+, as $OS_USER})"
  local t0=$SECONDS
  # -d: the launcher backgrounds the JVM and returns at once; the node writes its pid file a little later.
  # 9>&-: the node must not inherit (and so hold forever) the lock of this script.
  if ! timeout 60 "${RUN_AS[@]}" env JAVA_HOME="$JAVA_HOME" OPENSEARCH_TMPDIR="$OS_RUN/tmp" \
    OPENSEARCH_JAVA_OPTS="-Xms$OS_HEAP -Xmx$OS_HEAP" \
    "$OS_HOME/bin/opensearch" -d -p "$pidfile" \
    -E cluster.name=tributary -E node.name=tributary-test \
    -E discovery.type=single-node \
    -E network.host=127.0.0.1 -E http.port="$OS_PORT" -E transport.port="$OS_TRANSPORT_PORT" \
    -E path.data="$OS_RUN/data" -E path.logs="$OS_RUN/logs" \
    -E cluster.routing.allocation.disk.threshold_enabled=false \
    -E action.destructive_requires_name=false \
    >"$OS_RUN/stdout.log" 2>&1 9>&-; then
    os_kill_strays
    tail_log "$OS_RUN/stdout.log" "$OS_RUN/logs/tributary.log"
    die "the OpenSearch launcher failed (see above)"
  fi
  # From here on the node is ours: a failed wait must not leave it running.
  trap 'os_kill_strays' EXIT
  wait_http OpenSearch "$OS_OWN_URL/_cluster/health?wait_for_status=yellow&timeout=2s" "$OS_TIMEOUT" os_running \
    "$OS_RUN/stdout.log" "$OS_RUN/logs/tributary.log"
  local i
  for ((i = 0; i < 50; i++)); do
    alive "$pidfile" "$OS_HOME" && break
    sleep 0.2
  done
  alive "$pidfile" "$OS_HOME" || die "OpenSearch answers but wrote no pid file $pidfile"
  trap - EXIT
  started opensearch
  log "OpenSearch up in $((SECONDS - t0)) s (pid $(cat "$pidfile"))"
}

moto_running() { alive "$MOTO_PID" moto_server; }

moto_start() {
  if external_moto; then
    log "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL is set: using it, not starting moto"
    return 0
  fi
  local marker="moto_server"
  if alive "$MOTO_PID" "$marker"; then
    wait_http moto "$MOTO_OWN_URL/" "$MOTO_TIMEOUT" moto_running "$MOTO_LOG"
    log "moto already running at $MOTO_OWN_URL (pid $(cat "$MOTO_PID"))"
    return 0
  fi
  rm -f "$MOTO_PID"
  port_busy "$MOTO_PORT" && die "port $MOTO_PORT is in use by a process this script did not start: set TRIBUTARY_MOTO_PORT or AWS_ENDPOINT_URL"
  mkdir -p "$RUN_DIR"
  log "starting moto on $MOTO_OWN_URL"
  # Not a process-group leader here, so setsid execs in place and $! is moto's own pid.
  # 9>&-: the daemon must not inherit (and so hold forever) the lock of this script.
  setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$MOTO_PID"
  trap 'stop_pid moto "$MOTO_PID" moto_server' EXIT
  wait_http moto "$MOTO_OWN_URL/" "$MOTO_TIMEOUT" moto_running "$MOTO_LOG"
  trap - EXIT
  started moto
  log "moto up (pid $(cat "$MOTO_PID"))"
}

write_env() {
  mkdir -p "$CACHE"
  cat >"$ENV_FILE.tmp" <<EOF
# Written by scripts/services.sh start. Load with: set -a; . .cache/services.env; set +a
OPENSEARCH_URL=$(os_url)
AWS_ENDPOINT_URL=$(moto_url)
AWS_ACCESS_KEY_ID=test
AWS_SECRET_ACCESS_KEY=test
AWS_REGION=us-east-1
AWS_DEFAULT_REGION=us-east-1
TRIBUTARY_VENV_BIN=$VENV/bin
EOF
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

stop_pid() { # NAME PIDFILE MARKER
  local name="$1" pidfile="$2" marker="$3" pid i
  if ! alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    log "$name: not running (nothing started by this script)"
    return 0
  fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM for 30 s; killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  log "$name stopped (pid $pid)"
}

cmd_stop() {
  local names=("$@")
  ((${#names[@]})) || names=(opensearch moto)
  local n
  for n in "${names[@]}"; do
    case "$n" in
      opensearch)
        os_paths_noroot
        stop_pid OpenSearch "$OS_RUN/opensearch.pid" "$OS_HOME"
        ;;
      moto) stop_pid moto "$MOTO_PID" moto_server ;;
      *) die "unknown service '$n' (opensearch|moto)" ;;
    esac
  done
}

# Locate the OpenSearch folders without creating users or folders (for stop/status).
os_paths_noroot() {
  local base="$CACHE" alt
  alt="/var/tmp/tributary-$(printf '%s' "$CACHE" | sha1sum | cut -c1-12)"
  [[ -d "$alt/services/opensearch" && ! -d "$CACHE/services/opensearch" ]] && base="$alt"
  OS_HOME="$base/opensearch-$OS_VERSION"
  OS_RUN="$base/services/opensearch"
}

cmd_status() {
  local ok=0 url health body
  os_paths_noroot
  url="$(os_url)"
  if health="$(curl -fsS -m 5 "$url/_cluster/health" 2>/dev/null)"; then
    body="$(curl -fsS -m 5 "$url/_cat/plugins?h=component" 2>/dev/null | sort -u | tr '\n' ' ')"
    printf 'opensearch  %-28s status=%s plugins=[%s]%s\n' "$url" \
      "$(sed -nE 's/.*"status":"([a-z]+)".*/\1/p' <<<"$health")" "${body% }" \
      "$(alive "$OS_RUN/opensearch.pid" "$OS_HOME" && echo " (started by services.sh, pid $(cat "$OS_RUN/opensearch.pid"))")"
  else
    printf 'opensearch  %-28s DOWN\n' "$url"
    ok=1
  fi
  url="$(moto_url)"
  if curl -fsS -m 5 -o /dev/null "$url/" 2>/dev/null; then
    printf 'moto        %-28s up%s\n' "$url" "$(alive "$MOTO_PID" moto_server && echo " (started by services.sh, pid $(cat "$MOTO_PID"))")"
  else
    printf 'moto        %-28s DOWN\n' "$url"
    ok=1
  fi
  [[ -f "$ENV_FILE" ]] && echo "env file    $ENV_FILE"
  return "$ok"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    start | install)
      need curl "apt-get install curl"
      mkdir -p "$CACHE"
      exec 9>"$CACHE/services.lock"
      flock -w 900 9 || die "another services.sh holds $CACHE/services.lock"
      local t0=$SECONDS vpid
      if [[ "$cmd" == install ]]; then
        venv_install
        if ! external_os; then find_java && os_paths && os_install; fi
        return 0
      fi
      find_python_if_needed
      # The venv (PyPI) and OpenSearch (Maven, then a JVM boot) are independent: prepare them side by side.
      venv_install &
      vpid=$!
      os_start
      wait "$vpid" || die "setting up $VENV failed (see above)"
      moto_start
      write_env
      log "ready in $((SECONDS - t0)) s: OPENSEARCH_URL=$(os_url) AWS_ENDPOINT_URL=$(moto_url) (env in $ENV_FILE)"
      ;;
    stop)
      mkdir -p "$CACHE"
      exec 9>"$CACHE/services.lock"
      flock -w 120 9 || die "another services.sh holds $CACHE/services.lock"
      cmd_stop "$@"
      ;;
    status) cmd_status ;;
    env)
      [[ -f "$ENV_FILE" ]] || die "$ENV_FILE not found: run 'npm run services -- start' first"
      grep -E '^[A-Z_]+=' "$ENV_FILE" | sed -E "s/^([A-Z_]+)=(.*)$/export \1='\2'/"
      ;;
    *)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
