#!/usr/bin/env bash
# Throwaway Redis servers for tests.
#
#   redis.sh ensure                       install Debian's redis-server if missing
#   redis.sh start [--port N] [--dir D] [--tls-dir T [--tls-port N]]
#                                         start one on 127.0.0.1, print its port
#   redis.sh stop --dir D                 shut down the server started with --dir D
#
# With --tls-dir (files made by test/servers/tls/certs.sh) the same server also serves TLS on a
# second port (client certificates optional, but verified against T/ca.pem when sent), printed
# as `tls=PORT` before the plain port.
#
# Only the port goes to stdout so callers can capture it; everything else goes
# to stderr. Servers keep no data on disk: tests must never depend on state
# surviving a restart, and fault tests rely on a restart coming back empty.
set -euo pipefail

readonly PROG=${0##*/}
readonly HOST=127.0.0.1

die() {
  echo "$PROG: $*" >&2
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: $PROG ensure
       $PROG start [--port N] [--dir D] [--tls-dir T [--tls-port N]]
       $PROG stop --dir D
EOF
  exit 2
}

have_redis() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1
}

cmd_ensure() {
  [[ $# -eq 0 ]] || usage
  have_redis && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "redis-server is not installed and apt-get is not available; install Redis >= 6.2 (redis-server and redis-cli) and put it on PATH"

  local -a asroot=()
  if [[ $EUID -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      asroot=(sudo -n)
    else
      die "redis-server is not installed and installing it needs root; run 'sudo apt-get install --no-install-recommends redis-server' (or run '$0 ensure' as root)"
    fi
  fi

  # Debian's postinst starts the packaged service on port 6379; tests never
  # use it, and a stray daemon would outlive the test run. policy-rc.d is the
  # standard Debian switch for "don't start services from maintainer scripts".
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${asroot[@]}" tee "$policy" >/dev/null
    "${asroot[@]}" chmod 755 "$policy"
    made_policy=1
  fi

  local log status=0
  log=$(mktemp)
  {
    "${asroot[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      "${asroot[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends redis-server
  } >"$log" 2>&1 || status=$?
  if [[ $made_policy -eq 1 ]]; then
    "${asroot[@]}" rm -f "$policy"
  fi
  if [[ $status -ne 0 ]]; then
    cat "$log" >&2
    rm -f "$log"
    die "apt-get install redis-server failed (exit $status)"
  fi
  rm -f "$log"
  have_redis || die "redis-server was installed but redis-server/redis-cli are still not on PATH"
}

# True for a live redis-server process. /proc is checked instead of `kill -0`
# because a zombie (an exited daemon nobody reaped, e.g. under a minimal
# PID 1) still answers kill -0, and a recycled pid must never be signalled.
redis_alive() {
  local pid=$1 stat
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  # Field 3 (state) follows the parenthesised command name.
  [[ ${stat##*) } != Z* ]] || return 1
  grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null ||
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server* ]]
}

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# Below Linux's default ephemeral range (32768+) so that a port picked here
# rarely collides with the source port of some outgoing connection.
random_port() {
  echo $((20000 + (RANDOM % 12000)))
}

# Starts redis-server on $1 with state in $2; returns 1 when this port can't be
# used (taken, or the server died) so the caller may try another one.
try_start() {
  local port=$1 dir=$2 tls_port=${3:-}
  local pidfile=$dir/redis.pid logfile=$dir/redis.log
  local -a tls=()
  rm -f "$pidfile"
  port_in_use "$port" && return 1
  if [[ -n $TLS_DIR ]]; then
    [[ $tls_port != "$port" ]] || return 1
    port_in_use "$tls_port" && return 1
    tls=(--tls-port "$tls_port" --tls-cert-file "$TLS_DIR/server.pem" --tls-key-file "$TLS_DIR/server.key"
      --tls-ca-cert-file "$TLS_DIR/ca.pem" --tls-auth-clients optional)
  fi

  local log_offset=0
  [[ -f $logfile ]] && log_offset=$(wc -c <"$logfile")

  redis-server \
    --bind "$HOST" --port "$port" --protected-mode yes \
    --save "" --appendonly no \
    --daemonize yes --pidfile "$pidfile" --logfile "$logfile" --dir "$dir" \
    --loglevel warning "${tls[@]}" ||
    return 1

  local pid="" i info
  for ((i = 0; i < 200; i++)); do
    if [[ -z $pid && -s $pidfile ]]; then
      pid=$(<"$pidfile")
    fi
    if [[ -n $pid ]]; then
      redis_alive "$pid" || return 1
      # The server answering must be ours, not one that raced us to the port.
      info=$(redis-cli -h "$HOST" -p "$port" info server 2>/dev/null | tr -d '\r') || info=""
      if [[ $info == *"process_id:$pid"* ]] &&
        [[ $(redis-cli -h "$HOST" -p "$port" ping 2>/dev/null | tr -d '\r') == PONG ]]; then
        echo "$port" >"$dir/port"
        [[ -z $tls_port ]] || echo "$tls_port" >"$dir/tls-port"
        return 0
      fi
    fi
    if tail -c +"$((log_offset + 1))" "$logfile" 2>/dev/null | grep -q "Could not create server TCP listening socket"; then
      return 1
    fi
    sleep 0.05
  done
  echo "$PROG: redis-server on port $port did not answer PING within 10s" >&2
  [[ -n $pid ]] && redis_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  return 1
}

cmd_start() {
  local port="" dir="" tls_port=""
  TLS_DIR=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --port) [[ $# -ge 2 ]] || usage; port=$2; shift 2 ;;
      --dir) [[ $# -ge 2 ]] || usage; dir=$2; shift 2 ;;
      --tls-dir) [[ $# -ge 2 ]] || usage; TLS_DIR=$2; shift 2 ;;
      --tls-port) [[ $# -ge 2 ]] || usage; tls_port=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ -z $port || $port =~ ^[0-9]+$ ]] || die "--port must be a number, got '$port'"
  [[ -z $tls_port || $tls_port =~ ^[0-9]+$ ]] || die "--tls-port must be a number, got '$tls_port'"
  [[ -z $tls_port || -n $TLS_DIR ]] || die "--tls-port needs --tls-dir"
  if [[ -n $TLS_DIR ]]; then
    [[ -f $TLS_DIR/server.pem && -f $TLS_DIR/server.key && -f $TLS_DIR/ca.pem ]] ||
      die "--tls-dir $TLS_DIR lacks server.pem, server.key or ca.pem (make them with test/servers/tls/certs.sh)"
    TLS_DIR=$(cd "$TLS_DIR" && pwd)
  fi
  have_redis || die "redis-server is not installed; run '$0 ensure' first"

  local made_dir=0
  if [[ -z $dir ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/dspfn-redis.XXXXXX")
    made_dir=1
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ -s $dir/redis.pid ]] && redis_alive "$(<"$dir/redis.pid")"; then
    die "a redis-server started with --dir $dir is still running (pid $(<"$dir/redis.pid")); stop it first"
  fi

  # Only the port(s) on stdout: `tls=PORT` first when TLS is on, the plain port last.
  started() {
    [[ -z $TLS_DIR ]] || echo "tls=$1"
    echo "$2"
  }
  if [[ -n $port ]]; then
    [[ -n $tls_port || -z $TLS_DIR ]] || tls_port=$(random_port)
    try_start "$port" "$dir" "$tls_port" && { started "$tls_port" "$port"; return 0; }
    tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
    [[ $made_dir -eq 1 ]] && rm -rf "$dir"
    die "could not start redis-server on $HOST:$port (is the port taken?)"
  fi
  local attempt candidate candidate_tls=""
  for ((attempt = 0; attempt < 20; attempt++)); do
    candidate=$(random_port)
    [[ -z $TLS_DIR ]] || candidate_tls=${tls_port:-$(random_port)}
    try_start "$candidate" "$dir" "$candidate_tls" && { started "$candidate_tls" "$candidate"; return 0; }
  done
  tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
  [[ $made_dir -eq 1 ]] && rm -rf "$dir"
  die "could not start redis-server on any free port (20 attempts)"
}

cmd_stop() {
  local dir=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --dir) [[ $# -ge 2 ]] || usage; dir=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ -n $dir ]] || usage
  [[ -d $dir ]] || return 0

  local pid="" port="" i
  [[ -s $dir/redis.pid ]] && pid=$(<"$dir/redis.pid")
  [[ -s $dir/port ]] && port=$(<"$dir/port")
  if [[ -z $pid ]] || ! redis_alive "$pid"; then
    rm -f "$dir/redis.pid"
    return 0
  fi

  if [[ -n $port ]]; then
    timeout 5 redis-cli -h "$HOST" -p "$port" shutdown nosave >/dev/null 2>&1 || true
  fi
  for ((i = 0; i < 100; i++)); do
    redis_alive "$pid" || break
    [[ $i -eq 40 ]] && kill -TERM "$pid" 2>/dev/null
    sleep 0.05
  done
  if redis_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      redis_alive "$pid" || break
      sleep 0.05
    done
  fi
  redis_alive "$pid" && die "redis-server pid $pid did not exit"
  rm -f "$dir/redis.pid"
}

[[ $# -ge 1 ]] || usage
sub=$1
shift
case $sub in
  ensure) cmd_ensure "$@" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  *) usage ;;
esac
