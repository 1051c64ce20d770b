#!/usr/bin/env python3
"""webhook_receiver.py PORT LOG SCRIPT - a webhook receiver for the tests.

Listens on 127.0.0.1:PORT; each request is logged to LOG as one JSON line
{"n", "path", "headers", "body", "answer"}.  SCRIPT says how to answer the
requests in turn, comma-separated, the last one repeating:
  200, 500, 400...   that HTTP status
  slow:S             wait S seconds, then 200 (the client times out first)
  garbage            send bytes that are not HTTP and close
"""
import json
import socket
import sys
import threading
import time

port, log, script = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
lock = threading.Lock()
count = [0]


def read_request(c):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = c.recv(65536)
        if not chunk:
            break
        body += chunk
    return method, path, headers, body


def serve(c):
    try:
        req = read_request(c)
        if req is None:
            return
        method, path, headers, body = req
        with lock:
            i = count[0]
            count[0] += 1
        answer = script[min(i, len(script) - 1)]
        with lock, open(log, "a") as f:
            f.write(json.dumps({"n": i, "method": method, "path": path,
                                "headers": headers,
                                "body": body.decode("utf-8", "replace"),
                                "answer": answer, "t": time.time()}) + "\n")
        if answer == "garbage":
            c.sendall(b"\x00\x01garbage, not HTTP\r\n\r\n")
            return
        if answer.startswith("slow:"):
            time.sleep(float(answer[5:]))
            answer = "200"
        msg = b"ok\n"
        c.sendall(b"HTTP/1.1 %s X\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (answer.encode(), len(msg),
                                                    msg))
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
