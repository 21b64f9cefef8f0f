#!/usr/bin/env python3
"""Answers ICMP echo requests after a delay, for the prober's test where the
kernel has no netem (tests/probe/probe_ns.sh). Run inside a namespace whose
kernel echo is off (net.ipv4.icmp_echo_ignore_all=1): each request to one of
our addresses gets its reply DELAY ms later, from the address it was sent
to, as the kernel would send it.

usage: echo_delay.py DELAY_MS"""
import heapq
import select
import socket
import struct
import sys
import time


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def reply(pkt):
    """The echo reply (IP header included) to one request, or None."""
    hl = (pkt[0] & 0x0F) * 4
    if len(pkt) < hl + 8 or pkt[9] != 1 or pkt[hl] != 8:
        return None
    src, dst = pkt[12:16], pkt[16:20]
    icmp = bytearray(pkt[hl:])
    icmp[0] = 0
    icmp[2:4] = b"\0\0"
    icmp[2:4] = struct.pack("!H", cksum(bytes(icmp)))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1,
                     0, dst, src)
    return bytes(ip) + bytes(icmp), socket.inet_ntoa(src)


def main():
    delay = float(sys.argv[1]) / 1000
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    due = []
    print("ready", flush=True)
    while True:
        wait = max(0.0, due[0][0] - time.monotonic()) if due else 1.0
        if select.select([rx], [], [], wait)[0]:
            r = reply(rx.recv(2048))
            if r is not None:
                heapq.heappush(due, (time.monotonic() + delay, r))
        while due and due[0][0] <= time.monotonic():
            _, (pkt, to) = heapq.heappop(due)
            tx.sendto(pkt, (to, 0))


main()
