#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Traffic for the dma example over a TAP interface: send numbered frames
# into the interface (DPDK receives them), read back what DPDK transmits
# on it, and check every frame came back once with its payload intact.
#
# Usage: tap_traffic.py IFACE COUNT
# Prints "sent N received M intact K duplicates D" and exits 0 only if
# every frame came back intact, exactly once.
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETHERTYPE = 0x88B5  # IEEE local experimental: nothing else uses it here
PACKET_OUTGOING = 4


def payload(seq, length):
    """Deterministic bytes for frame seq: the sequence number, then a
    pattern that differs per frame and per byte."""
    head = struct.pack("!II", 0x75647276, seq)
    body = bytes(((seq * 131 + i * 7) & 0xFF) for i in range(length - len(head)))
    return head + body


def frame_length(seq):
    return 60 + (seq * 97) % 1400


def wait_iface(iface, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(f"/sys/class/net/{iface}/operstate") as f:
                flags = open(f"/sys/class/net/{iface}/flags").read()
                if int(flags, 16) & 1:  # IFF_UP
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def main():
    iface, count = sys.argv[1], int(sys.argv[2])
    if not wait_iface(iface, 30):
        print(f"{iface} did not come up")
        return 1
    # Quiet the kernel side: no IPv6 autoconfiguration chatter.
    try:
        with open(f"/proc/sys/net/ipv6/conf/{iface}/disable_ipv6", "w") as f:
            f.write("1")
    except OSError:
        pass
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind((iface, 0))
    sock.setblocking(False)
    src_mac = bytes([0x02, 0x75, 0x64, 0x72, 0x76, 0x01])
    dst_mac = b"\xff" * 6
    received = {}
    bad = 0
    dups = 0

    def drain():
        nonlocal bad, dups
        while True:
            try:
                data, addr = sock.recvfrom(4096)
            except BlockingIOError:
                return
            if addr[2] == PACKET_OUTGOING or len(data) < 22:
                continue
            if struct.unpack("!H", data[12:14])[0] != ETHERTYPE:
                continue
            magic, seq = struct.unpack("!II", data[14:22])
            if magic != 0x75647276 or seq >= count:
                bad += 1
                continue
            want = payload(seq, frame_length(seq))
            if data[14:14 + len(want)] != want:
                bad += 1
            elif seq in received:
                dups += 1
            else:
                received[seq] = True

    for seq in range(count):
        frame = dst_mac + src_mac + struct.pack("!H", ETHERTYPE) + payload(seq, frame_length(seq))
        sock.send(frame)
        if seq % 16 == 15:
            time.sleep(0.002)
            drain()
    end = time.time() + 10
    while len(received) + bad < count and time.time() < end:
        time.sleep(0.05)
        drain()
    print(f"sent {count} received {len(received) + bad + dups} intact {len(received)} "
          f"corrupt {bad} duplicates {dups}")
    missing = [s for s in range(count) if s not in received]
    if missing:
        print(f"missing: {missing[:20]}{' ...' if len(missing) > 20 else ''}")
    return 0 if len(received) == count and bad == 0 and dups == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
