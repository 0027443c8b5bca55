#!/usr/bin/env bash
# Real local services for the integration tier: OpenSearch (single node, plain HTTP), moto (AWS API) and,
# on request, a SECURED OpenSearch (security plugin, TLS, internal users) for the least-privilege tests.
#
#   scripts/services.sh start [NAME...]   install what is missing (cached), start the named services (default:
#                                opensearch moto; `all` adds opensearch-secure), wait until healthy, write
#                                .cache/services.env (OPENSEARCH_URL, test credentials, AWS_ENDPOINT_URL while
#                                moto runs, OPENSEARCH_SECURE_* while the secured node runs). `start opensearch`
#                                (what `npm start` runs) needs no Python: the venv is built for moto only
#   scripts/services.sh stop [NAME...]    stop what this script started (all by default)
#   scripts/services.sh status   URLs and health; exit 0 only when everything answers
#   scripts/services.sh env      print `export` lines: eval "$(scripts/services.sh env)"
#   scripts/services.sh install [NAME...]  only download and unpack (OpenSearch, plugins, Python venv)
#   NAME: opensearch | moto | opensearch-secure | all
#
# Needs Java 11+ (17 recommended; the integ-test distribution bundles no JDK), Maven (to fetch the
# distribution from Maven Central into ~/.m2), Python 3.9+ (venv for moto, cfn-lint, checkov), curl, unzip;
# openssl for opensearch-secure.
# Both nodes get the lang-painless module (Maven Central has its jar, not the module zip: painless_module builds
# the module folder), which the integ-test distribution leaves out and detections need.
# OpenSearch refuses to run as root: as root, it runs as the unprivileged system user $TRIBUTARY_OS_USER.
#
# The secured node (opensearch-secure) is its own install (plain node + org.opensearch.plugin:opensearch-security
# from Maven Central) with its own ports, data and pid: it runs next to the plain node, never instead of it.
# No demo configuration: a local root CA, a node certificate (127.0.0.1/localhost) and an admin client
# certificate are generated with openssl (kept with the install, renewed before they expire); TLS on HTTP
# and transport; the security index is initialised from a minimal config (no demo users); users are created
# over the REST API with the admin certificate, with random passwords kept in .cache/services (mode 600):
#   admin          all_access (stands in for the domain's master user)
#   test-indexer   backend role arn:aws:iam::000000000000:role/tributary-test-indexer (stands in for the indexer's IAM role)
#   test-reader    backend role arn:aws:iam::000000000000:role/tributary-test-reader  (a human reader's IAM role)
#   test-admin     backend role tributary-test-admins                                  (a human admins' SAML group)
# The test users hold no permission until `tributary setup` maps their backend roles. services.env gets
# OPENSEARCH_SECURE_URL, OPENSEARCH_SECURE_CA (PEM of the root CA), OPENSEARCH_SECURE_USERNAME/_PASSWORD
# (admin) and OPENSEARCH_SECURE_TEST_PASSWORD (the test users).
#
# Environment (all optional):
#   OPENSEARCH_URL               use this OpenSearch instead of starting one
#   AWS_ENDPOINT_URL             use this AWS endpoint instead of starting moto
#   TRIBUTARY_OS_PORT (9200), TRIBUTARY_OS_TRANSPORT_PORT (9300), TRIBUTARY_MOTO_PORT (5000)
#   TRIBUTARY_OS_SECURE_PORT (9201), TRIBUTARY_OS_SECURE_TRANSPORT_PORT (9301), TRIBUTARY_OS_SECURE_HEAP (512m)
#   TRIBUTARY_OS_VERSION (2.19.4), TRIBUTARY_OS_HEAP (768m), TRIBUTARY_OS_USER (tributary-os)
#   TRIBUTARY_OS_SECURITY_VERSION (<TRIBUTARY_OS_VERSION>.0)  version of the security plugin
#   TRIBUTARY_OS_TIMEOUT (240 s), TRIBUTARY_MOTO_TIMEOUT (60 s)  bounded health waits
#   TRIBUTARY_OS_PLUGINS         Maven coordinates of plugin zips (group:artifact:version), installed in order (plain node)
#   TRIBUTARY_OS_PLUGIN_ZIPS     local plugin zip files, installed after TRIBUTARY_OS_PLUGINS (plain node)
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

# The secured node: same distribution, own install (the security plugin changes the node), ports and data.
OSS_PORT="${TRIBUTARY_OS_SECURE_PORT:-9201}"
OSS_TRANSPORT_PORT="${TRIBUTARY_OS_SECURE_TRANSPORT_PORT:-9301}"
OSS_HEAP="${TRIBUTARY_OS_SECURE_HEAP:-512m}"
SECURITY_PLUGIN="org.opensearch.plugin:opensearch-security:${TRIBUTARY_OS_SECURITY_VERSION:-$OS_VERSION.0}"
OSS_OWN_URL="https://127.0.0.1:$OSS_PORT"
# Random passwords of the secured node's users, generated once, readable by this user only.
OSS_CREDENTIALS="$RUN_DIR/opensearch-secure.credentials"
# Bumped when the secured install's generated configuration changes, so old installs are rebuilt.
OSS_LAYOUT=1
# Certificate subjects: the node presents NODE_DN (nodes_dn), the script's admin client cert ADMIN_DN.
NODE_DN="CN=tributary-node,OU=tributary-test,O=Tributary"
ADMIN_DN="CN=tributary-admin,OU=tributary-test,O=Tributary"
TEST_USERS="test-indexer=arn:aws:iam::000000000000:role/tributary-test-indexer test-reader=arn:aws:iam::000000000000:role/tributary-test-reader test-admin=tributary-test-admins"

# Which node the os_* functions act on (os_flavor plain|secure): every os_* function reads these.
PLAIN_PLUGINS="$OS_PLUGINS"
PLAIN_PLUGIN_ZIPS="$OS_PLUGIN_ZIPS"
PLAIN_PORT="$OS_PORT"
PLAIN_TRANSPORT_PORT="$OS_TRANSPORT_PORT"
PLAIN_HEAP="$OS_HEAP"
OS_FLAVOR=plain
OS_NAME=opensearch     # service name (stop/status/TRIBUTARY_STARTED_FILE) and folder names
OS_URL_VAR=OPENSEARCH_URL
# Extra curl arguments for the node's own health probes (the secured node: CA + admin client certificate).
OS_CURL=()

# Set by os_paths: where the distribution is unpacked and where the node keeps data, logs and its pid.
OS_HOME=""
OS_RUN=""
RUN_AS=()

os_flavor() {
  case "$1" in
    plain)
      OS_FLAVOR=plain OS_NAME=opensearch OS_URL_VAR=OPENSEARCH_URL
      OS_PORT="$PLAIN_PORT" OS_TRANSPORT_PORT="$PLAIN_TRANSPORT_PORT" OS_HEAP="$PLAIN_HEAP"
      OS_PLUGINS="$PLAIN_PLUGINS" OS_PLUGIN_ZIPS="$PLAIN_PLUGIN_ZIPS" OS_OWN_URL="http://127.0.0.1:$PLAIN_PORT"
      ;;
    secure)
      OS_FLAVOR=secure OS_NAME=opensearch-secure OS_URL_VAR=OPENSEARCH_SECURE_URL
      OS_PORT="$OSS_PORT" OS_TRANSPORT_PORT="$OSS_TRANSPORT_PORT" OS_HEAP="$OSS_HEAP"
      OS_PLUGINS="$SECURITY_PLUGIN" OS_PLUGIN_ZIPS="" OS_OWN_URL="$OSS_OWN_URL"
      ;;
    *) die "unknown OpenSearch flavor '$1'" ;;
  esac
  OS_CURL=()
}

log() { printf 'services: %s\n' "$*" >&2; }
die() {
  printf 'services: ERROR: %s\n' "$*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required: $2"
}

# A URL the user gave us (not the one this script would start) means "use theirs".
external_os() { [[ -n "${!OS_URL_VAR:-}" && "${!OS_URL_VAR%/}" != "$OS_OWN_URL" ]]; }
external_moto() { [[ -n "${AWS_ENDPOINT_URL:-}" && "${AWS_ENDPOINT_URL%/}" != "$MOTO_OWN_URL" ]]; }
os_url() { if external_os; then echo "${!OS_URL_VAR%/}"; else echo "$OS_OWN_URL"; fi; }
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
  os_paths_at "$base"
}

# os_paths_at BASE: the install and run folders of the current flavor under BASE.
os_paths_at() {
  if [[ "$OS_FLAVOR" == secure ]]; then
    OS_HOME="$1/opensearch-$OS_VERSION-secure"
    OS_RUN="$1/services/opensearch-secure"
    OS_CURL=(--cacert "$OS_HOME/config/tributary-tls/root-ca.pem" --cert "$OS_HOME/config/tributary-tls/admin.pem" --key "$OS_HOME/config/tributary-tls/admin-key.pem")
  else
    OS_HOME="$1/opensearch-$OS_VERSION"
    OS_RUN="$1/services/opensearch"
  fi
}

mvn_fetch() { # COORD(group:artifact:version:zip) DIR
  need mvn "Maven fetches OpenSearch from Maven Central (apt-get install maven)"
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$1" -DoutputDirectory="$2" -Dmdep.overWriteIfNewer=true ||
    die "could not fetch $1 from Maven Central"
}

# painless_module DIST: the lang-painless module, which the integ-test distribution leaves out. Detections
# need it (bucket_selector in their searches; the tests run Alerting's trigger conditions with
# _scripts/painless/_execute). Maven Central has its jar but no module zip, so the module folder is built
# like the full distribution lays it out: the jar, its compile dependencies as its POM lists them, and the
# descriptor and security policy of modules/lang-painless in the OpenSearch source.
painless_module() {
  local dir="$1/modules/lang-painless" pom coord
  mkdir -p "$dir"
  log "fetching module lang-painless $OS_VERSION"
  mvn_fetch "org.opensearch.plugin:lang-painless:$OS_VERSION:jar" "$dir"
  mvn_fetch "org.opensearch.plugin:lang-painless:$OS_VERSION:pom" "$dir"
  pom="$dir/lang-painless-$OS_VERSION.pom"
  # Direct compile dependencies (the POM excludes their own transitive ones).
  for coord in $(awk '/<dependency>/{g=a=v=s=""; dep=1; ex=0} dep&&/<exclusions>/{ex=1} dep&&/<\/exclusions>/{ex=0; next}
      dep&&!ex&&/<groupId>/{gsub(/.*<groupId>|<\/groupId>.*/,""); g=$0} dep&&!ex&&/<artifactId>/{gsub(/.*<artifactId>|<\/artifactId>.*/,""); a=$0}
      dep&&!ex&&/<version>/{gsub(/.*<version>|<\/version>.*/,""); v=$0} dep&&!ex&&/<scope>/{gsub(/.*<scope>|<\/scope>.*/,""); s=$0}
      dep&&/<\/dependency>/{dep=0; if (s=="compile"||s=="runtime") print g":"a":"v}' "$pom"); do
    mvn_fetch "$coord:jar" "$dir"
  done
  rm -f "$pom"
  [[ -f "$dir/opensearch-scripting-painless-spi-$OS_VERSION.jar" ]] || die "lang-painless: unexpected dependencies in its POM"
  cat >"$dir/plugin-descriptor.properties" <<EOD
description=An easy, safe and fast scripting language for OpenSearch
version=$OS_VERSION
name=lang-painless
classname=org.opensearch.painless.PainlessPlugin
java.version=11
opensearch.version=$OS_VERSION
custom.foldername=
extended.plugins=
has.native.controller=false
EOD
  cat >"$dir/plugin-security.policy" <<'EOD'
grant {
  // needed to generate runtime classes
  permission java.lang.RuntimePermission "createClassLoader";
  // needed to find the classloader to load whitelisted classes from
  permission java.lang.RuntimePermission "getClassLoader";
};
EOD
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
  want="$OS_VERSION|painless|$OS_PLUGINS|$OS_PLUGIN_ZIPS"
  [[ "$OS_FLAVOR" == secure ]] && want="$want|secure-layout-$OSS_LAYOUT"
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
  painless_module "$tmp/opensearch-$OS_VERSION"
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
  [[ "$OS_FLAVOR" == secure ]] && secure_configure "$tmp/opensearch-$OS_VERSION"
  mv "$tmp/opensearch-$OS_VERSION" "$OS_HOME"
  rmdir "$tmp"
  printf '%s' "$want" >"$stamp"
  log "OpenSearch $OS_VERSION installed in $OS_HOME ($((SECONDS - t0)) s)"
}

# secure_tls DIR: a local root CA, the node certificate (serverAuth + clientAuth: transport TLS is mutual;
# SAN 127.0.0.1 and localhost, so clients verify the host name) and the admin client certificate, in PEM
# with PKCS#8 keys (what the security plugin reads). Reused while valid for 30 more days, else renewed.
secure_tls() {
  local dir="$1" f
  need openssl "apt-get install openssl"
  if [[ -f "$dir/root-ca.pem" ]]; then
    local ok=1
    for f in root-ca node admin; do
      openssl x509 -checkend $((30 * 86400)) -noout -in "$dir/$f.pem" >/dev/null 2>&1 || ok=0
    done
    ((ok)) && return 0
    log "renewing the secured node's certificates (expired or expiring)"
  fi
  mkdir -p "$dir"
  local tmp
  tmp="$(mktemp -d)"
  # Subshell: the umask keeps private keys unreadable by others while they are written.
  (
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/O=Tributary/OU=tributary-test/CN=tributary-test-root-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$tmp/root-ca-key.pem" -out "$tmp/root-ca.pem" 2>/dev/null
    issue() { # NAME SUBJECT EXTENSIONS
      openssl req -newkey rsa:2048 -nodes -sha256 -subj "$2" -keyout "$tmp/$1-raw.pem" -out "$tmp/$1.csr" 2>/dev/null
      openssl pkcs8 -topk8 -nocrypt -in "$tmp/$1-raw.pem" -out "$tmp/$1-key.pem"
      printf '%s\n' "$3" >"$tmp/$1.ext"
      openssl x509 -req -sha256 -days 825 -in "$tmp/$1.csr" -CA "$tmp/root-ca.pem" -CAkey "$tmp/root-ca-key.pem" \
        -CAcreateserial -extfile "$tmp/$1.ext" -out "$tmp/$1.pem" 2>/dev/null
    }
    issue node "/O=Tributary/OU=tributary-test/CN=tributary-node" \
      "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
    issue admin "/O=Tributary/OU=tributary-test/CN=tributary-admin" \
      "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  ) || die "openssl could not generate the secured node's certificates"
  for f in root-ca.pem node.pem node-key.pem admin.pem admin-key.pem; do
    [[ -s "$tmp/$f" ]] || die "openssl did not write $f"
    mv "$tmp/$f" "$dir/$f"
  done
  # The CA's key is not kept: nothing else is ever signed with it (a renewal makes a new CA).
  rm -rf "$tmp"
  chmod 644 "$dir/root-ca.pem" "$dir/node.pem" "$dir/admin.pem"
  chmod 600 "$dir/node-key.pem" "$dir/admin-key.pem"
}

# secure_configure HOME: TLS material and the security configuration of a fresh secured install.
secure_configure() {
  local home="$1" sec="$1/config/opensearch-security"
  [[ -d "$sec" ]] || die "the security plugin did not install its configuration into $sec"
  secure_tls "$home/config/tributary-tls"
  # No demo users or mappings (the plugin ships users with published passwords): only `admin`, created
  # after start over the REST API, is mapped, to all_access - the role a domain's master user gets.
  cat >"$sec/internal_users.yml" <<'YML'
_meta:
  type: "internalusers"
  config_version: 2
YML
  cat >"$sec/roles_mapping.yml" <<'YML'
_meta:
  type: "rolesmapping"
  config_version: 2
all_access:
  reserved: false
  users: ["admin"]
  description: "The local stand-in of the domain's master user"
YML
  cat >"$sec/tenants.yml" <<'YML'
_meta:
  type: "tenants"
  config_version: 2
YML
  # Appended to the distribution's opensearch.yml (list values with commas cannot go through -E).
  cat >>"$home/config/opensearch.yml" <<YML

# ---- Tributary secured test node (scripts/services.sh) ----
plugins.security.ssl.transport.pemcert_filepath: tributary-tls/node.pem
plugins.security.ssl.transport.pemkey_filepath: tributary-tls/node-key.pem
plugins.security.ssl.transport.pemtrustedcas_filepath: tributary-tls/root-ca.pem
plugins.security.ssl.transport.enforce_hostname_verification: true
plugins.security.ssl.http.enabled: true
plugins.security.ssl.http.pemcert_filepath: tributary-tls/node.pem
plugins.security.ssl.http.pemkey_filepath: tributary-tls/node-key.pem
plugins.security.ssl.http.pemtrustedcas_filepath: tributary-tls/root-ca.pem
# Like Amazon OpenSearch Service's Policy-Min-TLS-1-2 policies.
plugins.security.ssl.http.enabled_protocols: ["TLSv1.3", "TLSv1.2"]
# Clients may present a certificate; only the admin certificate means anything (superadmin over REST).
plugins.security.ssl.http.clientauth_mode: OPTIONAL
plugins.security.authcz.admin_dn: ["$ADMIN_DN"]
plugins.security.nodes_dn: ["$NODE_DN"]
# Initialise the security index from config/opensearch-security on first start (no securityadmin run).
plugins.security.allow_default_init_securityindex: true
plugins.security.restapi.roles_enabled: ["all_access"]
plugins.security.system_indices.enabled: true
plugins.security.check_snapshot_restore_write_privileges: true
plugins.security.enable_snapshot_restore_privilege: true
YML
}

# Passwords of the secured node's users: generated once (32 random letters and digits), mode 600.
oss_credentials() {
  if [[ ! -s "$OSS_CREDENTIALS" ]]; then
    mkdir -p "$RUN_DIR"
    gen() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }
    (
      umask 077
      printf 'ADMIN_PASSWORD=%s\nTEST_PASSWORD=%s\n' "$(gen)" "$(gen)" >"$OSS_CREDENTIALS.tmp"
    )
    mv "$OSS_CREDENTIALS.tmp" "$OSS_CREDENTIALS"
  fi
  OSS_ADMIN_PASSWORD="$(sed -n 's/^ADMIN_PASSWORD=//p' "$OSS_CREDENTIALS")"
  OSS_TEST_PASSWORD="$(sed -n 's/^TEST_PASSWORD=//p' "$OSS_CREDENTIALS")"
  [[ -n "$OSS_ADMIN_PASSWORD" && -n "$OSS_TEST_PASSWORD" ]] || die "$OSS_CREDENTIALS is damaged: delete it and start again"
}

# The users of the secured node, created (or reset to the stored passwords) with the admin certificate.
oss_users() {
  oss_credentials
  # The cluster turns healthy before the security index is initialised (asynchronously, from the files
  # secure_configure wrote); the REST API answers 500 until then.
  local -a WAIT_CURL=("${OS_CURL[@]}")
  wait_http "$OS_NAME security index" "$OSS_OWN_URL/_plugins/_security/api/rolesmapping/all_access" "$OS_TIMEOUT" os_running \
    "$OS_RUN/logs/tributary.log"
  local entry user role body code
  for entry in "admin=" $TEST_USERS; do
    user="${entry%%=*}" role="${entry#*=}"
    if [[ "$user" == admin ]]; then
      body="{\"password\":\"$OSS_ADMIN_PASSWORD\",\"description\":\"local stand-in of the master user (scripts/services.sh)\"}"
    else
      body="{\"password\":\"$OSS_TEST_PASSWORD\",\"backend_roles\":[\"$role\"],\"description\":\"test user (scripts/services.sh)\"}"
    fi
    # The body goes through stdin: passwords never appear on a command line (ps).
    code="$(curl -sS -m 20 -o "$OS_RUN/users.out" -w '%{http_code}' "${OS_CURL[@]}" -X PUT -H 'content-type: application/json' \
      --data-binary @- "$OSS_OWN_URL/_plugins/_security/api/internalusers/$user" <<<"$body")" || code=000
    [[ "$code" == 200 || "$code" == 201 ]] || die "could not create user $user on the secured node (HTTP $code: $(cat "$OS_RUN/users.out" 2>/dev/null))"
  done
  rm -f "$OS_RUN/users.out"
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
  log "installing the test tools of $REQS (moto, cfn-lint, checkov, mmdb-writer) into $VENV (PyPI)"
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
    if curl -fsS -m 5 -o /dev/null "${WAIT_CURL[@]}" "$url" 2>/dev/null; then return 0; fi
    if ! "$liveness"; then
      tail_log "$@"
      die "$name exited during startup (see above)"
    fi
    sleep 1
  done
  tail_log "$@"
  die "$name did not answer $url within ${timeout}s (raise TRIBUTARY_OS_TIMEOUT / TRIBUTARY_MOTO_TIMEOUT on a slow machine)"
}

# Extra curl arguments of wait_http (os_start sets them for the secured node's TLS and admin certificate).
WAIT_CURL=()

started() {
  if [[ -n "${TRIBUTARY_STARTED_FILE:-}" ]]; then echo "$1" >>"$TRIBUTARY_STARTED_FILE"; fi
}

os_start() {
  if external_os; then
    log "$OS_URL_VAR=${!OS_URL_VAR} is set: using it, not starting $OS_NAME"
    # Any HTTP answer (a secured cluster answers 401 without credentials) proves it is up.
    curl -sS -m 10 -o /dev/null -k "${!OS_URL_VAR}" || die "OpenSearch at ${!OS_URL_VAR} does not answer"
    return 0
  fi
  find_java
  os_paths
  local pidfile="$OS_RUN/opensearch.pid"
  # The secured node answers health probes only to the admin certificate (dynamic scope: wait_http sees it).
  local -a WAIT_CURL=("${OS_CURL[@]}")
  if alive "$pidfile" "$OS_HOME"; then
    wait_http "$OS_NAME" "$OS_OWN_URL/_cluster/health?wait_for_status=yellow&timeout=2s" "$OS_TIMEOUT" os_running "$OS_RUN/logs/tributary.log"
    [[ "$OS_FLAVOR" == secure ]] && oss_users
    log "$OS_NAME already running at $OS_OWN_URL (pid $(cat "$pidfile"))"
    return 0
  fi
  rm -f "$pidfile"
  local portvar=TRIBUTARY_OS
  [[ "$OS_FLAVOR" == secure ]] && portvar=TRIBUTARY_OS_SECURE
  port_busy "$OS_PORT" && die "port $OS_PORT is in use by a process this script did not start: set ${portvar}_PORT (and ${portvar}_TRANSPORT_PORT) or $OS_URL_VAR"
  port_busy "$OS_TRANSPORT_PORT" && die "transport port $OS_TRANSPORT_PORT is in use: set ${portvar}_TRANSPORT_PORT"
  os_install
  # Renews certificates that expire within 30 days (a cached install outlives them).
  [[ "$OS_FLAVOR" == secure ]] && secure_tls "$OS_HOME/config/tributary-tls"
  [[ "${TRIBUTARY_OS_KEEP_DATA:-}" == 1 ]] || rm -rf "$OS_RUN/data"
  mkdir -p "$OS_RUN/data" "$OS_RUN/logs" "$OS_RUN/tmp"
  if ((${#RUN_AS[@]})); then
    # The node writes its keystore into config/ on first start, and its data, logs and pid file here.
    chown -R "$OS_USER:" "$OS_HOME" "$OS_RUN"
  fi
  log "starting $OS_NAME $OS_VERSION on $OS_OWN_URL (heap $OS_HEAP${RUN_AS:+, as $OS_USER})"
  local t0=$SECONDS
  # -d: the launcher backgrounds the JVM and returns at once; the node writes its pid file a little later.
  # 9>&-: the node must not inherit (and so hold forever) the lock of this script.
  if ! timeout 60 "${RUN_AS[@]}" env JAVA_HOME="$JAVA_HOME" OPENSEARCH_TMPDIR="$OS_RUN/tmp" \
    OPENSEARCH_JAVA_OPTS="-Xms$OS_HEAP -Xmx$OS_HEAP" \
    "$OS_HOME/bin/opensearch" -d -p "$pidfile" \
    -E cluster.name=tributary -E node.name="$([[ "$OS_FLAVOR" == secure ]] && echo tributary-secure || echo tributary-test)" \
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
  wait_http "$OS_NAME" "$OS_OWN_URL/_cluster/health?wait_for_status=yellow&timeout=2s" "$OS_TIMEOUT" os_running \
    "$OS_RUN/stdout.log" "$OS_RUN/logs/tributary.log"
  local i
  for ((i = 0; i < 50; i++)); do
    alive "$pidfile" "$OS_HOME" && break
    sleep 0.2
  done
  alive "$pidfile" "$OS_HOME" || die "$OS_NAME answers but wrote no pid file $pidfile"
  [[ "$OS_FLAVOR" == secure ]] && oss_users
  trap - EXIT
  started "$OS_NAME"
  log "$OS_NAME up in $((SECONDS - t0)) s (pid $(cat "$pidfile"))"
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
  # The file holds the secured node's passwords: readable by this user only.
  (
    umask 077
    : >"$ENV_FILE.tmp"
  )
  os_flavor plain
  cat >>"$ENV_FILE.tmp" <<EOF
# Written by scripts/services.sh start. Load with: set -a; . .cache/services.env; set +a
OPENSEARCH_URL=$(os_url)
EOF
  # The AWS endpoint only while a moto answers there ('start opensearch', what npm start runs, starts
  # none): an SDK pointed at a dead endpoint fails late and obscurely; a missing variable is named.
  if external_moto || moto_running; then echo "AWS_ENDPOINT_URL=$(moto_url)" >>"$ENV_FILE.tmp"; fi
  cat >>"$ENV_FILE.tmp" <<EOF
AWS_ACCESS_KEY_ID=test
AWS_SECRET_ACCESS_KEY=test
AWS_REGION=us-east-1
AWS_DEFAULT_REGION=us-east-1
TRIBUTARY_VENV_BIN=$VENV/bin
EOF
  # The secured node's lines only while it runs (whichever `start` wrote the file): a test that finds
  # OPENSEARCH_SECURE_URL may rely on it answering.
  os_flavor secure
  os_paths_noroot
  if alive "$OS_RUN/opensearch.pid" "$OS_HOME"; then
    oss_credentials
    cat >>"$ENV_FILE.tmp" <<EOF
OPENSEARCH_SECURE_URL=$OSS_OWN_URL
OPENSEARCH_SECURE_CA=$OS_HOME/config/tributary-tls/root-ca.pem
OPENSEARCH_SECURE_USERNAME=admin
OPENSEARCH_SECURE_PASSWORD=$OSS_ADMIN_PASSWORD
OPENSEARCH_SECURE_TEST_PASSWORD=$OSS_TEST_PASSWORD
EOF
  fi
  os_flavor plain
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
  ((${#names[@]})) || names=(all)
  local n secure_stopped=0
  service_names "${names[@]}" >/dev/null # an unknown name stops here (a $(...) below could not exit)
  for n in $(service_names "${names[@]}"); do
    case "$n" in
      opensearch | opensearch-secure)
        os_flavor "$([[ "$n" == opensearch ]] && echo plain || echo secure)"
        os_paths_noroot
        stop_pid "$n" "$OS_RUN/opensearch.pid" "$OS_HOME"
        [[ "$n" == opensearch-secure ]] && secure_stopped=1
        ;;
      moto) stop_pid moto "$MOTO_PID" moto_server ;;
    esac
  done
  os_flavor plain
  # Drop the secured node's lines from the env file: they promise a node that answers.
  if ((secure_stopped)) && [[ -f "$ENV_FILE" ]] && grep -q '^OPENSEARCH_SECURE_' "$ENV_FILE"; then
    (
      umask 077
      grep -v '^OPENSEARCH_SECURE_' "$ENV_FILE" >"$ENV_FILE.tmp" || true
    )
    mv "$ENV_FILE.tmp" "$ENV_FILE"
  fi
}

# service_names NAME...: the names, checked, with `all` expanded, in start order, without duplicates.
service_names() {
  local n want=" "
  for n in "$@"; do
    case "$n" in
      all) want+="opensearch moto opensearch-secure " ;;
      opensearch | moto | opensearch-secure) want+="$n " ;;
      *) die "unknown service '$n' (opensearch|moto|opensearch-secure|all)" ;;
    esac
  done
  for n in opensearch moto opensearch-secure; do
    [[ "$want" == *" $n "* ]] && echo "$n"
  done
  return 0
}

# Locate the OpenSearch folders without creating users or folders (for stop/status).
os_paths_noroot() {
  local base="$CACHE" alt
  alt="/var/tmp/tributary-$(printf '%s' "$CACHE" | sha1sum | cut -c1-12)"
  [[ -d "$alt/services/$OS_NAME" && ! -d "$CACHE/services/$OS_NAME" ]] && base="$alt"
  os_paths_at "$base"
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
  # The secured node counts only when this script started it or OPENSEARCH_SECURE_URL names one.
  os_flavor secure
  os_paths_noroot
  if [[ -f "$OS_RUN/opensearch.pid" || -n "${OPENSEARCH_SECURE_URL:-}" ]]; then
    url="$(os_url)"
    local -a auth=("${OS_CURL[@]}")
    external_os && auth=(-k -u "${OPENSEARCH_SECURE_USERNAME:-admin}:${OPENSEARCH_SECURE_PASSWORD:-}")
    if health="$(curl -fsS -m 5 "${auth[@]}" "$url/_cluster/health" 2>/dev/null)"; then
      printf 'opensearch-secure %-22s status=%s%s\n' "$url" "$(sed -nE 's/.*"status":"([a-z]+)".*/\1/p' <<<"$health")" \
        "$(alive "$OS_RUN/opensearch.pid" "$OS_HOME" && echo " (started by services.sh, pid $(cat "$OS_RUN/opensearch.pid"))")"
    else
      printf 'opensearch-secure %-22s DOWN\n' "$url"
      ok=1
    fi
  fi
  os_flavor plain
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
      local t0=$SECONDS vpid="" n names
      (($#)) || set -- opensearch moto
      service_names "$@" >/dev/null # an unknown name stops here (the $(...) below could not exit)
      names=" $(service_names "$@" | tr '\n' ' ')"
      if [[ "$cmd" == install ]]; then
        [[ "$names" == *" moto "* ]] && venv_install
        for n in opensearch opensearch-secure; do
          [[ "$names" == *" $n "* ]] || continue
          os_flavor "$([[ "$n" == opensearch ]] && echo plain || echo secure)"
          if ! external_os; then find_java && os_paths && os_install; fi
        done
        return 0
      fi
      if [[ "$names" == *" moto "* ]]; then
        find_python_if_needed
        # The venv (PyPI) and OpenSearch (Maven, then a JVM boot) are independent: prepare them side by side.
        venv_install &
        vpid=$!
      fi
      if [[ "$names" == *" opensearch "* ]]; then
        os_flavor plain
        os_start
      fi
      if [[ -n "$vpid" ]]; then
        wait "$vpid" || die "setting up $VENV failed (see above)"
        moto_start
      fi
      if [[ "$names" == *" opensearch-secure "* ]]; then
        os_flavor secure
        os_start
      fi
      write_env
      log "ready in $((SECONDS - t0)) s:$(grep -E '^(OPENSEARCH_URL|AWS_ENDPOINT_URL|OPENSEARCH_SECURE_URL)=' "$ENV_FILE" | sed 's/^/ /' | tr -d '\n') (env in $ENV_FILE)"
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
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
