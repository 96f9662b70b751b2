#!/usr/bin/env bash
# Real local services for tests and benchmarks, without Docker (Debian 12, root or sudo).
#
#   scripts/services.sh up     [service...]   start (default: postgres redis opensearch)
#   scripts/services.sh down   [service...]   stop cleanly (default: all)
#   scripts/services.sh status [service...]   one line per service: name, up/down, URL
#   scripts/services.sh env    [service...]   export lines for the services that are up
#
# Services: postgres redis opensearch elasticsearch. Typical use:
#   scripts/services.sh up && eval "$(scripts/services.sh env)"
#
# Everything is idempotent: a running service is left alone, a stale pidfile is removed,
# downloads and unpacked distributions are cached and reused.
#
# State (data, logs, pidfiles, generated config): ${MHA_SERVICES_DIR:-<project>/.cache/services}
# Download cache:                                 ${MHA_CACHE_DIR:-$HOME/.cache/mha}
# Ports: MHA_PG_PORT (54329), MHA_REDIS_PORT (63799), MHA_OPENSEARCH_PORT (9250, transport
# MHA_OPENSEARCH_TRANSPORT_PORT 9350), MHA_ELASTICSEARCH_PORT (9251, transport
# MHA_ELASTICSEARCH_TRANSPORT_PORT 9351).
# Versions: MHA_OPENSEARCH_VERSION, MHA_ELASTICSEARCH_VERSION (see the defaults below).
# Other knobs: MHA_JAVA_HOME, MHA_SEARCH_HEAP (512m), MHA_SEARCH_TIMEOUT (120 s),
# MHA_OPENSEARCH_MODULES (see below).
#
# Everything listens on 127.0.0.1 only and nothing here reaches the internet at run time;
# the only downloads are Debian packages (apt-get) and Maven Central artifacts (mvn), once.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "$0")/.." && pwd)"
STATE_DIR="${MHA_SERVICES_DIR:-$ROOT_DIR/.cache/services}"
CACHE_DIR="${MHA_CACHE_DIR:-$HOME/.cache/mha}"

PG_PORT="${MHA_PG_PORT:-54329}"
REDIS_PORT="${MHA_REDIS_PORT:-63799}"
OS_PORT="${MHA_OPENSEARCH_PORT:-9250}"
OS_TRANSPORT_PORT="${MHA_OPENSEARCH_TRANSPORT_PORT:-9350}"
ES_PORT="${MHA_ELASTICSEARCH_PORT:-9251}"
ES_TRANSPORT_PORT="${MHA_ELASTICSEARCH_TRANSPORT_PORT:-9351}"

# Newest versions of the integ-test distributions that Maven Central serves and that run on
# Debian 12's Java 17. OpenSearch 3.x is compiled for Java 21 (class files v65) and Debian 12
# has no Java 21 package, so OpenSearch stays on the 2.19 line; Elasticsearch 8.x needs Java 17.
OS_VERSION="${MHA_OPENSEARCH_VERSION:-2.19.6}"
ES_VERSION="${MHA_ELASTICSEARCH_VERSION:-8.19.21}"

# The OpenSearch integ-test zip ships only the transport-netty4 module, so the analysis
# components that Wagtail's search backend declares in its index settings (lowercase
# tokenizer, asciifolding, ngram/edge_ngram filters) are missing. analysis-common is published
# on Maven Central as a plain jar, so it is added as a module. Set to "" to get the bare zip.
# (Elasticsearch publishes no such jar for 8.x: its integ-test node has no analysis-common.)
OS_MODULES="${MHA_OPENSEARCH_MODULES-analysis-common}"

SEARCH_HEAP="${MHA_SEARCH_HEAP:-512m}"
SEARCH_TIMEOUT="${MHA_SEARCH_TIMEOUT:-120}"
# Unprivileged user that runs the search engines when this script runs as root: both refuse
# to run as root.
SEARCH_SYSTEM_USER="mha"

ALL_SERVICES=(postgres redis opensearch elasticsearch)
DEFAULT_UP=(postgres redis opensearch)

APT_UPDATED=0

# ----------------------------------------------------------------------------- helpers

log() { printf '[services] %s\n' "$*" >&2; }
die() {
    printf '[services] error: %s\n' "$*" >&2
    exit 1
}

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

is_root() { [[ $EUID -eq 0 ]]; }

as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# run_as USER CMD...: run CMD as USER (only switches user when we are root).
run_as() {
    local user="$1"
    shift
    if is_root && [[ $user != root ]]; then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# apt_install PKG...: install the missing ones; `apt-get update` only if something is missing.
# Another apt-get may be running on the machine: wait for the dpkg lock instead of failing.
apt_install() {
    local missing=() pkg i
    for pkg in "$@"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "installing Debian packages: ${missing[*]}"
    if [[ $APT_UPDATED -eq 0 ]]; then
        # The lists lock is not covered by DPkg::Lock::Timeout on every apt version: retry.
        for i in 1 2 3 4 5 6 7 8 9 10; do
            if as_root apt-get -o DPkg::Lock::Timeout=600 -qq update; then
                APT_UPDATED=1
                break
            fi
            log "apt-get update failed (try $i/10), retrying in 30 s"
            sleep 30
        done
        [[ $APT_UPDATED -eq 1 ]] || die "apt-get update kept failing"
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq -y \
        --no-install-recommends install "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed"
}

# ensure_cmd CMD PKG: install Debian package PKG when CMD is not on PATH.
ensure_cmd() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
    command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# read_pid FILE: print the pid stored in FILE (first line), fail if none.
read_pid() {
    local pid
    [[ -f $1 ]] || return 1
    pid="$(head -n 1 "$1" 2>/dev/null | tr -dc '0-9')"
    [[ -n $pid ]] || return 1
    printf '%s\n' "$pid"
}

# pid_matches PID PATTERN: process PID is alive and its command line contains PATTERN
# (guards against a pid reused by an unrelated process after a crash or reboot).
pid_matches() {
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# clean_stale_pidfile FILE PATTERN
clean_stale_pidfile() {
    local pid
    [[ -e $1 ]] || return 0
    if pid="$(read_pid "$1")" && pid_matches "$pid" "$2"; then
        return 0
    fi
    log "removing stale pidfile $1"
    rm -f "$1"
}

# wait_pid_gone PID SECONDS
wait_pid_gone() {
    local pid="$1" deadline=$((SECONDS + $2))
    while [[ -d /proc/$pid ]]; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# stop_pid PID NAME: SIGTERM, wait up to 60 s, then SIGKILL.
stop_pid() {
    local pid="$1" name="$2"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_pid_gone "$pid" 60; then
        log "$name (pid $pid) ignored SIGTERM for 60 s, killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_pid_gone "$pid" 10 || die "could not stop $name (pid $pid)"
    fi
}

ensure_state_dir() {
    mkdir -p "$STATE_DIR"
    # Other users (postgres, mha) must be able to reach their own subdirectories.
    chmod 755 "$STATE_DIR"
    # Keep data, logs and unpacked distributions out of git without touching .gitignore.
    [[ -f $STATE_DIR/.gitignore ]] || printf '*\n' >"$STATE_DIR/.gitignore"
}

# Serialise concurrent `up`/`down` runs on the same state directory.
take_lock() {
    ensure_state_dir
    exec 9>"$STATE_DIR/.lock"
    flock -w 900 9 || die "another services.sh run holds $STATE_DIR/.lock"
}
# Daemons are started with fd 9 closed (9>&-): a daemon that inherited it would hold the
# lock for as long as it runs.

# user_can_reach USER PATH: USER can traverse to and read PATH.
user_can_reach() {
    run_as "$1" test -r "$2" 2>/dev/null
}

# ----------------------------------------------------------------------------- postgres

PG_DIR="$STATE_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
PG_BIN=""

pg_url() { printf 'postgres://mha@127.0.0.1:%s/mha\n' "$PG_PORT"; }

pg_user() {
    if is_root; then printf 'postgres\n'; else id -un; fi
}

# Pick the server binaries: the major version of an existing cluster, else the newest installed.
pg_find_bin() {
    local want="" dir
    [[ -f $PG_DATA/PG_VERSION ]] && want="$(cat "$PG_DATA/PG_VERSION")"
    if [[ -n $want ]]; then
        [[ -x /usr/lib/postgresql/$want/bin/pg_ctl ]] && {
            printf '%s\n' "/usr/lib/postgresql/$want/bin"
            return 0
        }
        return 1
    fi
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
    [[ -n $dir && -x $dir/pg_ctl ]] || return 1
    printf '%s\n' "$dir"
}

pg_ensure_bin() {
    if ! PG_BIN="$(pg_find_bin)"; then
        if [[ -f $PG_DATA/PG_VERSION ]]; then
            apt_install "postgresql-$(cat "$PG_DATA/PG_VERSION")"
        else
            apt_install postgresql
        fi
        PG_BIN="$(pg_find_bin)" || die "no pg_ctl under /usr/lib/postgresql/*/bin matching $PG_DATA"
    fi
}

pg_pid_alive() {
    local pid
    pid="$(read_pid "$PG_DATA/postmaster.pid")" && pid_matches "$pid" postgres
}

# pg_ready HOST: the server answers on HOST (127.0.0.1, or a socket directory).
pg_ready() {
    local isready
    isready="${PG_BIN:-$(pg_find_bin 2>/dev/null || true)}/pg_isready"
    [[ -x $isready ]] || isready="$(command -v pg_isready || true)"
    [[ -n $isready ]] && "$isready" -q -h "$1" -p "$PG_PORT" -t 3
}

# Ours and serving: its socket is in our state dir (this also works for users who cannot
# read the data directory) and it answers on loopback.
pg_running() { pg_ready "$PG_DIR" && pg_ready 127.0.0.1; }

pg_psql() {
    PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
        -U postgres -d postgres "$@"
}

pg_write_config() {
    local user="$1"
    # Rewritten on every start so that a changed port or socket dir takes effect.
    cat >"$PG_DATA/mha.conf" <<EOF
# Generated by scripts/services.sh on every start; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
# TEST/BENCHMARK CLUSTER ONLY: durability is traded for speed. With these settings an OS
# crash can corrupt the cluster, which is acceptable here because it only ever holds
# throwaway test data; never copy them into a production configuration.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    chown "$user:" "$PG_DATA/mha.conf"
    grep -q "^include_if_exists = 'mha.conf'" "$PG_DATA/postgresql.conf" ||
        printf "\ninclude_if_exists = 'mha.conf'\n" >>"$PG_DATA/postgresql.conf"
}

pg_init() {
    local user="$1"
    log "postgres: initdb in $PG_DATA"
    rm -rf "$PG_DATA" # a half-initialised directory from an interrupted run
    run_as "$user" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
        tail -n 20 "$PG_DIR/initdb.log" >&2
        die "postgres: initdb failed (log: $PG_DIR/initdb.log)"
    }
    # Trust, and only over the private socket and loopback: nothing else can connect.
    cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Generated by scripts/services.sh: test cluster, loopback only, no passwords.
local   all  all                 trust
host    all  all  127.0.0.1/32   trust
host    all  all  ::1/128        trust
EOF
    chown "$user:" "$PG_DATA/pg_hba.conf"
}

pg_up() {
    local user
    pg_ensure_bin
    user="$(pg_user)"
    mkdir -p "$PG_DIR"
    chown "$user:" "$PG_DIR"
    chmod 755 "$PG_DIR"
    user_can_reach "$user" "$PG_DIR" ||
        die "postgres: user $user cannot reach $PG_DIR (a parent directory is not searchable)"

    if pg_running; then
        log "postgres: already running on 127.0.0.1:$PG_PORT"
    else
        if [[ -e $PG_DATA/postmaster.pid ]] && ! pg_pid_alive; then
            log "postgres: removing stale $PG_DATA/postmaster.pid"
            rm -f "$PG_DATA/postmaster.pid"
        fi
        if pg_pid_alive; then
            die "postgres: a server runs from $PG_DATA but does not answer on 127.0.0.1:$PG_PORT (port changed? run 'down' first)"
        fi
        port_open "$PG_PORT" && die "postgres: port $PG_PORT is already used by another process"
        [[ -f $PG_DATA/PG_VERSION ]] || pg_init "$user"
        pg_write_config "$user"
        log "postgres: starting $("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT"
        run_as "$user" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 9>&- || {
            tail -n 30 "$PG_LOG" >&2 || true
            die "postgres: failed to start (log: $PG_LOG)"
        }
    fi

    # Role and database (idempotent). Superuser so that Django's test runner can create and
    # drop its test databases.
    if [[ -z "$(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'mha'")" ]]; then
        pg_psql -c 'CREATE ROLE mha LOGIN SUPERUSER'
    fi
    if [[ -z "$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'mha'")" ]]; then
        pg_psql -c 'CREATE DATABASE mha OWNER mha'
    fi
    log "postgres: up at $(pg_url)"
}

pg_down() {
    if [[ ! -e $PG_DATA/postmaster.pid ]]; then
        log "postgres: not running"
        return 0
    fi
    if ! pg_pid_alive; then
        log "postgres: removing stale $PG_DATA/postmaster.pid"
        rm -f "$PG_DATA/postmaster.pid"
        return 0
    fi
    pg_ensure_bin
    log "postgres: stopping"
    run_as "$(pg_user)" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null ||
        die "postgres: pg_ctl stop failed (log: $PG_LOG)"
}

# ----------------------------------------------------------------------------- redis

REDIS_DIR="$STATE_DIR/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

redis_url() { printf 'redis://127.0.0.1:%s/0\n' "$REDIS_PORT"; }

redis_ping() {
    command -v redis-cli >/dev/null 2>&1 &&
        [[ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

redis_pid_alive() {
    local pid
    pid="$(read_pid "$REDIS_PIDFILE")" && pid_matches "$pid" redis-server
}

redis_running() { redis_pid_alive && redis_ping; }

redis_up() {
    local i
    ensure_cmd redis-server redis-server
    ensure_cmd redis-cli redis-tools
    mkdir -p "$REDIS_DIR"
    if redis_running; then
        log "redis: already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    clean_stale_pidfile "$REDIS_PIDFILE" redis-server
    redis_pid_alive && die "redis: a server from $REDIS_PIDFILE runs but does not answer on port $REDIS_PORT"
    port_open "$REDIS_PORT" && die "redis: port $REDIS_PORT is already used by another process"
    log "redis: starting $(redis-server --version | awk '{sub(/^v=/, "", $3); print $3}') on 127.0.0.1:$REDIS_PORT"
    # No persistence: no RDB snapshots, no AOF. Test data only.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
        --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" --dir "$REDIS_DIR" \
        --save '' --appendonly no 9>&- || die "redis: redis-server failed to start (log: $REDIS_LOG)"
    for i in $(seq 1 50); do
        redis_ping && break
        sleep 0.2
    done
    redis_ping || {
        tail -n 20 "$REDIS_LOG" >&2 || true
        die "redis: not answering after 10 s (log: $REDIS_LOG; $i tries)"
    }
    log "redis: up at $(redis_url)"
}

redis_down() {
    local pid
    if ! pid="$(read_pid "$REDIS_PIDFILE")" || ! pid_matches "$pid" redis-server; then
        clean_stale_pidfile "$REDIS_PIDFILE" redis-server
        log "redis: not running"
        return 0
    fi
    log "redis: stopping"
    timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    wait_pid_gone "$pid" 10 || stop_pid "$pid" redis
    rm -f "$REDIS_PIDFILE"
}

# ----------------------------------------------------------------------------- search engines
# opensearch and elasticsearch share one implementation; search_vars sets S_* for one of them.

search_vars() {
    S_SVC="$1"
    S_DIR="$STATE_DIR/$1"
    S_PIDFILE="$S_DIR/$1.pid"
    case "$1" in
        opensearch)
            S_VERSION="$OS_VERSION"
            S_PORT="$OS_PORT"
            S_TPORT="$OS_TRANSPORT_PORT"
            S_GROUP="org.opensearch.distribution.integ-test-zip"
            S_ENV="OPENSEARCH"
            S_JAVA_HOME_VAR="OPENSEARCH_JAVA_HOME"
            S_MAIN_CLASS="org.opensearch.bootstrap.OpenSearch"
            S_MIN_JAVA=11
            [[ ${S_VERSION%%.*} -ge 3 ]] && S_MIN_JAVA=21
            ;;
        elasticsearch)
            S_VERSION="$ES_VERSION"
            S_PORT="$ES_PORT"
            S_TPORT="$ES_TRANSPORT_PORT"
            S_GROUP="org.elasticsearch.distribution.integ-test-zip"
            S_ENV="ES"
            S_JAVA_HOME_VAR="ES_JAVA_HOME"
            S_MAIN_CLASS="org.elasticsearch.bootstrap.Elasticsearch"
            S_MIN_JAVA=17
            [[ ${S_VERSION%%.*} -ge 9 ]] && S_MIN_JAVA=21
            ;;
        *) die "unknown search engine $1" ;;
    esac
    S_URL="http://127.0.0.1:$S_PORT"
}

search_user() {
    if is_root; then printf '%s\n' "$SEARCH_SYSTEM_USER"; else id -un; fi
}

ensure_search_user() {
    is_root || return 0
    id -u "$SEARCH_SYSTEM_USER" >/dev/null 2>&1 && return 0
    log "creating system user $SEARCH_SYSTEM_USER (the search engines refuse to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$SEARCH_SYSTEM_USER"
}

java_home() {
    local java
    if [[ -n ${MHA_JAVA_HOME:-} ]]; then
        printf '%s\n' "$MHA_JAVA_HOME"
        return 0
    fi
    java="$(command -v java)" || return 1
    java="$(readlink -f "$java")"
    dirname "$(dirname "$java")"
}

java_major() {
    local v
    v="$("$1/bin/java" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
    v="${v#1.}" # 1.8.0 -> 8
    printf '%s\n' "${v%%[.+-]*}"
}

search_ensure_java() {
    local jh major
    if [[ -z ${MHA_JAVA_HOME:-} ]] && ! command -v java >/dev/null 2>&1; then
        apt_install openjdk-17-jre-headless
    fi
    jh="$(java_home)" || die "no java found (install openjdk-17-jre-headless or set MHA_JAVA_HOME)"
    [[ -x $jh/bin/java ]] || die "$jh/bin/java not found (MHA_JAVA_HOME?)"
    major="$(java_major "$jh")"
    [[ $major =~ ^[0-9]+$ ]] || die "cannot tell the Java version of $jh"
    ((major >= S_MIN_JAVA)) ||
        die "$S_SVC $S_VERSION needs Java $S_MIN_JAVA+, but $jh is Java $major (pick another MHA_${S_SVC^^}_VERSION or set MHA_JAVA_HOME)"
    S_JAVA_HOME="$jh"
}

# maven_copy GROUP:ARTIFACT:VERSION:TYPE FILE: download one artifact from Maven Central into
# the cache, unless already there.
maven_copy() {
    local coords="$1" file="$2" out
    [[ -s $file ]] && return 0
    ensure_cmd mvn maven
    out="$(dirname "$file")"
    mkdir -p "$out"
    log "downloading $coords from Maven Central"
    # Run outside any project so that mvn uses its standalone pom.
    # mvn prints colour resets even in batch mode: strip escape sequences and blank lines.
    (cd "$out" && mvn -B -q -Dstyle.color=never dependency:copy -Dartifact="$coords" \
        -DoutputDirectory="$out" 2>&1) |
        sed -e 's/\x1b\[[0-9;]*m//g' -e '/^\(\[ERROR\]\)\{0,1\}[[:space:]]*$/d' >&2 ||
        die "could not download $coords (is that version served by Maven Central?)"
    [[ -s $file ]] || die "mvn did not produce $file"
}

# search_ensure_dist: unzip the distribution into the cache once; prints its directory.
search_ensure_dist() {
    local dist_root="$CACHE_DIR/dist" dist zip tmp
    dist="$dist_root/$S_SVC-$S_VERSION"
    if [[ ! -x $dist/bin/$S_SVC ]]; then
        zip="$CACHE_DIR/downloads/$S_SVC-$S_VERSION.zip"
        maven_copy "$S_GROUP:$S_SVC:$S_VERSION:zip" "$zip"
        ensure_cmd unzip unzip
        mkdir -p "$dist_root"
        tmp="$(mktemp -d "$dist_root/.unpack.XXXXXX")"
        log "$S_SVC: unpacking $zip"
        unzip -q "$zip" -d "$tmp" || {
            rm -rf "$tmp"
            die "$S_SVC: cannot unzip $zip (delete it to download again)"
        }
        [[ -x $tmp/$S_SVC-$S_VERSION/bin/$S_SVC ]] || {
            rm -rf "$tmp"
            die "$S_SVC: $zip does not contain $S_SVC-$S_VERSION/bin/$S_SVC"
        }
        rm -rf "$dist"
        mv "$tmp/$S_SVC-$S_VERSION" "$dist"
        rm -rf "$tmp"
    fi
    printf '%s\n' "$dist"
}

# search_home USER DIST: the distribution directory USER runs from. The cache usually sits
# under root's home (mode 700), which the unprivileged user cannot traverse: then a hard-linked
# (or copied) tree is made once in the state directory.
search_home() {
    local user="$1" dist="$2" home tmp
    if user_can_reach "$user" "$dist/bin/$S_SVC"; then
        printf '%s\n' "$dist"
        return 0
    fi
    home="$S_DIR/home-$S_VERSION"
    if [[ ! -x $home/bin/$S_SVC ]]; then
        tmp="$S_DIR/.home.tmp"
        rm -rf "$tmp"
        cp -al "$dist" "$tmp" 2>/dev/null || {
            rm -rf "$tmp"
            cp -a "$dist" "$tmp"
        }
        rm -rf "$home"
        mv "$tmp" "$home"
    fi
    user_can_reach "$user" "$home/bin/$S_SVC" ||
        die "$S_SVC: user $user cannot reach $home (a parent directory is not searchable)"
    printf '%s\n' "$home"
}

# search_add_modules HOME: OpenSearch modules missing from the integ-test zip (see OS_MODULES).
search_add_modules() {
    local home="$1" module class jar dir java_version
    [[ $S_SVC == opensearch && -n $OS_MODULES ]] || return 0
    for module in $OS_MODULES; do
        dir="$home/modules/$module"
        [[ -f $dir/plugin-descriptor.properties ]] && continue
        case "$module" in
            analysis-common) class="org.opensearch.analysis.common.CommonAnalysisPlugin" ;;
            *) die "opensearch: don't know how to add module '$module' (MHA_OPENSEARCH_MODULES)" ;;
        esac
        jar="$CACHE_DIR/downloads/$module-$S_VERSION.jar"
        maven_copy "org.opensearch.plugin:$module:$S_VERSION:jar" "$jar"
        java_version="$(sed -n 's/^java\.version=//p' \
            "$home/modules/transport-netty4/plugin-descriptor.properties")"
        log "opensearch: adding module $module"
        rm -rf "$dir.tmp"
        mkdir -p "$dir.tmp"
        cp "$jar" "$dir.tmp/"
        cat >"$dir.tmp/plugin-descriptor.properties" <<EOF
description=$module module (added by scripts/services.sh; not shipped in the integ-test zip)
version=$S_VERSION
name=$module
classname=$class
java.version=${java_version:-11}
opensearch.version=$S_VERSION
custom.foldername=
extended.plugins=
has.native.controller=false
EOF
        chmod -R a+rX "$dir.tmp"
        mv "$dir.tmp" "$dir"
    done
}

# search_write_config HOME USER: per-instance config dir (PATH_CONF) in the state directory.
search_write_config() {
    local home="$1" user="$2" conf="$S_DIR/config" dir
    mkdir -p "$conf" "$S_DIR/data" "$S_DIR/logs" "$S_DIR/tmp"
    # The shipped config files once (a keystore created by the node stays); the two files the
    # node reads settings from are rewritten on every start.
    cp -rn "$home/config/." "$conf/"
    # Absolute paths for heap dumps, GC and error logs (the shipped ones are relative to the
    # working directory), and the test heap size (also passed in *_JAVA_OPTS below).
    sed -e "s#^-Xms.*#-Xms$SEARCH_HEAP#" \
        -e "s#^-Xmx.*#-Xmx$SEARCH_HEAP#" \
        -e "s#^-XX:HeapDumpPath=.*#-XX:HeapDumpPath=$S_DIR/data#" \
        -e "s#^-XX:ErrorFile=logs/#-XX:ErrorFile=$S_DIR/logs/#" \
        -e "s#file=logs/gc.log#file=$S_DIR/logs/gc.log#" \
        "$home/config/jvm.options" >"$conf/jvm.options"
    {
        printf '# Generated by scripts/services.sh on every start; edits are overwritten.\n'
        printf 'cluster.name: mha-%s\n' "$S_SVC"
        printf 'node.name: mha-%s-1\n' "$S_SVC"
        printf 'network.host: 127.0.0.1\n'
        printf 'http.port: %s\n' "$S_PORT"
        printf 'transport.port: %s\n' "$S_TPORT"
        printf 'discovery.type: single-node\n'
        printf 'path.data: %s\n' "$S_DIR/data"
        printf 'path.logs: %s\n' "$S_DIR/logs"
        printf '# Never turn test indices read-only because the disk is fuller than a production\n'
        printf '# watermark.\n'
        printf 'cluster.routing.allocation.disk.threshold_enabled: false\n'
        if [[ $S_SVC == elasticsearch ]]; then
            printf 'xpack.security.enabled: false\n'
            # The GeoIP downloader would fetch databases from the internet. The integ-test zip
            # lacks the ingest-geoip module, and then the setting itself is unknown (fatal).
            if [[ -d $home/modules/ingest-geoip ]]; then
                printf 'ingest.geoip.downloader.enabled: false\n'
            fi
        fi
    } >"$conf/$S_SVC.yml"
    # Not recursive on S_DIR: a hard-linked home tree in it shares its files with the cache.
    chown "$user:" "$S_DIR"
    for dir in "$conf" "$S_DIR/data" "$S_DIR/logs" "$S_DIR/tmp"; do
        chown -R "$user:" "$dir"
    done
}

search_health() {
    local body
    body="$(curl -s -m 5 "$S_URL/_cluster/health" 2>/dev/null)" || return 1
    [[ $body =~ \"status\":\"(green|yellow)\" ]]
}

search_pid_alive() {
    local pid
    pid="$(read_pid "$S_PIDFILE")" && pid_matches "$pid" "$S_MAIN_CLASS"
}

search_running() { search_pid_alive && search_health; }

search_fail() {
    local log_file="$S_DIR/logs/mha-$S_SVC.log" pid
    log "$S_SVC: start output ($S_DIR/start.log):"
    tail -n 20 "$S_DIR/start.log" >&2 2>/dev/null || true
    if [[ -f $log_file ]]; then
        log "$S_SVC: last lines of $log_file:"
        tail -n 40 "$log_file" >&2 || true
    fi
    if pid="$(read_pid "$S_PIDFILE")" && pid_matches "$pid" "$S_MAIN_CLASS"; then
        stop_pid "$pid" "$S_SVC"
    fi
    rm -f "$S_PIDFILE"
    die "$S_SVC: $1"
}

search_wait() {
    local deadline=$((SECONDS + SEARCH_TIMEOUT))
    until search_health; do
        if [[ -e $S_PIDFILE ]] && ! search_pid_alive; then
            search_fail "the node exited during startup"
        fi
        ((SECONDS < deadline)) ||
            search_fail "no yellow/green cluster health on $S_URL after ${SEARCH_TIMEOUT} s"
        sleep 1
    done
}

search_up() {
    local user dist home pid
    search_vars "$1"
    ensure_cmd curl curl
    if search_running; then
        log "$S_SVC: already running on $S_URL"
        return 0
    fi
    ensure_search_user
    user="$(search_user)"
    mkdir -p "$S_DIR"
    chown "$user:" "$S_DIR"
    if search_pid_alive; then
        log "$S_SVC: process $(read_pid "$S_PIDFILE") is running, waiting for it to answer"
        search_wait
        log "$S_SVC: up at $S_URL"
        return 0
    fi
    clean_stale_pidfile "$S_PIDFILE" "$S_MAIN_CLASS"
    port_open "$S_PORT" && die "$S_SVC: port $S_PORT is already used by another process"
    port_open "$S_TPORT" && die "$S_SVC: transport port $S_TPORT is already used by another process"

    search_ensure_java
    dist="$(search_ensure_dist)"
    home="$(search_home "$user" "$dist")"
    search_add_modules "$home"
    search_write_config "$home" "$user"

    log "$S_SVC: starting $S_VERSION on $S_URL as user $user (Java $(java_major "$S_JAVA_HOME"))"
    : >"$S_DIR/start.log"
    chown "$user:" "$S_DIR/start.log"
    local java_env=(-u JAVA_HOME "$S_JAVA_HOME_VAR=$S_JAVA_HOME")
    # OpenSearch 2.x also honours JAVA_HOME; Elasticsearch 8 warns that it ignores it.
    [[ $S_SVC == opensearch ]] && java_env+=("JAVA_HOME=$S_JAVA_HOME")
    # -d daemonizes, -p writes the pidfile. Working directory: the state dir (writable).
    if ! (cd "$S_DIR" && run_as "$user" env "${java_env[@]}" \
        "${S_ENV}_PATH_CONF=$S_DIR/config" \
        "${S_ENV}_JAVA_OPTS=-Xms$SEARCH_HEAP -Xmx$SEARCH_HEAP" \
        "${S_ENV}_TMPDIR=$S_DIR/tmp" \
        "$home/bin/$S_SVC" -d -p "$S_PIDFILE" >>"$S_DIR/start.log" 2>&1 </dev/null 9>&-); then
        search_fail "the launcher failed"
    fi
    search_wait
    pid="$(read_pid "$S_PIDFILE" || true)"
    log "$S_SVC: up at $S_URL (pid ${pid:-?})"
}

search_down() {
    local pid
    search_vars "$1"
    if ! pid="$(read_pid "$S_PIDFILE")" || ! pid_matches "$pid" "$S_MAIN_CLASS"; then
        clean_stale_pidfile "$S_PIDFILE" "$S_MAIN_CLASS"
        log "$S_SVC: not running"
        return 0
    fi
    log "$S_SVC: stopping (pid $pid)"
    stop_pid "$pid" "$S_SVC"
    rm -f "$S_PIDFILE"
}

search_is_up() {
    search_vars "$1"
    search_running
}

# ----------------------------------------------------------------------------- dispatch

service_up() {
    case "$1" in
        postgres) pg_up ;;
        redis) redis_up ;;
        opensearch | elasticsearch) search_up "$1" ;;
    esac
}

service_down() {
    case "$1" in
        postgres) pg_down ;;
        redis) redis_down ;;
        opensearch | elasticsearch) search_down "$1" ;;
    esac
}

service_is_up() {
    case "$1" in
        postgres) pg_running ;;
        redis) redis_running ;;
        opensearch | elasticsearch) search_is_up "$1" ;;
    esac
}

service_url() {
    case "$1" in
        postgres) pg_url ;;
        redis) redis_url ;;
        opensearch) printf 'http://127.0.0.1:%s\n' "$OS_PORT" ;;
        elasticsearch) printf 'http://127.0.0.1:%s\n' "$ES_PORT" ;;
    esac
}

service_env_var() {
    case "$1" in
        postgres) printf 'DATABASE_URL\n' ;;
        redis) printf 'REDIS_URL\n' ;;
        opensearch) printf 'OPENSEARCH_URL\n' ;;
        elasticsearch) printf 'ELASTICSEARCH_URL\n' ;;
    esac
}

main() {
    local cmd="${1:-}" svc known k
    [[ -n $cmd ]] || usage
    shift
    local services=("$@")
    if [[ ${#services[@]} -eq 0 ]]; then
        if [[ $cmd == up ]]; then
            services=("${DEFAULT_UP[@]}")
        else
            services=("${ALL_SERVICES[@]}")
        fi
    fi
    for svc in "${services[@]}"; do
        known=0
        for k in "${ALL_SERVICES[@]}"; do [[ $svc == "$k" ]] && known=1; done
        [[ $known -eq 1 ]] || die "unknown service '$svc' (known: ${ALL_SERVICES[*]})"
    done

    case "$cmd" in
        up)
            if ! is_root && ! command -v sudo >/dev/null 2>&1; then
                log "note: not root and no sudo: missing Debian packages cannot be installed"
            fi
            take_lock
            for svc in "${services[@]}"; do service_up "$svc"; done
            ;;
        down)
            take_lock
            for svc in "${services[@]}"; do service_down "$svc"; done
            ;;
        status)
            for svc in "${services[@]}"; do
                if service_is_up "$svc"; then
                    printf '%-14s %-5s %s\n' "$svc" up "$(service_url "$svc")"
                else
                    printf '%-14s %-5s %s\n' "$svc" down "$(service_url "$svc")"
                fi
            done
            ;;
        env)
            for svc in "${services[@]}"; do
                if service_is_up "$svc"; then
                    printf 'export %s=%s\n' "$(service_env_var "$svc")" "$(service_url "$svc")"
                fi
            done
            ;;
        -h | --help | help) usage ;;
        *) die "unknown command '$cmd' (up|down|status|env)" ;;
    esac
}

main "$@"
