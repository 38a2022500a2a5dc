#!/bin/sh
# mmdebstrap customize hook for dbaudit/mariadb:*; $1 = the finished rootfs.
set -eu
root=$1

# The postinst initialised a datadir; the entrypoint does that at start.
rm -rf "$root"/var/lib/mysql/*

# Debian binds to 127.0.0.1; reverse DNS lookups would only slow logins down.
cat >"$root/etc/mysql/mariadb.conf.d/99-dbaudit.cnf" <<'CNF'
[mariadbd]
bind-address = 0.0.0.0
skip-name-resolve
host-cache-size = 0
CNF

# Only to make the image smaller (the vfs storage driver copies the whole
# rootfs for each new container): drop perl (mariadb-install-db is sh; only
# helper scripts like mysqldumpslow need perl; perl-base stays) and offline
# table tools. mariadb, mariadb-admin, mariadb-dump etc. stay.
chroot "$root" sh -c 'dpkg --purge --force-depends $(dpkg-query -W -f "\${Package} " \
	perl "perl-modules-*" "libperl5*" "libdbi-perl" "libconfig-inifiles-perl")' >/dev/null 2>&1 ||
	{ echo "dpkg --purge failed" >&2; exit 1; }
rm -f "$root"/usr/bin/aria_* "$root"/usr/bin/myisam* "$root"/usr/bin/mariadb-binlog \
	"$root"/usr/bin/mariadb-slap "$root"/usr/bin/mariadb-conv "$root"/usr/bin/innochecksum
