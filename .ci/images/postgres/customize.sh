#!/bin/sh
# mmdebstrap customize hook for dbaudit/postgres:*; $1 = the finished rootfs.
# Everything removed here only makes the image smaller: the vfs storage driver
# copies the whole rootfs for each new container, so size is start-up time.
set -eu
root=$1
v=$(ls "$root/usr/lib/postgresql") # the one major version installed

# The package's postinst created a 'main' cluster; the entrypoint runs initdb.
rm -rf "$root"/etc/postgresql/* "$root"/var/lib/postgresql/*

# Unused at run time: the LLVM JIT (libLLVM + z3; without llvmjit.so the server
# silently runs without JIT) and perl (only Debian's pg_wrapper/pg_ctlcluster
# tools need it; PATH puts the real binaries first). perl-base stays.
rm -rf "$root/usr/lib/postgresql/$v/lib/llvmjit"* "$root/usr/lib/postgresql/$v/lib/bitcode"
chroot "$root" sh -c 'dpkg --purge --force-depends $(dpkg-query -W -f "\${Package} " \
	"libllvm*" "libz3-*" perl "perl-modules-*" "libperl5*")' >/dev/null 2>&1 ||
	{ echo "dpkg --purge failed" >&2; exit 1; }

chroot "$root" install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data
