#!/usr/bin/env python3
"""Captures FastCGI byte streams exactly as nginx sends them to a pool, for the fuzz-fastcgi seed corpus.

Starts a throwaway nginx (the repository's catalystwells-fastcgi-params.conf, as the real sites include it)
that passes to a unix socket this script listens on, sends a few typical requests with curl, and writes each
connection's bytes to fuzz/corpus/fuzz-fastcgi/nginx-<name>. Run it from anywhere; it needs nginx and curl.

    python3 fuzz/tools/capture_fastcgi.py [port]
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "fuzz", "corpus", "fuzz-fastcgi")
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 19080

REQUESTS = [
    ("get-login", ["-H", "Cookie: __Host-cw_form=abc123; theme=dark", "/login?next=%2Fstudent&x=a+b"]),
    ("post-login-form", ["--data", "csrf=Zm9v&email=ann%40example.org&password=p%C3%A4ss+word", "/login"]),
    ("post-token-basic", ["-u", "cw_client_1:cw_cs_secret", "--data",
                          "grant_type=authorization_code&code=cw_ac_x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier=" + "a" * 43,
                          "/api/oauth/token"]),
    ("post-roster-multipart", ["-F", "csrf=Zm9v", "-F", "files=@-;filename=users.csv;type=text/csv", "/school/roster"]),
    ("post-attendance-json", ["-H", "Content-Type: application/json", "-H", "Authorization: Bearer cw_at_abc",
                              "--data", '{"date":"2026-03-02","marks":[{"student_id":7,"status":"present"}]}',
                              "/api/v1/classes/3/attendance"]),
    ("get-userinfo-headers", ["-H", "Authorization: Bearer cw_at_abc", "-H", "Accept-Language: de-CH, en;q=0.5",
                              "-H", "Sec-Fetch-Site: same-origin", "/api/oauth/userinfo"]),
]
STDIN_FOR = {"post-roster-multipart": b"sourcedId,givenName\r\nu1,Ann\r\n"}


def serve(listener, captured, count):
    for _ in range(count):
        connection, _ = listener.accept()
        data = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
            if ended(data):
                break
        captured.append(data)
        body = b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok"
        reply = struct.pack(">BBHHBB", 1, 6, 1, len(body), 0, 0) + body
        reply += struct.pack(">BBHHBB", 1, 6, 1, 0, 0, 0)
        reply += struct.pack(">BBHHBB", 1, 3, 1, 8, 0, 0) + bytes(8)
        connection.sendall(reply)
        connection.close()


def ended(data):
    """Whether the stream holds the empty FCGI_STDIN record that ends a request."""
    offset = 0
    while offset + 8 <= len(data):
        _, kind, _, length, padding, _ = struct.unpack(">BBHHBB", data[offset:offset + 8])
        if kind == 5 and length == 0:
            return True
        offset += 8 + length + padding
    return False


def main():
    work = tempfile.mkdtemp(prefix="cw-capture-")
    sock = os.path.join(work, "pool.sock")
    params = os.path.join(REPO, "deploy", "nginx", "catalystwells-fastcgi-params.conf")
    with open(os.path.join(work, "nginx.conf"), "w") as conf:
        conf.write(f"""
daemon off; master_process off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/error.log;
events {{}}
http {{
  access_log off; client_body_temp_path {work}/body; fastcgi_temp_path {work}/fastcgi;
  proxy_temp_path {work}/proxy; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
  server {{
    listen 127.0.0.1:{PORT}; server_name app.localhost; client_max_body_size 20m;
    location / {{ fastcgi_pass unix:{sock}; include {params}; }}
  }}
}}
""")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock)
    listener.listen(8)
    captured = []
    thread = threading.Thread(target=serve, args=(listener, captured, len(REQUESTS)), daemon=True)
    thread.start()
    nginx = subprocess.Popen(["nginx", "-e", f"{work}/error.log", "-p", work, "-c", f"{work}/nginx.conf"])
    try:
        import time
        time.sleep(0.5)
        os.makedirs(OUT, exist_ok=True)
        for name, arguments in REQUESTS:
            *options, path = arguments
            subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-H", "Host: app.localhost", *options, f"http://127.0.0.1:{PORT}{path}"],
                input=STDIN_FOR.get(name, b""), check=True)
        thread.join(timeout=10)
        for (name, _), data in zip(REQUESTS, captured):
            with open(os.path.join(OUT, f"nginx-{name}"), "wb") as out:
                out.write(data)
            print(f"nginx-{name}: {len(data)} bytes")
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
