# A throwaway PostgreSQL cluster for tests, sourced by shell tests:
#   pg_start DIR    initdb + pg_ctl start in DIR as the postgres user (the
#                   server refuses root), listening on a Unix socket in DIR
#                   and on 127.0.0.1 at a free port; exports PGHOST, PGPORT,
#                   PG_BIN, PG_DIR. Local socket: trust (setup); 127.0.0.1:
#                   scram-sha-256 passwords (what stations use, via .pgpass).
#                   $PG_OPTS: more server options ("-c name=value ...").
#   pg_stop         fast shutdown; pg_kill: SIGKILL the postmaster.
#   pg_psql SQL     run SQL as the superuser.
pg_bin_dir() {
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

pg_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_as() { # run a command as the postgres user when we are root
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	PG_DIR=$1
	PG_BIN=$(pg_bin_dir) || { echo "pgcluster: no PostgreSQL server installed" >&2; return 1; }
	PGPORT=$(pg_free_port)
	PGHOST=$PG_DIR/sock
	mkdir -p "$PG_DIR/sock" "$PG_DIR/data"
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR"
	chmod 0755 "$PG_DIR"
	# Every folder above must let postgres through.
	d=$PG_DIR
	while [ "$d" != / ]; do d=$(dirname "$d"); [ -x "$d" ] || return 1; done
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync \
		--no-instructions -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log" >&2; return 1; }
	cat >"$PG_DIR/data/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 scram-sha-256
HBA
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PG_DIR/sock -c fsync=off -c max_connections=60 ${PG_OPTS:-}" \
		start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
	export PGHOST PGPORT PG_BIN PG_DIR PG_OPTS=${PG_OPTS:-}
	export PGUSER=postgres PGDATABASE=postgres
}

pg_psql() {
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres -d "${PG_DB:-postgres}" -At -c "$1"
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_kill() {
	local pid
	pid=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -9 "$pid"
	# The postmaster's children notice and exit; wait for the port to free.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1 || return 0
		sleep 0.3
	done
}

pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PG_DIR/sock -c fsync=off -c max_connections=60 ${PG_OPTS:-}" \
		start >/dev/null
}
