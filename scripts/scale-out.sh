#!/usr/bin/env bash
# sohoa on Airflow's CeleryExecutor, every part on this machine: PostgreSQL (metadata database) and Redis (broker)
# from Debian's packages, and from the project's venv the api-server, scheduler, dag-processor, triggerer and N
# Celery workers. What a cluster runs, on one machine (docs/scale-out.md).
#
#   scripts/scale-out.sh up [--workers N]   start (default 2 workers); prints exactly two lines on stdout:
#                                           "api: <base URL>" and "passwords: <simple auth manager's file>"
#   scripts/scale-out.sh down               stop exactly what up started (TERM, then KILL after a timeout)
#   scripts/scale-out.sh status             what runs
#   scripts/scale-out.sh plan [--workers N] the environment (secrets masked) and commands up would use
#   scripts/scale-out.sh secrets            new secrets as KEY=value lines (the .env of docker-compose.yaml)
#
# State (data, logs, pid files, secrets) lives in SOHOA_SCALE_OUT_DIR (default .scale-out/ in the checkout);
# `down` keeps it, so the next `up` finds its database; remove the folder to start afresh. Settings come from
# scripts/scale-out.env, which docker-compose.yaml shares; AIRFLOW__* variables already set in the
# environment win. SOHOA_STOP_TIMEOUT (30 s) is how long `down` waits before it kills, SOHOA_UP_TIMEOUT (600 s)
# how long `up` waits for the cluster to answer.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${SOHOA_SCALE_OUT_DIR:-$REPO/.scale-out}
VENV=${SOHOA_VENV:-$REPO/.venv}
PY=$VENV/bin/python
HELPER=$REPO/scripts/scale_out.py
SETTINGS=$REPO/scripts/scale-out.env
PIDS=$STATE/pids
LOGS=$STATE/logs
STOP_TIMEOUT=${SOHOA_STOP_TIMEOUT:-30}
UP_TIMEOUT=${SOHOA_UP_TIMEOUT:-600}

say() { echo "scale-out: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# --- processes: each service is started as the leader of its own session; everything it forks (Celery's pool,
# the task supervisors, their task processes, OCR workers) stays in that session, which `down` empties.

# field 22 of /proc/PID/stat, counted after the command name, which may hold spaces (Airflow retitles processes)
start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}' || true; }

session_members() { ps -e -o pid=,sid= | awk -v s="$1" '$2 == s {print $1}'; }

# the session of a pid file, if it is still ours: its leader alive with the recorded start time, or gone with
# members left behind (the kernel does not reuse a pid while a session of that id exists)
our_session() {
  local pid started
  read -r pid started < "$1" || return 1
  if [ -e "/proc/$pid" ] && [ "$(start_time "$pid")" != "$started" ]; then
    return 1
  fi
  [ -n "$(session_members "$pid")" ] && echo "$pid"
}

start_service() {  # NAME COMMAND... (output to logs/NAME.log)
  local name=$1
  shift
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid $(start_time "$pid")" > "$PIDS/$name.pid"
  echo "$name" >> "$PIDS/order"
  [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || die "$name (pid $pid) did not get a session of its own"
  say "started $name (pid $pid, log $LOGS/$name.log)"
}

stop_service() {  # NAME: the leader gets TERM (PostgreSQL: INT, its fast shutdown); the session KILL after the timeout
  local name=$1 file=$PIDS/$1.pid sid signal=TERM waited=0
  [ -f "$file" ] || return 0
  if sid=$(our_session "$file"); then
    [ "$name" = postgres ] && signal=INT
    kill -"$signal" "$sid" 2>/dev/null || true
    while [ -n "$(session_members "$sid")" ] && [ "$waited" -lt "$STOP_TIMEOUT" ]; do
      sleep 1
      waited=$((waited + 1))
    done
    local left
    left=$(session_members "$sid")
    if [ -n "$left" ]; then
      say "$name: still running after ${STOP_TIMEOUT}s, killing pid(s) $(echo $left)"
      kill -KILL $left 2>/dev/null || true
      sleep 1
    fi
    say "stopped $name"
  fi
  rm -f "$file"
}

down() {
  [ -d "$PIDS" ] || { say "nothing to stop in $STATE"; return 0; }
  if [ -f "$PIDS/order" ]; then
    local name
    for name in $(tac "$PIDS/order"); do stop_service "$name"; done
  fi
  for file in "$PIDS"/*.pid; do [ -e "$file" ] && stop_service "$(basename "$file" .pid)"; done
  rm -f "$PIDS/order" "$STATE/run.env"
}

status() {
  local file any=1
  for file in "$PIDS"/*.pid; do
    [ -e "$file" ] || continue
    any=0
    local name sid
    name=$(basename "$file" .pid)
    if sid=$(our_session "$file"); then
      echo "$name: running (session $sid, $(session_members "$sid" | wc -l) process(es))"
    else
      echo "$name: not running"
    fi
  done
  [ "$any" -eq 0 ] || echo "nothing started from $STATE"
}

# --- system packages and settings

ensure_packages() {
  local need=()
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
  command -v pg_isready >/dev/null || need+=(postgresql-client)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v redis-cli >/dev/null || need+=(redis-tools)
  [ ${#need[@]} -eq 0 ] && return 0
  say "installing ${need[*]} (Debian packages)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

load_settings() {  # the shared settings (the caller's environment wins), then what this machine fixes
  local key value
  while IFS='=' read -r key value; do
    [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    [ -n "${!key+set}" ] || export "$key=$value"
  done < "$SETTINGS"
  export AIRFLOW_HOME=$STATE/airflow
  export SOHOA_WORK_DIR=$STATE/work
  export AIRFLOW__CORE__DAGS_FOLDER=$REPO/dags
  export AIRFLOW__CORE__PLUGINS_FOLDER=$REPO/plugins
  export AIRFLOW__OPENLINEAGE__TRANSPORT="{\"type\": \"file\", \"log_file_path\": \"$AIRFLOW_HOME/lineage/events.jsonl\", \"append\": true}"
  local db="airflow:$POSTGRES_PASSWORD@127.0.0.1:$PG_PORT/airflow"
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://$db
  export AIRFLOW__CELERY__RESULT_BACKEND=db+postgresql+psycopg2://$db
  export AIRFLOW__CELERY__BROKER_URL=redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/0
  # the campaign store (operators/campaign.py): its own database on the same server, which every task reaches
  export AIRFLOW__SOHOA__CAMPAIGN_DB=postgresql+psycopg2://airflow:$POSTGRES_PASSWORD@127.0.0.1:$PG_PORT/sohoa_campaign
  export AIRFLOW__API__BASE_URL=http://127.0.0.1:$API_PORT
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=$AIRFLOW__API__BASE_URL/execution/
  export PATH=$VENV/bin:$PATH
  # each worker's tasks read their pages on the worker's share of the cores (GNU nproc obeys the OMP_* limits
  # exported above for Tesseract, and would say 1)
  local cores
  cores=$(env -u OMP_THREAD_LIMIT -u OMP_NUM_THREADS nproc)
  SOHOA_WORKERS=${SOHOA_WORKERS:-$(( cores / (WORKERS * AIRFLOW__CELERY__WORKER_CONCURRENCY) ))}
  [ "$SOHOA_WORKERS" -ge 1 ] || SOHOA_WORKERS=1
  export SOHOA_WORKERS
  # a batch is cut into a chunk for every CPU slot (while chunks keep about 10 pages): no worker idles on a small one
  export AIRFLOW__SOHOA__CHUNK_SPREAD=${AIRFLOW__SOHOA__CHUNK_SPREAD:-$(( WORKERS * AIRFLOW__CELERY__WORKER_CONCURRENCY ))}
}

load_secrets() {
  if [ ! -s "$STATE/secrets.env" ]; then
    (umask 077 && "$PY" "$HELPER" secrets > "$STATE/secrets.env.tmp" && mv "$STATE/secrets.env.tmp" "$STATE/secrets.env")
  fi
  set -a
  # shellcheck disable=SC1091
  . "$STATE/secrets.env"
  set +a
}

# one line per Airflow component: its name, then its command, shell-quoted
components() {
  printf 'api-server %s\n' "$(printf '%q ' airflow api-server --host 127.0.0.1 --port "$API_PORT")"
  printf 'scheduler %s\n' "$(printf '%q ' airflow scheduler --skip-serve-logs)"
  printf 'dag-processor %s\n' "$(printf '%q ' airflow dag-processor)"
  printf 'triggerer %s\n' "$(printf '%q ' airflow triggerer --skip-serve-logs)"
  local i
  for i in $(seq 1 "$WORKERS"); do
    printf 'worker-%s %s\n' "$i" "$(printf '%q ' airflow celery worker \
      --queues "$AIRFLOW__OPERATORS__DEFAULT_QUEUE,$AIRFLOW__SOHOA__CPU_QUEUE" \
      --concurrency "$AIRFLOW__CELERY__WORKER_CONCURRENCY" --celery-hostname "sohoa-worker-$i@%h" --skip-serve-logs)"
  done
}

# --- the services

start_postgres() {
  local bin data=$STATE/pg as=()
  bin=$(pg_bin)
  mkdir -p "$data"
  chmod 700 "$data"
  if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root: its own user runs it
    id postgres >/dev/null 2>&1 || die "PostgreSQL needs the user 'postgres' (Debian's postgresql package makes it)"
    chown postgres: "$data"
    as=(setpriv --reuid=postgres --regid=postgres --init-groups --)
    "${as[@]}" test -w "$data" || die "the user postgres cannot reach $data: choose a state folder all users can \
traverse (SOHOA_SCALE_OUT_DIR)"
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    local pw=$STATE/pg.pw
    (umask 077 && printf '%s\n' "$POSTGRES_PASSWORD" > "$pw")
    [ "$(id -u)" -ne 0 ] || chown postgres: "$pw"
    "${as[@]}" "$bin/initdb" -D "$data" -U airflow --pwfile="$pw" --auth=scram-sha-256 -E UTF8 --no-locale \
      >>"$LOGS/postgres.log" 2>&1 || { rm -f "$pw"; die "initdb failed: see $LOGS/postgres.log"; }
    rm -f "$pw"
  fi
  start_service postgres "${as[@]}" "$bin/postgres" -D "$data" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories=
  local tries=0
  until pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || die "PostgreSQL did not start: see $LOGS/postgres.log"
    sleep 1
  done
  local url
  for url in "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" "$AIRFLOW__SOHOA__CAMPAIGN_DB"; do
    "$PY" "$HELPER" database "$url" >&2
  done
}

start_redis() {
  mkdir -p "$STATE/redis"
  (umask 077 && cat > "$STATE/redis/redis.conf" <<EOF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
requirepass $REDIS_PASSWORD
dir "$STATE/redis"
appendonly yes
save ""
daemonize no
EOF
  )
  start_service redis redis-server "$STATE/redis/redis.conf"
  local tries=0
  until [ "$(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || die "Redis did not start: see $LOGS/redis.log"
    sleep 1
  done
}

failed_up() {
  say "up failed; the last lines of each log:"
  local log
  for log in "$LOGS"/*.log; do
    [ -e "$log" ] || continue
    echo "--- $log" >&2
    tail -n 15 "$log" >&2
  done
  down
}

up() {
  [ -x "$PY" ] || die "no venv at $VENV: run make setup first"
  mkdir -p "$PIDS" "$LOGS"
  if [ -f "$STATE/run.env" ]; then
    local file dead=0
    for file in "$PIDS"/*.pid; do [ -e "$file" ] && ! our_session "$file" >/dev/null && dead=1; done
    if [ "$dead" -eq 0 ]; then
      say "already up (scripts/scale-out.sh down stops it)"
      # shellcheck disable=SC1091
      . "$STATE/run.env"
      echo "api: http://127.0.0.1:$API_PORT"
      echo "passwords: $STATE/airflow/simple_auth_manager_passwords.json.generated"
      return 0
    fi
    die "partly running (see scripts/scale-out.sh status): run scripts/scale-out.sh down first"
  fi
  ensure_packages
  load_secrets
  read -r PG_PORT REDIS_PORT API_PORT <<< "$("$PY" "$HELPER" ports 3 | tr '\n' ' ')"
  load_settings
  UP_DONE=0
  trap '[ "$UP_DONE" = 1 ] || failed_up' EXIT
  printf 'WORKERS=%s\nPG_PORT=%s\nREDIS_PORT=%s\nAPI_PORT=%s\n' "$WORKERS" "$PG_PORT" "$REDIS_PORT" "$API_PORT" \
    > "$STATE/run.env"
  mkdir -p "$AIRFLOW_HOME/lineage" "$SOHOA_WORK_DIR"
  start_postgres
  start_redis
  say "migrating the metadata database (log $LOGS/migrate.log)"
  airflow db migrate >>"$LOGS/migrate.log" 2>&1
  "$PY" "$HELPER" init $((WORKERS * AIRFLOW__CELERY__WORKER_CONCURRENCY)) >>"$LOGS/migrate.log" 2>&1
  local name cmd
  while read -r name cmd; do
    eval "start_service $name $cmd"
  done < <(components)
  local passwords=$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated
  say "waiting for the api-server, the scheduler, the DAGs and $WORKERS worker(s)"
  "$PY" "$HELPER" wait "$AIRFLOW__API__BASE_URL" "$passwords" "$WORKERS" "$UP_TIMEOUT" "$PIDS" >&2
  UP_DONE=1
  echo "api: $AIRFLOW__API__BASE_URL"
  echo "passwords: $passwords"
}

plan() {  # what up would run, without starting anything; ports and secrets stand as placeholders
  local name
  for name in POSTGRES_PASSWORD REDIS_PASSWORD AIRFLOW__CORE__FERNET_KEY AIRFLOW__API_AUTH__JWT_SECRET \
              AIRFLOW__API__SECRET_KEY; do
    export "$name=<secret>"
  done
  PG_PORT='<pg-port>' REDIS_PORT='<redis-port>' API_PORT='<api-port>'
  load_settings
  env | grep -E '^(AIRFLOW|SOHOA_|OMP_)' | sed -E 's/^(AIRFLOW_CONN_[A-Z0-9_]*)=.*/\1=<secret>/' | sort | sed 's/^/env /'
  components | sed 's/^/run /'
}

# the whole script is read before it runs (main is called on its last line): editing or updating the checkout
# while `up` waits does not change what it does
main() {
  WORKERS=2
  local command=${1:-}
  [ $# -eq 0 ] || shift
  while [ $# -gt 0 ]; do
    case $1 in
      --workers) WORKERS=${2:?--workers needs a number}; shift 2 ;;
      --workers=*) WORKERS=${1#*=}; shift ;;
      *) usage ;;
    esac
  done
  [[ $WORKERS =~ ^[1-9][0-9]*$ ]] || die "--workers takes a whole number of at least 1, not '$WORKERS'"

  case $command in
    up) up ;;
    down) down ;;
    status) status ;;
    plan) plan ;;
    secrets) "$PY" "$HELPER" secrets ;;
    *) usage ;;
  esac
}

main "$@"; exit $?
