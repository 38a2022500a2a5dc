#!/bin/bash
# Entrypoint of the locally built dbaudit/postgres images: a small subset of the
# official postgres image's docker-entrypoint.sh (same variables, same log lines).
#   POSTGRES_USER (postgres)  POSTGRES_PASSWORD  POSTGRES_DB (= user)
#   POSTGRES_INITDB_ARGS  PGDATA  POSTGRES_HOST_AUTH_METHOD (default: the
#   server's password_encryption, i.e. md5 up to 13, scram-sha-256 from 14)
# plus *.sql / *.sh files in /docker-entrypoint-initdb.d, run once at init.
set -euo pipefail

# "docker run IMAGE -c foo=bar" means "postgres -c foo=bar", as upstream.
if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi
[ "$1" = postgres ] || exec "$@"

export PGDATA=${PGDATA:-/var/lib/postgresql/data}
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /run/postgresql
	chown postgres:postgres "$PGDATA" /run/postgresql
	chmod 700 "$PGDATA"
	# Re-run this script as the postgres system user (no gosu in Debian).
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
		echo >&2 "error: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)"
		exit 1
	fi
	pw=()
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		pwfile=$(mktemp)
		printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
		pw=(--pwfile="$pwfile")
	fi
	# shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is word-split on purpose
	initdb --username="$POSTGRES_USER" "${pw[@]}" ${POSTGRES_INITDB_ARGS:-}
	rm -f "${pwfile:-}"
	auth=${POSTGRES_HOST_AUTH_METHOD:-$(postgres -D "$PGDATA" -C password_encryption)}
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

	# Temporary server on the unix socket only, so nothing outside the container
	# (and no TCP health check) can see it before the init is complete.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
	psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres)
	if [ "$POSTGRES_DB" != postgres ]; then
		"${psql[@]}" --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		# shellcheck disable=SC1090
		case "$f" in
		*.sh) echo "running $f"; . "$f" ;;
		*.sql) echo "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
		*.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
