"""The php-fpm-style pool: crashes, reloads, drains and database outages, observed through nginx."""
import os
import signal
import socket
import struct
import subprocess
import threading
import time

import requests


class Load:
    """Sequential requests in a background thread, keeping every answer that is not a 200."""

    def __init__(self, stack, site="app", path="/healthz"):
        self.stack, self.url = stack, stack.url(site, path)
        self.ok, self.failures, self._stop = 0, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with self.stack.session() as s:
            while not self._stop.is_set():
                try:
                    response = s.get(self.url, timeout=10)
                except requests.RequestException as error:
                    self.failures.append(repr(error))
                    continue
                if response.status_code == 200:
                    self.ok += 1
                else:
                    # The body tells nginx's own error page from the pool's answer.
                    self.failures.append(f"{response.status_code} {response.text[:120]!r}")

    def __enter__(self):
        self.thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(15)


def start_slow_request(stack, site, milliseconds):
    """Starts a request that holds a worker thread for `milliseconds`; returns the thread and its result box."""
    result = {}

    def slow():
        with stack.session() as s:
            result["response"] = s.get(stack.url(site, f"/internal/test/sleep?ms={milliseconds}"), timeout=20)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.4)
    return thread, result


def fastcgi_request(params):
    """The bytes of one FastCGI responder request (no body), as nginx sends them."""
    def record(kind, content):
        return struct.pack(">BBHHBx", 1, kind, 1, len(content), 0) + content

    def pair(name, value):
        name, value = name.encode(), value.encode()
        return bytes([len(name), len(value)]) + name + value

    encoded = b"".join(pair(n, v) for n, v in params.items())
    return (record(1, struct.pack(">HB5x", 1, 0)) + record(4, encoded) + record(4, b"") + record(5, b""))


def fastcgi_stdout(connection):
    """Reads records until FCGI_END_REQUEST and returns the concatenated FCGI_STDOUT content."""
    data, out = b"", b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            raise AssertionError(f"the worker closed the connection without answering (got {out[:80]!r})")
        data += chunk
        while len(data) >= 8:
            _, kind, _, length, padding = struct.unpack(">BBHHB", data[:7])
            if len(data) < 8 + length + padding:
                break
            content, data = data[8:8 + length], data[8 + length + padding:]
            if kind == 6:
                out += content
            elif kind == 3:
                return out


def test_a_killed_worker_is_replaced_while_nginx_keeps_answering(stack):
    before = stack.worker_pids("app")
    assert len(before) >= 2
    with Load(stack) as load:
        os.kill(before[0], signal.SIGKILL)
        replaced = stack.wait_until(
            lambda: (p := stack.worker_pids("app")) and len(p) == len(before) and before[0] not in p and p,
            what="a replacement worker")
        time.sleep(0.5)
    assert before[0] not in replaced
    assert load.ok > 20
    # A GET that was inside the killed process is sent again by nginx (the socket is listed twice upstream).
    assert load.failures == [], load.failures


def test_sighup_replaces_every_worker_without_dropping_a_request(stack):
    before = set(stack.worker_pids("app"))
    with Load(stack) as load:
        os.kill(stack.supervisor_pid("app"), signal.SIGHUP)
        stack.wait_until(lambda: not (set(stack.worker_pids("app")) & before) and len(stack.worker_pids("app")) == len(before),
                         timeout=60, what="all workers replaced")
        time.sleep(0.5)
    assert load.failures == []
    assert load.ok > 20


def test_a_stopping_worker_finishes_its_in_flight_request(stack, http):
    workers = stack.worker_pids("app")
    thread, result = start_slow_request(stack, "app", 1500)
    for pid in workers:
        os.kill(pid, signal.SIGTERM)
    thread.join(20)
    assert result["response"].status_code == 200
    assert result["response"].json()["slept_ms"] == 1500
    stack.wait_until(lambda: len(set(stack.worker_pids("app")) - set(workers)) == len(workers), what="fresh workers")
    assert http.get(stack.url("app", "/healthz")).status_code == 200


def test_a_connection_taken_as_the_workers_stop_is_still_answered(stack):
    # nginx connects first and writes a moment later. A worker told to stop must answer a connection one of its
    # threads has just taken, however late the request's bytes arrive (within libfcgi's 2 s wait for them).
    workers = stack.worker_pids("app")
    connections = []
    for _ in range(3):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(20)
        connection.connect(str(stack.dir / "sockets" / "app.sock"))
        connections.append(connection)
    time.sleep(0.2)
    for pid in workers:
        os.kill(pid, signal.SIGTERM)
    time.sleep(0.4)
    params = {"REQUEST_METHOD": "GET", "REQUEST_URI": "/livez", "DOCUMENT_URI": "/livez", "QUERY_STRING": "",
              "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_SCHEME": "https", "HTTPS": "on", "SERVER_NAME": "app.localhost",
              "SERVER_PORT": "443", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000", "CONTENT_LENGTH": "",
              "CONTENT_TYPE": "", "REQUEST_ID": "0" * 32, "HTTP_HOST": "app.localhost"}
    try:
        for connection in connections:
            connection.sendall(fastcgi_request(params))
        for connection in connections:
            head = fastcgi_stdout(connection).split(b"\r\n", 1)[0]
            assert head == b"Status: 200 OK", head
    finally:
        for connection in connections:
            connection.close()
    stack.wait_until(lambda: len(set(stack.worker_pids("app")) - set(workers)) == len(workers), what="fresh workers")


def test_a_mariadb_restart_gives_503s_then_recovers_without_touching_the_pools(stack, http):
    pools_before = {site: (stack.supervisor_pid(site), stack.worker_pids(site)) for site in ("app", "developers")}
    subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "shutdown"],
                   check=True, timeout=60)
    try:
        for site in ("app", "developers"):
            down = http.get(stack.url(site, "/healthz"))
            assert down.status_code == 503
            assert down.headers["Retry-After"] == "5"
            assert down.json() == {"database": "down", "site": site, "status": "unavailable"}
        assert http.get(stack.url("app", "/livez")).status_code == 200
    finally:
        started = stack.stack("up")
        assert started.returncode == 0, started.stdout + started.stderr
    for site in ("app", "developers"):
        stack.wait_until(lambda: http.get(stack.url(site, "/healthz")).status_code == 200, what=f"{site} recovery")
    pools_after = {site: (stack.supervisor_pid(site), stack.worker_pids(site)) for site in ("app", "developers")}
    assert pools_after == pools_before


def test_sigterm_to_the_pool_drains_in_flight_requests_and_removes_the_socket(stack, http):
    supervisor = stack.supervisor_pid("developers")
    socket_path = stack.dir / "sockets" / "developers.sock"
    assert socket_path.exists()
    thread, result = start_slow_request(stack, "developers", 1500)
    os.kill(supervisor, signal.SIGTERM)
    thread.join(20)
    try:
        assert result["response"].status_code == 200
        stack.wait_until(lambda: not os.path.exists(f"/proc/{supervisor}"), timeout=40, what="the supervisor to exit")
        assert not socket_path.exists()
        gone = http.get(stack.url("developers", "/livez"))
        assert gone.status_code in (502, 503)
    finally:
        started = stack.stack("up")
        assert started.returncode == 0, started.stdout + started.stderr
    assert http.get(stack.url("developers", "/healthz")).status_code == 200
