#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, combined broker+controller)
# for tests and local development, without Docker: the broker jars come from
# Maven Central (the only place CI can download them from) and run on the
# machine's Java 17+.
#
#   kafka.sh fetch                           resolve the broker jars into the cache
#   kafka.sh start [--port N] [--dir D] [--owner-pid P] [--tls-dir T [--add-scram SPEC]…]
#                                            start a broker; prints 127.0.0.1:PORT
#   kafka.sh stop  [--dir D]                 stop the broker started in D
#   kafka.sh halt  [--dir D]                 stop its JVM only (fault tests): ports, data, watchdog kept
#   kafka.sh restart [--dir D]               start a halted broker again on the same ports and data
#
# With --tls-dir (files made by test/servers/tls/certs.sh) the broker also listens on
#   SASL_SSL  SCRAM-SHA-256/512 over TLS, the users given by --add-scram (kafka-storage's
#             format, e.g. 'SCRAM-SHA-512=[name=u,salt="…",saltedpassword="…",iterations=4096]',
#             so no password is ever on a command line); only on a freshly formatted --dir
#   SSL       TLS with a client certificate required (signed by T/ca.pem)
# and prints `sasl_ssl=127.0.0.1:PORT` and `ssl=127.0.0.1:PORT` before the PLAINTEXT address.
#
# Environment:
#   DSPFN_CACHE                 cache root (default ~/.cache/dspfn)
#   DSPFN_KAFKA_VERSION         Kafka version (default: kafka.version in pom.xml)
#   DSPFN_KAFKA_START_TIMEOUT   seconds to wait for the broker (default 90)
#   DSPFN_KAFKA_HEAP            max heap (default 512m)
#   DSPFN_KAFKA_JAVA_OPTS       extra JVM options for the broker and the format tool
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../../.." && pwd)"
POM="$SCRIPT_DIR/pom.xml"
CACHE_ROOT="${DSPFN_CACHE:-$HOME/.cache/dspfn}"

die() { echo "kafka.sh: $*" >&2; exit 1; }
log() { echo "kafka.sh: $*" >&2; }

# pom.xml is the single place the default version is written down.
default_version() {
  sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$POM" | head -n 1
}
KAFKA_VERSION="${DSPFN_KAFKA_VERSION:-$(default_version)}"
[[ -n "$KAFKA_VERSION" ]] || die "cannot read <kafka.version> from $POM"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
DEFAULT_DIR="$CACHE_ROOT/kafka-dev"

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found: install openjdk-17-jre-headless (Kafka 4.x brokers need Java 17+)"
  local v major
  v="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  major="${v%%.*}"
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot tell the Java version of $(command -v java)"
  (( major >= 17 )) || die "java $v found, Kafka $KAFKA_VERSION needs 17+: install openjdk-17-jre-headless"
}

require_node() {
  command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20+"
}

cmd_fetch() {
  # A complete libs/ is the cache hit; the marker is written last so an
  # interrupted copy is never mistaken for one.
  if [[ -f "$LIBS/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install maven (apt-get install maven)"
  mkdir -p "$KAFKA_HOME"
  local tmp mvn_log
  tmp="$(mktemp -d "$KAFKA_HOME/libs.tmp.XXXXXX")"
  chmod 755 "$tmp"
  mvn_log="$tmp.mvn.log"
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  # Output goes to a file: Maven 3.8 prints stray colour codes even with -q -B,
  # and the log is only worth reading when resolution fails.
  if ! mvn -B -q -f "$POM" \
      -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies \
      -DincludeScope=runtime \
      -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$mvn_log" >&2
    rm -rf "$tmp" "$mvn_log"
    die "mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  fi
  rm -f "$mvn_log"
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || { rm -rf "$tmp"; die "mvn ran but kafka_2.13 jar is missing in $tmp"; }
  touch "$tmp/.complete"
  # rename(2) is atomic, so two concurrent fetches cannot leave a half-filled
  # libs/; the loser just drops its copy.
  if ! mv -T "$tmp" "$LIBS" 2>/dev/null; then
    rm -rf "$tmp"
    [[ -f "$LIBS/.complete" ]] || die "could not move the jars into $LIBS"
  fi
}

# Binding to port 0 lets the kernel choose; the sockets are closed before Kafka
# binds, so there is a small race window, which is acceptable for tests.
free_ports() {
  node -e '
    const net = require("net");
    const n = Number(process.argv[1]);
    const servers = [];
    const next = () => {
      if (servers.length === n) {
        console.log(servers.map((s) => s.address().port).join(" "));
        servers.forEach((s) => s.close());
        return;
      }
      const s = net.createServer();
      s.on("error", (e) => { console.error(e.message); process.exit(1); });
      s.listen(0, "127.0.0.1", () => { servers.push(s); next(); });
    };
    next();
  ' "$1"
}

port_is_free() {
  node -e '
    const s = require("net").createServer();
    s.on("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close(() => process.exit(0)));
  ' "$1"
}

pid_is_our_broker() {
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guards against a recycled pid: only ever signal a JVM running kafka.Kafka.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

print_failure_logs() {
  local f
  for f in "$@"; do
    if [[ -s "$f" ]]; then
      echo "----- last lines of $f -----" >&2
      tail -n 60 "$f" >&2
    fi
  done
}

parse_dir_port() {
  PORT=""
  DIR=""
  OWNER_PID=""
  TLS_DIR=""
  SCRAM=()
  while (($#)); do
    case "$1" in
      --port) PORT="${2:?--port needs a value}"; shift 2 ;;
      --port=*) PORT="${1#*=}"; shift ;;
      --dir) DIR="${2:?--dir needs a value}"; shift 2 ;;
      --dir=*) DIR="${1#*=}"; shift ;;
      --owner-pid) OWNER_PID="${2:?--owner-pid needs a value}"; shift 2 ;;
      --owner-pid=*) OWNER_PID="${1#*=}"; shift ;;
      --tls-dir) TLS_DIR="${2:?--tls-dir needs a value}"; shift 2 ;;
      --tls-dir=*) TLS_DIR="${1#*=}"; shift ;;
      --add-scram) SCRAM+=("--add-scram" "${2:?--add-scram needs a value}"); shift 2 ;;
      --add-scram=*) SCRAM+=("--add-scram" "${1#*=}"); shift ;;
      *) die "unknown argument: $1" ;;
    esac
  done
  DIR="${DIR:-$DEFAULT_DIR}"
  [[ -z "$PORT" || "$PORT" =~ ^[0-9]+$ ]] || die "--port must be a number, got '$PORT'"
  [[ -z "$OWNER_PID" || "$OWNER_PID" =~ ^[0-9]+$ ]] || die "--owner-pid must be a pid, got '$OWNER_PID'"
  if [[ -n "$TLS_DIR" ]]; then
    [[ -f "$TLS_DIR/server-keystore.pem" && -f "$TLS_DIR/ca.pem" ]] || die "--tls-dir $TLS_DIR lacks server-keystore.pem or ca.pem (make them with test/servers/tls/certs.sh)"
    TLS_DIR="$(cd "$TLS_DIR" && pwd)"
  fi
  ((${#SCRAM[@]} == 0)) || [[ -n "$TLS_DIR" ]] || die "--add-scram needs --tls-dir (SCRAM users log in on the SASL_SSL listener)"
}

# The broker's JVM options, in JVM (one array, shared by start and restart).
broker_jvm_options() {
  JVM=(
    -Xmx"${DSPFN_KAFKA_HEAP:-512m}" -Xms64m
    # Serial GC: a single small broker on 2 cores gains nothing from G1's
    # background threads and starts faster without them.
    -XX:+UseSerialGC
    -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$DIR/log4j2.properties"
    -Dkafka.logs.dir="$DIR/logs"
  )
  # Word splitting is intended: extra options arrive as one space-separated string.
  # shellcheck disable=SC2206
  [[ -z "${DSPFN_KAFKA_JAVA_OPTS:-}" ]] || JVM+=(${DSPFN_KAFKA_JAVA_OPTS})
  JVM+=(-cp "$LIBS/*")
}

# Launches the JVM from $DIR/server.properties and waits until it answers on $PORT;
# starts the owner watchdog when OWNER_PID is set.
launch_broker() {
  : >"$DIR/kafka.out"
  rm -f "$DIR/kafka.pid"
  # setsid: the broker must outlive this script and must not get the caller's
  # terminal signals; all three fds are redirected so a caller capturing our
  # stdout (child_process) sees EOF as soon as this script exits. The pid is
  # written from inside because setsid forks when it is a group leader, and
  # then $! would be setsid's pid, not the JVM's.
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ >"$1.tmp" && mv "$1.tmp" "$1" && shift && exec "$@"' \
    kafka-launch "$DIR/kafka.pid" java "${JVM[@]}" kafka.Kafka "$DIR/server.properties" \
    </dev/null >>"$DIR/kafka.out" 2>&1 &
  echo "$PORT" >"$DIR/kafka.port"
  local pid=""
  for _ in $(seq 1 100); do
    [[ -s "$DIR/kafka.pid" ]] && { pid="$(cat "$DIR/kafka.pid")"; break; }
    sleep 0.05
  done
  [[ -n "$pid" ]] || { print_failure_logs "$DIR/kafka.out"; die "the broker JVM did not launch"; }

  # Started before the readiness wait, so an owner killed while waiting (e.g.
  # Ctrl-C on vitest) still takes the broker down.
  if [[ -n "$OWNER_PID" ]]; then
    start_watchdog "$OWNER_PID"
  fi
  # A caller that gives up on us (timeout, Ctrl-C) must not leak the broker.
  # `wait` below, unlike a foreground command, lets these traps run at once.
  local probe=""
  trap '[[ -z "$probe" ]] || kill "$probe" 2>/dev/null; stop_watchdog; stop_pid "$pid"; rm -f "$DIR/kafka.pid"; exit 130' INT TERM HUP

  local timeout="${DSPFN_KAFKA_START_TIMEOUT:-90}"
  local rc=0
  # Ready means a real Kafka request (Metadata via kafkajs' listTopics)
  # succeeds, not merely that the port accepts TCP connections.
  (cd "$REPO_ROOT" && exec node -e '
    let Kafka, logLevel;
    try { ({ Kafka, logLevel } = require("kafkajs")); }
    catch { console.error("kafkajs is not installed in " + process.cwd() + ": run npm ci"); process.exit(3); }
    const [broker, pid, timeoutS] = process.argv.slice(1);
    const deadline = Date.now() + Number(timeoutS) * 1000;
    const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
    (async () => {
      while (Date.now() < deadline) {
        if (!alive()) process.exit(2);
        const admin = new Kafka({
          clientId: "dspfn-kafka-ready", brokers: [broker], logLevel: logLevel.NOTHING,
          connectionTimeout: 1000, requestTimeout: 2000, retry: { retries: 0 },
        }).admin();
        try {
          await admin.connect();
          await admin.listTopics();
          await admin.disconnect();
          break;
        } catch {
          await admin.disconnect().catch(() => {});
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      if (Date.now() >= deadline) process.exit(1);
      // Warm-up: the group and transaction coordinators create and load their
      // internal topics on first use, and until then clients get retriable
      // "coordinator is loading" errors that kafkajs logs loudly. Paying that
      // here makes the first test quiet and its timing representative.
      const kafka = new Kafka({
        clientId: "dspfn-kafka-warmup", brokers: [broker], logLevel: logLevel.NOTHING,
        retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      const admin = kafka.admin();
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      try {
        await admin.connect();
        await admin.describeGroups(["dspfn-kafka-warmup"]);
        await producer.connect();
      } catch (e) {
        // Not fatal: the broker answers, and clients retry these errors.
        console.error("kafka.sh: warm-up did not finish: " + e.message);
      }
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
      process.exit(0);
    })();
  ' "127.0.0.1:$PORT" "$pid" "$timeout") &
  probe=$!
  wait "$probe" || rc=$?
  trap - INT TERM HUP

  if ((rc != 0)); then
    local why
    case "$rc" in
      2) why="the broker process exited during startup" ;;
      3) why="cannot check readiness without kafkajs" ;;
      *) why="the broker did not answer on 127.0.0.1:$PORT within ${timeout}s" ;;
    esac
    # server.log last: it holds the cause, kafka.out only JVM-level errors.
    print_failure_logs "$DIR/kafka.out" "$DIR/logs/server.log"
    stop_watchdog
    stop_pid "$pid"
    rm -f "$DIR/kafka.pid"
    die "$why (run dir: $DIR)"
  fi
}

cmd_start() {
  parse_dir_port "$@"
  require_java
  require_node
  cmd_fetch

  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  if [[ -f "$DIR/kafka.pid" ]] && pid_is_our_broker "$(cat "$DIR/kafka.pid")"; then
    die "a broker is already running from $DIR (pid $(cat "$DIR/kafka.pid"), 127.0.0.1:$(cat "$DIR/kafka.port" 2>/dev/null || echo '?')); run: $0 stop --dir $DIR"
  fi

  # A restarted dev broker keeps its address when it can, so clients
  # configured from the last run keep working.
  if [[ -z "$PORT" && -f "$DIR/kafka.port" ]]; then
    local old
    old="$(cat "$DIR/kafka.port")"
    if [[ "$old" =~ ^[0-9]+$ ]] && port_is_free "$old"; then PORT="$old"; fi
  fi
  local cport sasl_port="" ssl_port="" p
  local -a free rest=()
  read -r -a free <<<"$(free_ports 4)"
  if [[ -z "$PORT" ]]; then
    PORT="${free[0]}"
  else
    port_is_free "$PORT" || die "port $PORT on 127.0.0.1 is already in use"
  fi
  # The others, never the one PORT took.
  for p in "${free[@]}"; do [[ "$p" == "$PORT" ]] || rest+=("$p"); done
  cport="${rest[0]}"
  local listeners="PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$cport"
  local advertised="PLAINTEXT://127.0.0.1:$PORT"
  local protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if [[ -n "$TLS_DIR" ]]; then
    sasl_port="${rest[1]}"
    ssl_port="${rest[2]}"
    listeners+=",SASL_SSL://127.0.0.1:$sasl_port,SSL://127.0.0.1:$ssl_port"
    advertised+=",SASL_SSL://127.0.0.1:$sasl_port,SSL://127.0.0.1:$ssl_port"
    protocols+=",SASL_SSL:SASL_SSL,SSL:SSL"
  fi

  mkdir -p "$DIR/data" "$DIR/logs"
  cat >"$DIR/server.properties" <<EOF
# Written by kafka.sh start; rewritten on every start.
process.roles=broker,controller
node.id=1
# A static quorum works the same on every KRaft version and needs no
# --standalone bootstrap at format time.
controller.quorum.voters=1@127.0.0.1:$cport
listeners=$listeners
advertised.listeners=$advertised
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
log.dirs=$DIR/data
num.partitions=1
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# One partition per internal topic instead of 50: creating 50 partitions on
# the first consumer group join costs seconds on a 2-core CI machine, and a
# single broker gains nothing from them.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
# Tests start a group and expect it to consume at once.
group.initial.rebalance.delay.ms=0
EOF
  if [[ -n "$TLS_DIR" ]]; then
    cat >>"$DIR/server.properties" <<EOF
# TLS listeners for security tests; PLAINTEXT stays for everything else (and between the
# broker's own roles). PEM stores: no keytool/JKS step at start-up.
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.ssl.ssl.client.auth=required
EOF
  fi

  cat >"$DIR/log4j2.properties" <<EOF
# Everything goes to a file in the run directory: tests stay quiet, and
# kafka.sh prints the tail when the broker fails to come up.
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $DIR/logs/server.log
appender.file.filePattern = $DIR/logs/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.statechange.name = state.change.logger
logger.statechange.level = warn
EOF

  broker_jvm_options
  local -a jvm=("${JVM[@]}")

  # Formatting an already formatted dir fails, so only a fresh one is
  # formatted; a restarted dev broker keeps its topics.
  if [[ ! -f "$DIR/data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(node "$SCRIPT_DIR/cluster-id.mjs")"
    if ! java "${jvm[@]}" kafka.tools.StorageTool format \
        -t "$cluster_id" -c "$DIR/server.properties" "${SCRAM[@]}" >"$DIR/format.log" 2>&1; then
      print_failure_logs "$DIR/format.log"
      die "formatting KRaft storage in $DIR/data failed"
    fi
  fi

  launch_broker

  if [[ -n "$TLS_DIR" ]]; then
    echo "$sasl_port" >"$DIR/kafka.sasl_ssl.port"
    echo "$ssl_port" >"$DIR/kafka.ssl.port"
    echo "sasl_ssl=127.0.0.1:$sasl_port"
    echo "ssl=127.0.0.1:$ssl_port"
  fi
  echo "127.0.0.1:$PORT"
}

# If the owning process (e.g. a vitest run) dies without calling stop, the
# broker would otherwise live on and hold its ports and memory.
start_watchdog() {
  local owner="$1"
  rm -f "$DIR/watchdog.pid"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c '
    echo $$ >"$4.tmp" && mv "$4.tmp" "$4"
    while kill -0 "$1" 2>/dev/null; do sleep 2; done
    rm -f "$4"
    exec "$2" stop --dir "$3"
  ' kafka-watchdog "$owner" "$SCRIPT_DIR/kafka.sh" "$DIR" "$DIR/watchdog.pid" \
    </dev/null >>"$DIR/watchdog.log" 2>&1 &
  # Wait for the pid file, so a stop issued right after start finds it.
  for _ in $(seq 1 100); do
    [[ -s "$DIR/watchdog.pid" ]] && return 0
    sleep 0.05
  done
  log "warning: the owner watchdog did not start"
}

stop_watchdog() {
  [[ -f "$DIR/watchdog.pid" ]] || return 0
  local wpid
  wpid="$(cat "$DIR/watchdog.pid")"
  # Only our own watchdog is signalled, identified by its argv; it leads its
  # own process group (setsid), so the group kill also ends its `sleep`.
  if [[ "$wpid" =~ ^[0-9]+$ && "$wpid" != "$$" ]] \
      && tr '\0' ' ' <"/proc/$wpid/cmdline" 2>/dev/null | grep -q ' kafka-watchdog '; then
    kill -TERM -- "-$wpid" 2>/dev/null || true
  fi
  rm -f "$DIR/watchdog.pid"
}

# SIGTERM runs Kafka's controlled shutdown; SIGKILL only after it hangs.
stop_pid() {
  local pid="$1" waited=0
  pid_is_our_broker "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 200)); then
      log "broker pid $pid still running after 20s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # After SIGKILL the pid can linger briefly while the kernel reaps it.
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

cmd_stop() {
  parse_dir_port "$@"
  [[ -d "$DIR" ]] || die "no such run directory: $DIR"
  DIR="$(cd "$DIR" && pwd)"

  # The watchdog goes first so it cannot start a second, racing stop.
  stop_watchdog

  if [[ ! -f "$DIR/kafka.pid" ]]; then
    log "no broker running from $DIR"
    return 0
  fi
  local pid
  pid="$(cat "$DIR/kafka.pid")"
  if pid_is_our_broker "$pid"; then
    stop_pid "$pid"
  else
    log "broker pid $pid from $DIR is not running"
  fi
  rm -f "$DIR/kafka.pid"
}

# Fault tests: the broker goes away (SIGTERM, a controlled shutdown) but its directory, ports,
# log dirs and owner watchdog stay, so `restart` brings the same broker back where clients left it.
cmd_halt() {
  parse_dir_port "$@"
  [[ -d "$DIR" ]] || die "no such run directory: $DIR"
  DIR="$(cd "$DIR" && pwd)"
  [[ -f "$DIR/kafka.pid" ]] || { log "no broker running from $DIR"; return 0; }
  stop_pid "$(cat "$DIR/kafka.pid")"
  rm -f "$DIR/kafka.pid"
}

# Starts a halted broker again from its unchanged server.properties (same listeners, same data).
cmd_restart() {
  parse_dir_port "$@"
  [[ -f "$DIR/server.properties" && -f "$DIR/kafka.port" ]] || die "no broker was started in $DIR"
  DIR="$(cd "$DIR" && pwd)"
  if [[ -f "$DIR/kafka.pid" ]] && pid_is_our_broker "$(cat "$DIR/kafka.pid")"; then
    die "the broker in $DIR is running; halt it first"
  fi
  require_java
  require_node
  PORT="$(cat "$DIR/kafka.port")"
  port_is_free "$PORT" || die "port $PORT on 127.0.0.1 is already in use"
  # The watchdog of the first start still watches the owner.
  OWNER_PID=""
  broker_jvm_options
  launch_broker
  echo "127.0.0.1:$PORT"
}

usage() {
  sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

(($#)) || usage
sub="$1"
shift
case "$sub" in
  fetch) (($# == 0)) || die "fetch takes no arguments"; cmd_fetch ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  halt) cmd_halt "$@" ;;
  restart) cmd_restart "$@" ;;
  -h | --help | help) usage 0 ;;
  *) log "unknown command: $sub"; usage ;;
esac
