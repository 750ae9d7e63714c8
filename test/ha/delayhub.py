#!/usr/bin/env python3
"""A learning Ethernet switch in user space with a delay (and jitter) per port.

Used by the HA lab for inter-zone latency experiments where the kernel has no `netem` qdisc.
Runs inside the lab's switch namespace; every port is a TAP device it creates, which the lab
then moves into a host namespace (the open file descriptor keeps working). Frames leaving
through a port are held for that port's delay (+ uniform jitter), in order (no reordering), so
the round trip between hosts A and B is delay(A) + delay(B) (+ the switch's own ~0.1 ms).

Commands on stdin, one per line, each answered on stdout with `ok <cmd>` (or `error ...`):
  add <tap>                 create a TAP port
  delay <tap> <ms> <jit>    egress delay and jitter of a port (ms, floats)
  down <tap> / up <tap>     pull / plug the port's cable (frames to and from it are dropped)
Exits when stdin closes. Standard library only.
"""
import fcntl
import heapq
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


class Port:
    def __init__(self, name):
        self.name = name
        self.fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(self.fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
        self.delay = 0.0
        self.jitter = 0.0
        self.up = True
        self.last_due = 0.0


def main():
    ports = {}  # name -> Port
    by_fd = {}  # fd -> Port
    macs = {}  # mac -> Port
    queue = []  # (due, seq, port, frame)
    seq = 0
    stdin = sys.stdin.fileno()
    buf = b""

    def reply(text):
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    while True:
        now = time.monotonic()
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        readable, _, _ = select.select([stdin] + list(by_fd), [], [], timeout)
        for fd in readable:
            if fd == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    args = line.decode().split()
                    try:
                        if args[0] == "add":
                            p = Port(args[1])
                            ports[p.name] = p
                            by_fd[p.fd] = p
                        elif args[0] == "delay":
                            p = ports[args[1]]
                            p.delay, p.jitter = float(args[2]) / 1000.0, float(args[3]) / 1000.0
                        elif args[0] in ("down", "up"):
                            ports[args[1]].up = args[0] == "up"
                        else:
                            raise ValueError("unknown command")
                        reply("ok " + line.decode())
                    except Exception as e:  # noqa: BLE001 - report every failure to the lab
                        reply("error %s: %s" % (line.decode(), e))
                continue
            src = by_fd[fd]
            while True:
                try:
                    frame = os.read(fd, 65536)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if not frame or not src.up or len(frame) < 14:
                    continue
                macs[frame[6:12]] = src
                dst = frame[0:6]
                outs = [macs[dst]] if (dst in macs and not dst[0] & 1) else [p for p in ports.values() if p is not src]
                now = time.monotonic()
                for out in outs:
                    if out is src or not out.up:
                        continue
                    due = now + out.delay + (random.uniform(-out.jitter, out.jitter) if out.jitter else 0.0)
                    due = max(due, out.last_due)  # keep order, as a FIFO link does
                    out.last_due = due
                    seq += 1
                    heapq.heappush(queue, (due, seq, out, frame))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            if out.up:
                try:
                    os.write(out.fd, frame)
                except OSError:
                    pass


if __name__ == "__main__":
    main()
