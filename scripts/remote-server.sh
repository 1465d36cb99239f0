#!/usr/bin/env bash
# Test servers for caravan's remote caching and execution (issue 16), all on
# 127.0.0.1 and all kept in one state folder:
#   - BuildGrid 0.9.1, a REAPI v2 server (CAS, ActionCache, Execution), with
#     a private PostgreSQL 15 cluster for its scheduler;
#   - N test workers (scripts/remote_worker.py) that run actions in a fresh
#     directory holding exactly the action's input root;
#   - nginx serving the Bazel HTTP cache protocol (GET/PUT /ac/<sha256>,
#     /cas/<sha256>).
#
# Usage: scripts/remote-server.sh start|stop|status
#
# Environment (defaults in brackets):
#   CARAVAN_REMOTE_STATE     state folder [/tmp/caravan-remote]
#   CARAVAN_REMOTE_PG_PORT   PostgreSQL port [54329]
#   CARAVAN_REMOTE_PORT      BuildGrid gRPC port [50071]
#   CARAVAN_REMOTE_HTTP_PORT nginx HTTP cache port [8089]
#   CARAVAN_REMOTE_WORKERS   number of workers [2]
#   CARAVAN_REMOTE_CAPACITY  actions each worker runs at once [1]
#   CARAVAN_REMOTE_TIMEOUT   seconds to wait for each service [60]
#   CARAVAN_REMOTE_VENV      BuildGrid's venv
#                            [${XDG_CACHE_HOME:-$HOME/.cache}/caravan/buildgrid-venv]
#
# `start` installs what is missing (the venv; Debian's nginx), starts the
# services, waits until each answers, and writes STATE/env:
#   CARAVAN_TEST_REAPI=grpc://127.0.0.1:PORT
#   CARAVAN_TEST_HTTP_CACHE=http://127.0.0.1:HTTP_PORT
# `stop` stops everything it started and removes the state folder (it
# succeeds when nothing runs). `status` says what runs; exit status 1 when
# nothing does.
# Run as root (initdb and postgres run as the `postgres` user).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
state=${CARAVAN_REMOTE_STATE:-/tmp/caravan-remote}
pg_port=${CARAVAN_REMOTE_PG_PORT:-54329}
grpc_port=${CARAVAN_REMOTE_PORT:-50071}
http_port=${CARAVAN_REMOTE_HTTP_PORT:-8089}
workers=${CARAVAN_REMOTE_WORKERS:-2}
capacity=${CARAVAN_REMOTE_CAPACITY:-1}
timeout=${CARAVAN_REMOTE_TIMEOUT:-60}
venv=${CARAVAN_REMOTE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/caravan/buildgrid-venv}
buildgrid_version=0.9.1
pg_bin=/usr/lib/postgresql/15/bin
py313="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.13.0/bin/python3.13"

say() { echo "remote-server: $*"; }
die() { echo "remote-server: error: $*" >&2; exit 1; }

for v in "$pg_port" "$grpc_port" "$http_port" "$workers" "$capacity" "$timeout"; do
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ] || die "ports, CARAVAN_REMOTE_WORKERS, _CAPACITY and _TIMEOUT must be positive numbers (got '$v')"
done
case "$state" in
  /*) ;;
  *) die "CARAVAN_REMOTE_STATE must be an absolute path (got '$state')" ;;
esac
state=${state%/}
[ "$state" != "" ] && [ "$state" != "/" ] || die "refusing state folder '/'"

# ---------------------------------------------------------------- processes

# Is process $1 alive (and not a zombie)?
alive() {
  local s
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
  s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ "$s" != Z ]
}

# Stop process $1 with signal $2, then SIGKILL after $3 seconds.
stop_pid() {
  local pid=$1 sig=${2:-TERM} grace=${3:-10} i
  alive "$pid" || return 0
  kill -s "$sig" "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -s KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
}

# Processes that belong to this state folder, found even when pid files are
# gone (or the folder itself): their executable is one we start (postgres,
# nginx, the venv's python) and their command line, working directory or an
# open file is in the state folder (an orphaned nginx worker only has its
# log files to show; a postgres backend its working directory).
ours() {
  local p=/proc/$1 exe
  alive "$1" || return 1
  exe=$(readlink "$p/exe" 2>/dev/null) || return 1
  case "$exe" in
    */postgres | */nginx | */python3* | */python) ;;
    *) return 1 ;;
  esac
  tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$state/" ||
    case "$(readlink "$p/cwd" 2>/dev/null)" in "$state" | "$state"/* | "$state (deleted)") true ;; *) false ;; esac ||
    find "$p/fd" -mindepth 1 -maxdepth 1 -lname "$state/*" 2>/dev/null | grep -q .
}

state_processes() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != $$ ] || continue
    if ours "$p"; then echo "$p"; fi
  done
}

# The pid in pid file $1 (first line), if that process is one of ours: a
# stale file may name a pid that another program has since been given.
pid_from() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(head -n1 "$1" 2>/dev/null | tr -dc 0-9)
  [ -n "$pid" ] && ours "$pid" && echo "$pid"
}

# The pid of the process listening on 127.0.0.1 TCP port $1, if any.
listener_pid() {
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1
}

port_busy() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# ------------------------------------------------------------------- status

status() {
  local any=0 i pid
  if pid=$(pid_from "$state/pg/postmaster.pid"); then say "postgres running (pid $pid, port $pg_port)"; any=1; fi
  if pid=$(pid_from "$state/bgd.pid"); then say "buildgrid running (pid $pid, grpc://127.0.0.1:$grpc_port)"; any=1; fi
  for i in "$state"/worker-*.pid; do
    if pid=$(pid_from "$i"); then say "$(basename "$i" .pid) running (pid $pid)"; any=1; fi
  done
  if pid=$(pid_from "$state/http/nginx.pid"); then say "nginx running (pid $pid, http://127.0.0.1:$http_port)"; any=1; fi
  if [ "$any" = 1 ]; then
    if all_running; then cat "$state/env"; else say "(not all services run: scripts/remote-server.sh start restarts them)"; fi
    return 0
  fi
  local left
  left=$(state_processes | wc -l)
  if [ "$left" -gt 0 ]; then
    say "$left process(es) left from an earlier run in $state (stop or start cleans them up)"
    return 0
  fi
  say "nothing runs (state folder $state)"
  return 1
}

# --------------------------------------------------------------------- stop

stop() {
  local f pid
  for f in "$state"/worker-*.pid; do
    if pid=$(pid_from "$f"); then stop_pid "$pid" TERM 5; fi
  done
  if pid=$(pid_from "$state/bgd.pid"); then stop_pid "$pid" TERM 10; fi
  if pid=$(pid_from "$state/http/nginx.pid"); then stop_pid "$pid" TERM 5; fi            # fast shutdown
  if pid=$(pid_from "$state/pg/postmaster.pid"); then stop_pid "$pid" INT 20; fi         # fast shutdown
  # Whatever is left from a run whose pid files were lost.
  for pid in $(state_processes); do
    case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
      */postgres) stop_pid "$pid" INT 20 ;;
      *) stop_pid "$pid" TERM 5 ;;
    esac
  done
  # Only a folder this script made (it has the marker) is removed.
  if [ -f "$state/.caravan-remote" ]; then
    rm -rf -- "$state"
  elif [ -d "$state" ]; then
    say "not removing $state: it has no .caravan-remote marker, so this script did not make it"
  fi
}

all_running() {
  local i
  pid_from "$state/pg/postmaster.pid" >/dev/null && pid_from "$state/bgd.pid" >/dev/null &&
    pid_from "$state/http/nginx.pid" >/dev/null && [ -f "$state/env" ] && [ -f "$state/started" ] || return 1
  for ((i = 1; i <= workers; i++)); do
    pid_from "$state/worker-$i.pid" >/dev/null || return 1
  done
}

# ------------------------------------------------------------------ install

install_missing() {
  local need=()
  # A policy-rc.d left behind by an installation that was killed.
  if grep -qs 'from caravan scripts/remote-server.sh' /usr/sbin/policy-rc.d && ! pgrep -x apt-get >/dev/null; then
    rm -f /usr/sbin/policy-rc.d
  fi
  [ -f "$venv/.caravan-buildgrid-$buildgrid_version" ] ||
    need+=("a Python 3.13 venv with buildgrid==$buildgrid_version in $venv (pip)")
  command -v nginx >/dev/null || need+=("Debian's nginx (apt-get install nginx)")
  [ ${#need[@]} -eq 0 ] && return 0
  local line
  line=$(printf '%s; ' "${need[@]}")
  say "installing: ${line%; }"
  # Two starts at once (other state folders) must not build the venv together.
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if [ ! -f "$venv/.caravan-buildgrid-$buildgrid_version" ]; then
    [ -x "$py313" ] || die "Python 3.13 not found at $py313 (pyenv install 3.13.0)"
    rm -rf -- "$venv"
    mkdir -p "$(dirname "$venv")"
    "$py313" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "buildgrid==$buildgrid_version" ||
      die "pip install buildgrid==$buildgrid_version failed"
    touch "$venv/.caravan-buildgrid-$buildgrid_version"
  fi
  flock -u 9
  if ! command -v nginx >/dev/null; then
    install_nginx
  fi
}

# Debian's package would start nginx as a system service (on port 80). A
# policy-rc.d that forbids starting services keeps it from doing so during the
# installation; whatever still runs afterwards is stopped and disabled, so
# that the machine is left as it was for other software.
install_nginx() {
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from caravan scripts/remote-server.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; } || rc=$?
  if [ "$made_policy" = 1 ]; then
    rm -f "$policy"
    trap - EXIT
  fi
  [ "$rc" = 0 ] || die "apt-get install nginx failed"
  command -v nginx >/dev/null || die "nginx not found after installing it"
  # Stop and disable a system nginx that the package may have started.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  if command -v service >/dev/null; then
    service nginx stop >/dev/null 2>&1 || true
  fi
  if [ -f /run/nginx.pid ] && alive "$(cat /run/nginx.pid)"; then
    stop_pid "$(cat /run/nginx.pid)" TERM 5
  fi
}

# -------------------------------------------------------------------- start

wait_for() { # description, log file, command...
  local what=$1 log=$2 i
  shift 2
  for ((i = 0; i < timeout * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what not ready after ${timeout}s; read $log"
}

free_port() { # port, name
  local port=$1 pid dir
  port_busy "$port" || return 0
  pid=$(listener_pid "$port")
  # A postgres of another state folder of these scripts, left running: stop it.
  if [ -n "$pid" ] && [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */postgres ]]; then
    dir=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
    if [[ "$dir" == */pg" (deleted)" ]] || { [ -n "$dir" ] && [ -f "$(dirname "$dir")/.caravan-remote" ]; }; then
      say "stopping a test postgres left running on port $port (pid $pid, data in $dir)"
      stop_pid "$pid" INT 20
      sleep 0.2
      port_busy "$port" || return 0
    fi
  fi
  die "port $port (for $2) is in use${pid:+ by pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80))}; stop it or choose another port"
}

start_postgres() {
  local sock="$state/pgsock" sockopt
  mkdir -p "$state/pg" "$sock"
  chown postgres: "$state/pg" "$sock"
  chmod 700 "$state/pg"
  touch "$state/postgres.log" && chown postgres: "$state/postgres.log"
  # A Unix socket path is limited to 107 bytes: with a long state path, use TCP only.
  if [ ${#sock} -le 80 ]; then sockopt="-c unix_socket_directories=$sock"; else sockopt="-c unix_socket_directories="; fi
  runuser -u postgres -- "$pg_bin/initdb" -D "$state/pg" -A trust -U postgres >>"$state/postgres.log" 2>&1 ||
    die "initdb failed; read $state/postgres.log"
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$state/pg" -l "$state/postgres.log" -t "$timeout" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 $sockopt -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || die "postgres did not start; read $state/postgres.log"
  wait_for postgres "$state/postgres.log" "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"
  "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c 'create database bgd' >>"$state/postgres.log" 2>&1 ||
    die "could not create the bgd database; read $state/postgres.log"
  "$venv/bin/bgd" migrate apply "postgresql://postgres@127.0.0.1:$pg_port/bgd" >"$state/migrate.log" 2>&1 ||
    die "bgd migrate apply failed; read $state/migrate.log"
}

write_bgd_config() {
  cat >"$state/bgd.yml" <<EOF
# Generated by scripts/remote-server.sh
server:
  - !channel
    address: "127.0.0.1:$grpc_port"
    insecure-mode: true

authorization:
  method: none

connections:
  - !sql-connection &sql
    connection-string: postgresql://postgres@127.0.0.1:$pg_port/bgd
    pool-size: 5
    pool-timeout: 30
    max-overflow: 10

storages:
  - !disk-storage &cas-storage
    path: $state/cas

caches:
  - !lru-action-cache &ac
    storage: *cas-storage
    max-cached-refs: 100000
    allow-updates: true
    cache-failed-actions: false

schedulers:
  - !sql-scheduler &sched
    sql: *sql
    storage: *cas-storage
    action-cache: *ac
    bot-session-keepalive-timeout: 120
    poll-interval: 0.05
    bot-poll-interval: 0.05
    assigners:
      - !priority-age-assigner
        count: 1
        interval: 0.02
        jitter-factor: 0.01   # (the default adds up to 1 s to each assignment)
        priority-assignment-percentage: 100
        preemption-delay: 20.0
        bot-assignment-strategy: !assign-by-capacity
          sampling: !sampling-config
            sample-size: 5
            max-attempts: 3
    # An action goes only to a worker with the same values of these keys.
    property-set: !dynamic-property-set
      match-property-keys: [OSFamily, caravan-ocaml-version, caravan-ocaml-config]
      wildcard-property-keys: []

instances:
  - name: ""
    description: caravan tests
    services:
      - !action-cache
        cache: *ac
      - !execution
        scheduler: *sched
      - !cas
        storage: *cas-storage
      - !bytestream
        storage: *cas-storage

thread-pool-size: 40
EOF
}

start_buildgrid() {
  mkdir -p "$state/cas"
  write_bgd_config
  setsid "$venv/bin/bgd" server start "$state/bgd.yml" >"$state/bgd.log" 2>&1 </dev/null &
  echo $! >"$state/bgd.pid"
  # Waits until GetCapabilities answers, or BuildGrid exits.
  "$venv/bin/python" "$here/remote_worker.py" --check "127.0.0.1:$grpc_port" \
    --check-pid "$(cat "$state/bgd.pid")" --check-wait "$timeout" >>"$state/check.log" 2>&1 && return 0
  alive "$(cat "$state/bgd.pid")" || die "BuildGrid exited; read $state/bgd.log"
  die "BuildGrid not answering GetCapabilities after ${timeout}s; read $state/bgd.log"
}

start_workers() {
  local i
  mkdir -p "$state/worker-cache"
  for ((i = 1; i <= workers; i++)); do
    setsid "$venv/bin/python" "$here/remote_worker.py" --server "127.0.0.1:$grpc_port" \
      --name "caravan-worker-$i" --capacity "$capacity" --cache "$state/worker-cache" --ready "$state/worker-$i.ready" \
      >"$state/worker-$i.log" 2>&1 </dev/null &
    echo $! >"$state/worker-$i.pid"
  done
  for ((i = 1; i <= workers; i++)); do
    wait_for "worker $i" "$state/worker-$i.log" test -f "$state/worker-$i.ready"
  done
}

start_nginx() {
  local h="$state/http" user=root
  mkdir -p "$h/data/ac" "$h/data/cas" "$h/tmp"
  if id www-data >/dev/null 2>&1; then
    user=www-data
    chown -R www-data: "$h/data" "$h/tmp"
  fi
  cat >"$h/nginx.conf" <<EOF
# Generated by scripts/remote-server.sh: a Bazel HTTP cache (GET/PUT /ac/, /cas/)
user $user;
worker_processes 1;
daemon on;
pid $h/nginx.pid;
error_log $h/error.log;
events { worker_connections 256; }
http {
  access_log $h/access.log;
  client_body_temp_path $h/tmp/body;
  proxy_temp_path $h/tmp/proxy;
  fastcgi_temp_path $h/tmp/fastcgi;
  uwsgi_temp_path $h/tmp/uwsgi;
  scgi_temp_path $h/tmp/scgi;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$http_port;
    root $h/data;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
EOF
  nginx -e "$h/error.log" -p "$h" -c "$h/nginx.conf" -t >"$h/check.log" 2>&1 ||
    die "nginx configuration refused; read $h/check.log"
  nginx -e "$h/error.log" -p "$h" -c "$h/nginx.conf" >>"$h/error.log" 2>&1 ||
    die "nginx did not start; read $h/error.log"
  wait_for nginx "$h/error.log" http_roundtrip
}

http_roundtrip() {
  local url="http://127.0.0.1:$http_port/cas/caravan-ready" got
  curl -sf -X PUT --data-binary ready "$url" >/dev/null || return 1
  got=$(curl -sf "$url") || return 1
  curl -sf -X DELETE "$url" >/dev/null 2>&1 || rm -f "$state/http/data/cas/caravan-ready"
  [ "$got" = ready ]
}

start() {
  command -v curl >/dev/null || die "curl is needed"
  [ "$(id -u)" = 0 ] || die "run as root (postgres is run as the postgres user)"
  id postgres >/dev/null 2>&1 || die "no postgres user (apt-get install postgresql-15)"
  [ -x "$pg_bin/initdb" ] || die "PostgreSQL 15 not found in $pg_bin"
  if [ -d "$state" ] && [ ! -f "$state/.caravan-remote" ] && [ -n "$(ls -A "$state")" ]; then
    die "$state is not empty and was not made by this script; set CARAVAN_REMOTE_STATE to another folder"
  fi
  if all_running; then
    say "already running"
    cat "$state/env"
    return 0
  fi
  install_missing
  # Leftovers of a run that was killed: stop them and start afresh.
  stop
  free_port "$pg_port" postgres
  free_port "$grpc_port" BuildGrid
  free_port "$http_port" nginx
  mkdir -p "$state"
  chmod 755 "$state"
  echo "state folder of scripts/remote-server.sh" >"$state/.caravan-remote"
  # Anything failing from here on leaves nothing running.
  trap 'rc=$?; if [ $rc != 0 ]; then say "start failed, stopping what was started"; stop_keep_logs; fi' EXIT
  say "postgres on 127.0.0.1:$pg_port"
  start_postgres
  say "buildgrid on 127.0.0.1:$grpc_port"
  start_buildgrid
  say "$workers worker(s), $capacity action(s) at once each"
  start_workers
  say "nginx on 127.0.0.1:$http_port"
  start_nginx
  trap - EXIT
  {
    echo "CARAVAN_TEST_REAPI=grpc://127.0.0.1:$grpc_port"
    echo "CARAVAN_TEST_HTTP_CACHE=http://127.0.0.1:$http_port"
  } >"$state/env"
  touch "$state/started"
  say "ready; logs in $state"
  cat "$state/env"
}

# After a failed start: stop the services but keep the logs for reading.
stop_keep_logs() {
  local keep
  keep=$(mktemp -d /tmp/caravan-remote-logs.XXXXXX)
  mkdir -p "$keep/http"
  cp "$state"/*.log "$keep/" 2>/dev/null || true
  cp "$state"/http/*.log "$keep/http/" 2>/dev/null || true
  stop
  mkdir -p "$state"
  echo "state folder of scripts/remote-server.sh" >"$state/.caravan-remote"
  cp -r "$keep"/. "$state/" 2>/dev/null || true
  rm -rf -- "$keep"
  say "logs kept in $state"
}

case "${1:-}" in
  start) start ;;
  stop)
    stop
    say "stopped"
    ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
