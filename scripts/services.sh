#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 (for `make test` and `make bench`).
#
# Starts whichever is not answering (on a CI machine nothing runs yet), waits until both are
# ready, checks that the `postgres` role can connect over TCP without a password, and creates
# the base database if it is missing.
#
#   scripts/services.sh [DATABASE_NAME]      (default: eduquality)
set -euo pipefail

database=${1:-eduquality}
pg_host=127.0.0.1
pg_port=5432
redis_port=6379

for command in pg_isready pg_ctlcluster psql createdb redis-cli redis-server; do
    if ! command -v "$command" >/dev/null 2>&1; then
        echo "$command not found: install the packages postgresql and redis-server (make test does)" >&2
        exit 1
    fi
done

can_be_root() {
    ((EUID == 0)) || command -v sudo >/dev/null 2>&1
}

as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "Need root (or sudo) to run: $*" >&2
        return 1
    fi
}

wait_for() {  # wait_for DESCRIPTION SECONDS COMMAND...
    local what=$1 seconds=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            echo "$what did not become ready within ${seconds}s" >&2
            return 1
        fi
        sleep 0.5
    done
}

# --- PostgreSQL ----------------------------------------------------------------------------------
pg_version() {  # the newest installed cluster version, e.g. 15
    ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1
}

if ! pg_isready -q -h "$pg_host" -p "$pg_port"; then
    version=$(pg_version)
    if [[ -z $version ]]; then
        # Server packages without a cluster (e.g. it was dropped): create one, in UTF-8.
        server_version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
        if [[ -z $server_version ]]; then
            echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2
            exit 1
        fi
        echo "==> Creating PostgreSQL cluster $server_version/main"
        as_root pg_createcluster --locale=C.UTF-8 --encoding=UTF8 --port="$pg_port" "$server_version" main
        version=$server_version
    fi
    if ! as_root pg_ctlcluster "$version" main status >/dev/null 2>&1; then
        echo "==> Starting PostgreSQL $version/main"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    fi
fi

# --- Redis ---------------------------------------------------------------------------------------
redis_answers() {
    [[ $(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null) == PONG ]]
}

if ! redis_answers; then
    echo "==> Starting Redis on 127.0.0.1:$redis_port"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" \
        --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

# --- wait for both -------------------------------------------------------------------------------
if ! wait_for "PostgreSQL on $pg_host:$pg_port" 60 pg_isready -h "$pg_host" -p "$pg_port"; then
    version=$(pg_version)
    tail -n 20 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
    exit 1
fi
if ! wait_for "Redis on 127.0.0.1:$redis_port" 30 redis_answers; then
    tail -n 20 /var/log/redis/ci.log >&2 || true
    exit 1
fi

# --- the postgres role must connect over TCP without a password ----------------------------------
psql_postgres() {
    psql -h "$pg_host" -p "$pg_port" -U postgres -w -d postgres -v ON_ERROR_STOP=1 -X -q -A -t "$@"
}

if ! error=$(psql_postgres -c "SELECT 1" 2>&1 >/dev/null); then
    if [[ $error == *"password"* || $error == *"pg_hba.conf"* ]] && can_be_root; then
        # A freshly installed Debian cluster asks for a password on TCP. This machine runs the
        # test suite, so let the local postgres role in from the loopback addresses only.
        version=$(pg_version)
        hba=/etc/postgresql/$version/main/pg_hba.conf
        echo "==> Allowing the postgres role to connect from 127.0.0.1/::1 without a password ($hba)"
        # First match wins in pg_hba.conf, so the lines go on top.
        printf '%s\n' \
            "# eduquality make test: the postgres role connects over loopback TCP without a password" \
            "host all postgres 127.0.0.1/32 trust" \
            "host all postgres ::1/128 trust" |
            as_root sh -c 'cat - "$1" >"$1.new" && cat "$1.new" >"$1" && rm -f "$1.new"' sh "$hba"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
        sleep 1
        error=$(psql_postgres -c "SELECT 1" 2>&1 >/dev/null) || {
            echo "Cannot connect to PostgreSQL as postgres@$pg_host:$pg_port: $error" >&2
            exit 1
        }
    else
        echo "Cannot connect to PostgreSQL as postgres@$pg_host:$pg_port: $error" >&2
        echo "make test expects the postgres role to connect from 127.0.0.1 without a password." >&2
        exit 1
    fi
fi

# --- the base database (pytest-django creates test_$database itself) ------------------------------
if [[ $(psql_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$database'") != 1 ]]; then
    echo "==> Creating database $database"
    createdb -h "$pg_host" -p "$pg_port" -U postgres -w -E UTF8 -T template0 --locale=C.UTF-8 "$database"
fi
