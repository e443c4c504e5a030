#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run one command with PAGES more 2 MiB hugepages reserved and a private
# hugetlbfs mounted at DIR; give everything back afterwards, whatever the
# command did, and the EAL runtime directory of file prefix PREFIX.
# Usage: with-hugepages.sh PAGES DIR PREFIX command...
set -u
pages=$1 dir=$2 prefix=$3
shift 3
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
before=$(cat "$nr")

cleanup() {
	rm -f "$dir"/* 2>/dev/null
	umount "$dir" 2>/dev/null
	rmdir "$dir" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
	echo "$before" > "$nr"
}
trap cleanup EXIT

echo $((before + pages)) > "$nr"
if [ "$(cat "$nr")" -lt $((before + pages)) ]; then
	echo "with-hugepages: cannot reserve $pages hugepages" >&2
	exit 1
fi
mkdir -p "$dir"
mount -t hugetlbfs -o pagesize=2M nodev "$dir" || exit 1
"$@"
