#!/usr/bin/env python3
"""A minimal FastCGI client for bench/profile.sh: sends one request N times, one connection each (as nginx
does without fastcgi_keep_conn), straight to a pool's unix socket, and checks every answer's status.

    fcgi_client.py SOCKET METHOD URI COUNT [--header 'Name: value']... [--body BODY] [--expect 200]

Standard library only. Prints "statuses: 200 x N" and exits non-zero when an answer had another status."""
import argparse
import os
import socket
import struct
import sys


def record(kind, content, request_id=1):
    padding = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", 1, kind, request_id, len(content), padding, 0) + content + b"\0" * padding


def length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def params(pairs):
    return b"".join(length(len(k)) + length(len(v)) + k + v for k, v in pairs)


def request(path, method, uri, headers, body):
    target = uri.split("?", 1)
    # The parameters deploy/nginx/catalystwells-fastcgi-params.conf sends, and the headers wrk sends.
    pairs = [
        (b"GATEWAY_INTERFACE", b"CGI/1.1"), (b"SERVER_SOFTWARE", b"nginx"), (b"REQUEST_METHOD", method.encode()),
        (b"REQUEST_URI", uri.encode()), (b"DOCUMENT_URI", target[0].encode()),
        (b"QUERY_STRING", (target[1] if len(target) > 1 else "").encode()), (b"CONTENT_TYPE", b""),
        (b"CONTENT_LENGTH", str(len(body)).encode() if body else b""), (b"SERVER_PROTOCOL", b"HTTP/1.1"),
        (b"REQUEST_SCHEME", b"https"), (b"HTTPS", b"on"), (b"SERVER_NAME", b"app.localhost"), (b"SERVER_ADDR", b"127.0.0.1"),
        (b"SERVER_PORT", b"443"), (b"REMOTE_ADDR", b"127.0.0.1"), (b"REMOTE_PORT", b"40000"),
        (b"REQUEST_ID", os.urandom(16).hex().encode()), (b"HTTP_PROXY", b""), (b"HTTP_HOST", b"app.localhost"),
    ]
    for header in headers:
        name, value = header.split(":", 1)
        key = name.strip().upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
        pairs = [pair for pair in pairs if pair[0] != key.encode()] + [(key.encode(), value.strip().encode())]
    if body and not any(h.lower().startswith("content-type:") for h in headers):
        pairs = [(k, b"application/x-www-form-urlencoded" if k == b"CONTENT_TYPE" else v) for k, v in pairs]
    message = record(1, struct.pack(">HB5x", 1, 0)) + record(4, params(pairs)) + record(4, b"")
    if body:
        message += record(5, body)
    message += record(5, b"")
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    connection.sendall(message)
    data = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    connection.close()
    out = b""
    while len(data) >= 8:
        _, kind, _, size, padding, _ = struct.unpack(">BBHHBB", data[:8])
        if kind == 6:
            out += data[8:8 + size]
        data = data[8 + size + padding:]
    head = out.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n"):
        if line.lower().startswith("status:"):
            return int(line.split()[1]), out
    return 200, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("method")
    parser.add_argument("uri")
    parser.add_argument("count", type=int)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--body", default="")
    parser.add_argument("--expect", type=int, action="append")
    args = parser.parse_args()
    expected = args.expect or [200]
    statuses = {}
    last = b""
    for _ in range(args.count):
        status, last = request(args.socket, args.method, args.uri, args.header, args.body.encode())
        statuses[status] = statuses.get(status, 0) + 1
    print("statuses: " + ", ".join("%d x %d" % item for item in sorted(statuses.items())))
    if set(statuses) - set(expected):
        print(last[:600].decode("utf-8", "replace"), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
