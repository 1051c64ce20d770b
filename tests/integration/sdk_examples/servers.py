"""Loopback servers for sdk_examples.sh.

A UDP echo responder that delays the answers to datagrams DELAY_FROM ..
DELAY_FROM + DELAY_N - 1 by DELAY_S (the anomaly the ewma example must
find; their wall times are logged), and a TCP sink/source that speaks
the tcpbulk example's protocol: "DOWN\\n" streams bytes until the client
closes, "UP\\n" reads until EOF and answers with the byte count (logged).
A connection closed before any command is a latency handshake.

Usage: servers.py PORTS_FILE LOG_FILE; writes "UDP_PORT TCP_PORT" to
PORTS_FILE once both sockets listen.
"""
import json
import os
import socket
import sys
import threading
import time

DELAY_FROM, DELAY_N, DELAY_S = 30, 5, 0.150
ports_path, log_path = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def log(obj):
    with lock, open(log_path, "a") as f:
        f.write(json.dumps(obj) + "\n")


udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
tcp = socket.socket()
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("127.0.0.1", 0))
tcp.listen(64)


def echo():
    n = 0
    while True:
        data, addr = udp.recvfrom(65535)
        n += 1
        if DELAY_FROM <= n < DELAY_FROM + DELAY_N:
            log({"delayed": n, "wall": time.time()})
            threading.Timer(DELAY_S, udp.sendto, (data, addr)).start()
        else:
            udp.sendto(data, addr)


def serve(c):
    head = b""
    while b"\n" not in head:
        d = c.recv(64)
        if not d:
            c.close()
            return
        head += d
    cmd, rest = head.split(b"\n", 1)
    try:
        if cmd == b"DOWN":
            buf = os.urandom(1 << 16)
            while True:
                c.sendall(buf)
        elif cmd == b"UP":
            n = len(rest)
            while True:
                d = c.recv(1 << 18)
                if not d:
                    break
                n += len(d)
            log({"up": n})
            c.sendall(b"%d\n" % n)
    except OSError:
        pass
    c.close()


threading.Thread(target=echo, daemon=True).start()
with open(ports_path + ".tmp", "w") as f:
    f.write("%d %d\n" % (udp.getsockname()[1], tcp.getsockname()[1]))
os.rename(ports_path + ".tmp", ports_path)
while True:
    conn, _ = tcp.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
