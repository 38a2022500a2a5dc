#!/bin/bash
# Entrypoint of the locally built dbaudit/mariadb image: a small subset of the
# official mariadb image's docker-entrypoint.sh. Each MARIADB_* variable wins
# over its MYSQL_* twin:
#   MARIADB_ROOT_PASSWORD  MARIADB_ALLOW_EMPTY_ROOT_PASSWORD (MYSQL_ALLOW_EMPTY_PASSWORD)
#   MARIADB_DATABASE  MARIADB_USER  MARIADB_PASSWORD
# plus *.sql / *.sh files in /docker-entrypoint-initdb.d, run once at init.
set -euo pipefail

# "docker run IMAGE --foo" means "mariadbd --foo", as upstream.
if [ "${1:0:1}" = - ]; then set -- mariadbd "$@"; fi
case "$1" in mariadbd | mysqld) ;; *) exec "$@" ;; esac

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$DATADIR" /run/mysqld
	chown mysql:mysql "$DATADIR" /run/mysqld
	# Re-run this script as the mysql system user (no gosu in Debian).
	exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
fi

env2() { # env2 NAME: value of MARIADB_NAME, else MYSQL_NAME, else empty
	local m="MARIADB_$1" y="MYSQL_$1"
	printf '%s' "${!m:-${!y:-}}"
}
sql_str() { # quote a value as an SQL string literal
	local s=${1//\\/\\\\}
	printf "'%s'" "${s//\'/\\\'}"
}
sql_id() { # quote a value as an SQL identifier
	printf '`%s`' "${1//\`/\`\`}"
}

if [ ! -d "$DATADIR/mysql" ]; then
	root_pw=$(env2 ROOT_PASSWORD)
	allow_empty=$(env2 ALLOW_EMPTY_ROOT_PASSWORD)
	allow_empty=${allow_empty:-${MYSQL_ALLOW_EMPTY_PASSWORD:-}}
	database=$(env2 DATABASE) user=$(env2 USER) password=$(env2 PASSWORD)
	if [ -z "$root_pw" ] && [ -z "$allow_empty" ]; then
		echo >&2 "error: set MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD=1)"
		exit 1
	fi
	if [ "$user" = root ]; then
		echo >&2 "error: MYSQL_USER=root is not allowed; use MYSQL_ROOT_PASSWORD"
		exit 1
	fi

	echo "Initializing database files"
	mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve --rpm >/dev/null

	# Temporary server without networking, like upstream; it prints the first
	# "ready for connections", the real server below prints the second one
	# (testcontainers' MySqlContainer waits for both).
	"$@" --skip-networking --socket="$SOCKET" &
	pid=$!
	client=(mariadb --protocol=socket --socket="$SOCKET" -uroot)
	for i in $(seq 120); do
		"${client[@]}" -e 'SELECT 1' >/dev/null 2>&1 && break
		if [ "$i" = 120 ] || ! kill -0 "$pid"; then
			echo >&2 "error: the temporary server did not come up"
			exit 1
		fi
		sleep 0.5
	done

	pw=$(sql_str "$root_pw")
	{
		echo "SET @@SESSION.SQL_LOG_BIN=0;"
		echo "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';"
		echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');"
		echo "SET PASSWORD FOR root@localhost = PASSWORD($pw);"
		echo "CREATE USER root@'%' IDENTIFIED BY $pw;"
		echo "GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;"
		echo "GRANT PROXY ON ''@'%' TO root@'%' WITH GRANT OPTION;"
		echo "SET @@SESSION.SQL_LOG_BIN=1;"
		if [ -n "$database" ]; then
			echo "CREATE DATABASE IF NOT EXISTS $(sql_id "$database");"
		fi
		if [ -n "$user" ] && [ -n "$password" ]; then
			echo "CREATE USER $(sql_str "$user")@'%' IDENTIFIED BY $(sql_str "$password");"
			[ -z "$database" ] || echo "GRANT ALL ON $(sql_id "$database").* TO $(sql_str "$user")@'%';"
		fi
	} | "${client[@]}" --binary-mode

	# The root password is set now.
	[ -z "$root_pw" ] || client+=(--password="$root_pw")
	for f in /docker-entrypoint-initdb.d/*; do
		# shellcheck disable=SC1090
		case "$f" in
		*.sh) echo "running $f"; . "$f" ;;
		*.sql) echo "running $f"; "${client[@]}" ${database:+"$database"} <"$f" ;;
		*.sql.gz) echo "running $f"; gunzip -c "$f" | "${client[@]}" ${database:+"$database"} ;;
		esac
	done

	kill "$pid"
	wait "$pid"
	echo "MariaDB init process done. Ready for start up."
fi

exec "$@"
