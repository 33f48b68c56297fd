"""End-to-end fixtures: the stack that `make test` started (tests/run-all.sh), reached through nginx over TLS.

The stack is described by the variables `deploy/dev/stack env` prints (CW_STACK_DIR, CW_APP_URL, ...).
Without them every test fails with a message: these tests never skip silently.
"""
import os
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]

_original_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    # Browsers resolve *.localhost to loopback (RFC 6761); Python's resolver does not, so do it here.
    if isinstance(host, str) and (host == "localhost" or host.endswith(".localhost")):
        host = "127.0.0.1"
    return _original_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_getaddrinfo


class Stack:
    def __init__(self):
        missing = [v for v in ("CW_STACK_DIR", "CW_APP_URL", "CW_DEVELOPERS_URL", "CW_CA_FILE") if not os.environ.get(v)]
        if missing:
            raise RuntimeError(f"{', '.join(missing)} not set: run the end-to-end tests through `make test`")
        self.dir = Path(os.environ["CW_STACK_DIR"])
        self.app_url = os.environ["CW_APP_URL"]
        self.developers_url = os.environ["CW_DEVELOPERS_URL"]
        self.ca_file = os.environ["CW_CA_FILE"]
        self.https_port = int(self.app_url.rsplit(":", 1)[1])
        self.http_port = int(os.environ.get("CW_HTTP_PORT", "18080"))
        self.mariadb_socket = os.environ.get("CW_MARIADB_SOCKET", str(self.dir / "mariadb" / "mysqld.sock"))

    def url(self, site, path):
        return (self.app_url if site == "app" else self.developers_url) + path

    def session(self):
        s = requests.Session()
        # Ignore REQUESTS_CA_BUNDLE and proxy variables from the environment: they would replace the dev CA.
        s.trust_env = False
        s.verify = self.ca_file
        return s

    def supervisor_pid(self, site):
        return int((self.dir / "run" / f"{site}.pid").read_text().strip())

    def worker_pids(self, site):
        out = subprocess.run(["pgrep", "-P", str(self.supervisor_pid(site))], capture_output=True, text=True)
        return sorted(int(p) for p in out.stdout.split())

    def stack(self, *args, timeout=300):
        env = dict(os.environ, CW_SKIP_BUILD="1")
        return subprocess.run([str(REPO / "deploy" / "dev" / "stack"), *args], env=env, capture_output=True,
                              text=True, timeout=timeout)

    def raw_get(self, host, target, headers=b""):
        """GET exactly `target` (no client-side re-encoding) over TLS; returns (status, headers, body)."""
        context = ssl.create_default_context(cafile=self.ca_file)
        with socket.create_connection(("127.0.0.1", self.https_port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(b"GET " + target.encode("latin-1") + b" HTTP/1.1\r\nHost: " + host.encode()
                            + b"\r\nConnection: close\r\n" + headers + b"\r\n")
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), fields, body

    def wait_until(self, predicate, timeout=30.0, interval=0.2, what="condition"):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = predicate()
                if last:
                    return last
            except Exception as error:  # noqa: BLE001 - keep polling through transient failures
                last = error
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


@pytest.fixture(scope="session")
def stack():
    return Stack()


@pytest.fixture()
def http(stack):
    with stack.session() as s:
        yield s


# School accounts: the demo school's sign-ins, the folder outgoing mail lands in, and a browser. Like the
# servers, both files come from `deploy/dev/stack env` (CW_DEMO_JSON, CW_MAIL_DIR), defaulting to the stack's
# own folder; a missing file fails the tests.
import json  # noqa: E402 - kept with the fixtures that use them
from urllib.parse import urlsplit  # noqa: E402

@pytest.fixture(scope="session")
def demo(stack):
    path = Path(os.environ.get("CW_DEMO_JSON") or stack.dir / "demo.json")
    if not path.is_file():
        raise RuntimeError(f"{path} missing: the stack writes the demo sign-ins there (`deploy/dev/stack up`)")
    document = json.loads(path.read_text())
    import two_step

    for admin in (document["school_admin"], document["platform_admin"]):
        if admin.get("totp_secret"):
            two_step.register([admin.get("email"), admin.get("username")], admin["totp_secret"])
    return document


@pytest.fixture(scope="session")
def mail_dir(stack):
    path = Path(os.environ.get("CW_MAIL_DIR") or stack.dir / "mail")
    if not path.is_dir():
        raise RuntimeError(f"{path} missing: the stack's sendmail stand-in writes outgoing mail there")
    return path


@pytest.fixture(scope="module")
def chromium(stack):
    """One headless Chromium per test module (starting one takes about a second)."""
    from browser import start_chromium, verified_server_pin

    host = urlsplit(stack.app_url).hostname
    driver = start_chromium([verified_server_pin(host, stack.https_port, stack.ca_file)])
    yield driver
    driver.quit()


@pytest.fixture()
def browser(stack, chromium):
    """The module's Chromium with no cookies: every test starts as a new visitor."""
    from browser import Browser

    page = Browser(chromium, stack.app_url)
    page.reset()
    return page


# OAuth: the provider as a client discovers it, and the demo clients `demo load` registers (demo.json's
# `oauth_clients`). See oauth_client.py.
@pytest.fixture(scope="session")
def oauth(stack):
    from oauth_client import Provider

    return Provider(stack)


@pytest.fixture(scope="session")
def confidential_client(demo):
    from oauth_client import demo_client

    return demo_client(demo, "confidential")


@pytest.fixture(scope="session")
def public_client(demo):
    from oauth_client import demo_client

    return demo_client(demo, "public")


# On a failure, the servers' own account of the test: the warnings and errors the pools, nginx and MariaDB
# wrote while it ran, added to the failure report (CI shows the report, not the stack's log files).
_SERVER_LOGS = ("logs/app.log", "logs/developers.log", "nginx/logs/error.log", "logs/mariadb.err")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    stack_dir = os.environ.get("CW_STACK_DIR")
    if stack_dir:
        item._cw_log_offsets = {
            name: (Path(stack_dir) / name).stat().st_size if (Path(stack_dir) / name).exists() else 0
            for name in _SERVER_LOGS}
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    offsets = getattr(item, "_cw_log_offsets", None)
    if report.when != "call" or not report.failed or not offsets:
        return
    stack_dir = Path(os.environ["CW_STACK_DIR"])
    for name, offset in offsets.items():
        path = stack_dir / name
        if not path.exists():
            continue
        with path.open("rb") as log:
            log.seek(offset)
            lines = log.read(200_000).decode("utf-8", "replace").splitlines()
        notable = [line for line in lines
                   if any(word in line for word in (" warning ", " error ", " critical ", '"level":"warning"', '"level":"error"',
                                                    '"level":"critical"', "[warn]", "[error]", "[crit]", "[ERROR]"))]
        if notable:
            report.sections.append((f"server log {name}", "\n".join(notable[-40:])))
