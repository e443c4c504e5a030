#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run one command with PAGES more 2 MiB hugepages reserved and a private
# hugetlbfs mounted on a fresh directory; give everything back afterwards,
# whatever the command did, including the EAL runtime directory.
# In the command's arguments, @HUGEDIR@ becomes the mount point and @PREFIX@
# a file prefix unique to this run, so that runs from several build trees
# can share the machine.
# Usage: with-hugepages.sh PAGES command...
set -u
pages=$1
shift
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
lock=/run/udrv-hugepages.lock
prefix="udrv-$$"
dir=$(mktemp -d /tmp/udrv-huge.XXXXXX) || exit 1
reserved=0

# The pool is shared with anything else running: change it relative to its
# current size, under a lock.
adjust() {
	(
		flock 9
		cur=$(cat "$nr")
		echo $((cur + $1)) > "$nr"
		[ "$(cat "$nr")" -ge $((cur + $1)) ] && exit 0
		echo "$cur" > "$nr"
		exit 1
	) 9>"$lock"
}

cleanup() {
	rm -f "$dir"/* 2>/dev/null
	umount "$dir" 2>/dev/null
	rmdir "$dir" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
	[ "$reserved" = 1 ] && adjust "-$pages"
}
trap cleanup EXIT

if ! adjust "$pages"; then
	echo "with-hugepages: cannot reserve $pages hugepages" >&2
	exit 1
fi
reserved=1
mount -t hugetlbfs -o pagesize=2M nodev "$dir" || exit 1
args=()
for a in "$@"; do
	a=${a//@HUGEDIR@/$dir}
	args+=("${a//@PREFIX@/$prefix}")
done
"${args[@]}"
