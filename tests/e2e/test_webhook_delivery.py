"""Webhook delivery end to end: a developer's endpoint on a local HTTPS receiver gets signed test
pings through the developers pool's cron endpoint (and the `catalystwells webhooks deliver` command); a failing
receiver gets retries further and further apart, a 410 disables the endpoint and mails the developer, a redirect
is a failed attempt that is not followed.

The receiver listens on 127.0.0.1 with a certificate the test stack's dev CA issues here; the test stack allows
private targets and trusts that CA (`[webhooks]` in its config). That private targets are refused otherwise is
tested in Swift (OutboundAddressRuleTests, OutboundHTTPSClientTests), since this stack must allow them.
"""
import http.server
import json
import os
import re
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from portal import csrf_of, post_form, sign_up_verified, wait_for_mail
from test_developer_apps import create_app

SECRET_SHOWN = re.compile(r'id="new-webhook-secret"[^>]*>(?:<[^>]+>)*\s*(whsec_[A-Za-z0-9+/=]+)')


# ----------------------------------------------------------------------------- the receiver

def issue_receiver_certificate(stack, folder):
    """A leaf certificate for 127.0.0.1 from the stack's dev CA (which may only vouch for loopback names)."""
    tls = stack.dir / "tls"
    key, csr, cert, ext = (folder / name for name in ("receiver.key", "receiver.csr", "receiver.pem", "leaf.cnf"))
    ext.write_text("[leaf]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
                   "extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n")
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(key))
    # The CA is name-constrained to localhost and 127/8; OpenSSL checks a host-like CN against the DNS
    # constraint too, so the CN is a localhost name and the address is in the subjectAltName.
    run("req", "-new", "-key", str(key), "-subj", "/CN=webhook-receiver.localhost", "-out", str(csr))
    run("x509", "-req", "-in", str(csr), "-CA", str(tls / "ca.pem"), "-CAkey", str(tls / "ca.key"), "-set_serial",
        "0x" + os.urandom(16).hex(), "-days", "1", "-sha256", "-extfile", str(ext), "-extensions", "leaf", "-out", str(cert))
    return cert, key


class Receiver:
    """An HTTPS server on 127.0.0.1 that records every request. The path picks the answer: /ok 204, /fail 500
    (with a body), /gone 410, /redirect 302 to /ok on the same server."""

    def __init__(self, cert, key):
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.lock:
                    receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                path = self.path.split("?")[0]
                if path.endswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", receiver.url("/ok"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = {"/ok": 204, "/fail": 500, "/gone": 410}.get(path, 404)
                answer = b"" if status == 204 else b"receiver says %d" % status
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"https://127.0.0.1:{self.server.server_address[1]}{path}"

    def received(self, path):
        with self.lock:
            return [r for r in self.requests if r[0] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver(stack, tmp_path_factory):
    cert, key = issue_receiver_certificate(stack, tmp_path_factory.mktemp("receiver"))
    server = Receiver(cert, key)
    yield server
    server.close()


# ----------------------------------------------------------------------------- the platform side

def sql(stack, statement):
    """Runs SQL on the developers database as root over the stack's socket; returns the rows as tab-split lists."""
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "--batch", "--skip-column-names",
         "catalyst_developers", "-e", statement], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines()]


def approved_app(stack, mail_dir, label):
    """A signed-in developer's app, approved. The admin review panel is another issue's work: the approval is
    written straight into the developers database here, as that panel will write it (status, approval time,
    granted scopes)."""
    session, address = sign_up_verified(stack, mail_dir, label)
    app_path = create_app(session, stack, scopes=["openid"])
    app_id = int(app_path.rsplit("/", 1)[1])
    sql(stack, "UPDATE applications SET status = 'approved', approved_at = UTC_TIMESTAMP(6), granted_scopes = requested_scopes, "
               f"version = version + 1 WHERE id = {app_id}")
    return session, address, app_path


def add_endpoint(stack, session, app_path, url, events=("app.approved",)):
    """Creates an endpoint on the portal's webhooks page; returns (endpoint page path, its whsec_ secret)."""
    page = session.get(stack.url("developers", app_path + "/webhooks"))
    answer = session.post(stack.url("developers", app_path + "/webhooks"),
                          data={"url": url, "events": list(events), "csrf": csrf_of(page.text)}, allow_redirects=False)
    assert answer.status_code == 200, answer.text
    secret = SECRET_SHOWN.search(answer.text)
    assert secret, "the new endpoint's secret is shown once"
    endpoint_id = re.search(r'data-endpoint-id="(\d+)"><td><a href="[^"]+">' + re.escape(url) + "<", answer.text).group(1)
    return f"{app_path}/webhooks/{endpoint_id}", secret.group(1)


def ping(stack, session, endpoint_path):
    answer = post_form(session, stack.url("developers", endpoint_path + "/test"), {},
                       page_url=stack.url("developers", endpoint_path))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?done=ping")


def cron_secret(stack):
    return Path(os.environ.get("CW_SECRETS_DIR") or stack.dir / "secrets").joinpath("cron.secret").read_text().strip()


def run_cron(stack):
    """One delivery run through nginx on loopback, as the cron line does."""
    with stack.session() as s:
        answer = s.post(stack.url("developers", "/internal/cron/webhooks"),
                        headers={"Authorization": "Bearer " + cron_secret(stack)})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    summary = answer.json()
    assert set(summary) == {"attempted", "succeeded", "failed", "disabled", "duration_ms"}
    return summary


def endpoint_id(endpoint_path):
    return int(endpoint_path.rsplit("/", 1)[1])


def deliveries(stack, endpoint_path):
    """(status, attempts, seconds from the last attempt's end to the next attempt or None), oldest first."""
    rows = sql(stack, "SELECT status, attempts, TIMESTAMPDIFF(MICROSECOND, updated_at, next_attempt_at) FROM webhook_deliveries "
                      f"WHERE endpoint_id = {endpoint_id(endpoint_path)} ORDER BY id")
    return [(r[0], int(r[1]), None if r[2] == "NULL" else int(r[2]) / 1e6) for r in rows]


def make_due(stack, endpoint_path):
    """Moves the endpoint's pending deliveries' next attempt into the past: the test does not wait out the backoff."""
    sql(stack, "UPDATE webhook_deliveries SET next_attempt_at = '2000-01-01' "
               f"WHERE endpoint_id = {endpoint_id(endpoint_path)} AND status = 'pending'")


# ----------------------------------------------------------------------------- tests

def test_a_test_ping_arrives_signed_and_verifies_with_the_standard_webhooks_library(stack, mail_dir, receiver):
    session, _, app_path = approved_app(stack, mail_dir, "hooks-ok")
    endpoint_path, secret = add_endpoint(stack, session, app_path, receiver.url("/ok"))
    ping(stack, session, endpoint_path)

    summary = run_cron(stack)
    assert summary["attempted"] >= 1 and summary["succeeded"] >= 1

    [(_, headers, body)] = receiver.received("/ok")
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"].startswith("msg_")
    payload = Webhook(secret).verify(body, {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
    assert payload["type"] == "webhook.test"
    assert set(payload) == {"type", "timestamp", "data"} and set(payload["data"]) == {"client_id"}
    with pytest.raises(Exception):
        Webhook("whsec_" + "A" * 43 + "=").verify(body, headers)

    assert deliveries(stack, endpoint_path) == [("succeeded", 1, None)]
    page = session.get(stack.url("developers", endpoint_path)).text
    assert re.search(r'class="delivery-status">succeeded \(HTTP 204\)', page)

    # A redelivery carries the same webhook-id (receivers deduplicate by it).
    delivery_id = re.search(r'data-delivery-id="(\d+)"', page).group(1)
    answer = post_form(session, stack.url("developers", f"{endpoint_path}/deliveries/{delivery_id}/redeliver"), {},
                       page_url=stack.url("developers", endpoint_path))
    assert answer.status_code == 303
    run_cron(stack)
    first, again = receiver.received("/ok")
    assert again[1]["webhook-id"] == first[1]["webhook-id"]
    assert Webhook(secret).verify(again[2], again[1])["type"] == "webhook.test"


def test_a_failing_receiver_is_retried_further_and_further_apart(stack, mail_dir, receiver):
    session, _, app_path = approved_app(stack, mail_dir, "hooks-fail")
    endpoint_path, _ = add_endpoint(stack, session, app_path, receiver.url("/fail"))
    ping(stack, session, endpoint_path)

    gaps = []
    for attempt in (1, 2, 3):
        run_cron(stack)
        [(status, attempts, gap)] = deliveries(stack, endpoint_path)
        assert (status, attempts) == ("pending", attempt)
        gaps.append(gap)
        make_due(stack, endpoint_path)
    # 5 s, 1 min, 5 min, each ±10 % jitter.
    for gap, base in zip(gaps, (5, 60, 300)):
        assert base * 0.9 <= gap <= base * 1.1, gaps
    assert len(receiver.received("/fail")) == 3

    page = session.get(stack.url("developers", endpoint_path)).text
    assert page.count('class="attempt"') == 3
    assert "HTTP 500" in page and "receiver says 500" in page
    assert 'class="next-attempt"' in page
    assert "enabled" in re.search(r'id="endpoint-state">([^<]*)<', page).group(1)


def test_410_gone_disables_the_endpoint_and_mails_the_developer(stack, mail_dir, receiver):
    session, address, app_path = approved_app(stack, mail_dir, "hooks-gone")
    endpoint_path, _ = add_endpoint(stack, session, app_path, receiver.url("/gone"))
    ping(stack, session, endpoint_path)

    summary = run_cron(stack)
    assert summary["disabled"] >= 1
    assert deliveries(stack, endpoint_path) == [("failed", 1, None)]
    page = session.get(stack.url("developers", endpoint_path)).text
    state = re.search(r'id="endpoint-state">([^<]*)<', page).group(1)
    assert state.startswith("disabled") and "410 Gone" in state

    mail = wait_for_mail(mail_dir, address, count=2)[-1]
    assert "was disabled" in mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert receiver.url("/gone") in body and "410 Gone" in body and endpoint_path in body


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(stack, mail_dir, receiver):
    session, _, app_path = approved_app(stack, mail_dir, "hooks-redirect")
    endpoint_path, _ = add_endpoint(stack, session, app_path, receiver.url("/redirect"))
    before = len(receiver.received("/ok"))
    ping(stack, session, endpoint_path)

    run_cron(stack)
    assert len(receiver.received("/redirect")) == 1
    assert len(receiver.received("/ok")) == before, "the redirect's target got nothing"
    [(status, attempts, gap)] = deliveries(stack, endpoint_path)
    assert (status, attempts) == ("pending", 1) and 4.5 <= gap <= 5.5
    page = session.get(stack.url("developers", endpoint_path)).text
    assert "HTTP 302" in page and f"redirect not followed (to {receiver.url('/ok')})" in page


def test_the_cli_delivers_as_the_developers_role(stack, mail_dir, receiver):
    session, _, app_path = approved_app(stack, mail_dir, "hooks-cli")
    endpoint_path, secret = add_endpoint(stack, session, app_path, receiver.url("/ok?cli=1"))
    ping(stack, session, endpoint_path)

    binary = os.environ.get("CW_BIN") or str(stack.dir.parents[1] / ".build" / "release" / "catalystwells")
    config = os.environ.get("CW_CONFIG") or str(stack.dir / "catalystwells.conf")
    out = subprocess.run([binary, "webhooks", "deliver", "--config", config], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["succeeded"] >= 1
    [(_, headers, body)] = receiver.received("/ok?cli=1")
    assert Webhook(secret).verify(body, headers)["type"] == "webhook.test"
    assert deliveries(stack, endpoint_path) == [("succeeded", 1, None)]


def test_the_cron_endpoint_is_not_found_without_its_secret(stack):
    with stack.session() as s:
        assert s.post(stack.url("developers", "/internal/cron/webhooks")).status_code == 404
        assert s.post(stack.url("developers", "/internal/cron/webhooks"),
                      headers={"Authorization": "Bearer " + "0" * 64}).status_code == 404
        assert s.get(stack.url("developers", "/internal/cron/webhooks"),
                     headers={"Authorization": "Bearer " + cron_secret(stack)}).status_code in (404, 405)


def test_a_second_test_ping_waits_for_the_first(stack, mail_dir, receiver):
    session, _, app_path = approved_app(stack, mail_dir, "hooks-busy")
    endpoint_path, _ = add_endpoint(stack, session, app_path, receiver.url("/ok?busy"))
    ping(stack, session, endpoint_path)
    again = post_form(session, stack.url("developers", endpoint_path + "/test"), {}, page_url=stack.url("developers", endpoint_path))
    assert again.status_code == 303 and again.headers["Location"].endswith("?done=ping-waiting")
    assert [status for status, _, _ in deliveries(stack, endpoint_path)] == ["pending"]
    run_cron(stack)
    ping(stack, session, endpoint_path)
