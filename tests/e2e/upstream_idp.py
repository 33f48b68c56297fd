"""The upstream side of the federation tests: the test OpenID provider, the operator CLI, and a visitor who signs in.

- `UpstreamIdP`: deploy/dev/upstream-idp/provider.py (Authlib, not our code) started for one test module on a free
  port, with a certificate from the stack's dev CA, driven through its loopback control API (accounts, clients,
  misbehaviours, counters).
- `cli`: `catalystwells <args> --config $CW_CONFIG`, the operator commands of the contract (`upstream add`, ...),
  with the environment `deploy/dev/stack env` prints.
- `Visitor`: one browser's worth of cookies (requests) walking a federated sign-in step by step: our
  `/login/upstream/<slug>`, the provider's HTML form, and our callback, each answer kept for the assertions.
- `main_sql`: SQL on the main database as root over the stack's socket (the rows a sign-in writes or must not write).
"""
import html
import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

REPO = Path(__file__).resolve().parents[2]
PROVIDER = REPO / "deploy" / "dev" / "upstream-idp" / "provider.py"
SESSION_COOKIE = "__Host-cw_session"
TICKET_COOKIE = "__Host-cw_upstream"
CALLBACK_PATH = "/login/upstream/callback"


# ----------------------------------------------------------------------------- the provider

class UpstreamIdP:
    """One running provider.py; `base_url` is https://127.0.0.1:<port>, realms are issuers under it."""

    def __init__(self, stack, folder):
        self.stack = stack
        folder.mkdir(parents=True, exist_ok=True)
        ready = folder / "ready"
        self.log_path = folder / "provider.log"
        tls = stack.dir / "tls"
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(PROVIDER), "--port", "0", "--ca-cert", str(tls / "ca.pem"), "--ca-key", str(tls / "ca.key"),
             "--state-dir", str(folder), "--ready-file", str(ready)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (ready.exists() and ready.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the upstream test provider did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        self.base_url = ready.read_text().strip()
        self.port = int(self.base_url.rsplit(":", 1)[1])
        self.http = stack.session()

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def issuer(self, realm):
        return f"{self.base_url}/{realm}"

    def control(self, path, body=None):
        if body is None:
            answer = self.http.get(f"{self.base_url}/_control/{path}", timeout=10)
        else:
            answer = self.http.post(f"{self.base_url}/_control/{path}", json=body, timeout=10)
        assert answer.status_code == 200, f"control {path}: {answer.status_code} {answer.text}"
        return answer.json()

    def add_realm(self, name, kind=None, **settings):
        return self.control("realms", dict(settings, name=name, **({"kind": kind} if kind else {})))

    def add_account(self, realm, username, password, **claims):
        """Adds or replaces an account; returns its subject details ({"sub", "oid"})."""
        answer = self.control("accounts", dict(claims, realm=realm, username=username, password=password))
        return answer["accounts"][username]

    def add_client(self, client_id, client_secret, redirect_uris):
        self.control("clients", {"client_id": client_id, "client_secret": client_secret, "redirect_uris": redirect_uris})

    def misbehave(self, realm, mode, **parameters):
        """Queues a misbehaviour for the next request of its kind in `realm`."""
        self.control("mode", dict(parameters, realm=realm, mode=mode))

    def reset(self):
        self.control("reset", {})

    def stats(self, realm):
        return self.control(f"stats?realm={realm}")

    def token_endpoint_ms(self, code):
        return self.control(f"timings?code={code}")["token_endpoint_ms"]


# ----------------------------------------------------------------------------- the operator CLI

def cli_environment(stack):
    """CW_BIN and CW_CONFIG from `deploy/dev/stack env`, defaulting to the stack's own files."""
    binary = os.environ.get("CW_BIN") or str(REPO / ".build" / "release" / "catalystwells")
    config = os.environ.get("CW_CONFIG") or str(stack.dir / "catalystwells.conf")
    return binary, config


def cli(stack, *args, check=True):
    """Runs `catalystwells <args> --config <stack config>`; returns the CompletedProcess."""
    binary, config = cli_environment(stack)
    done = subprocess.run([binary, *args, "--config", config], capture_output=True, text=True, timeout=120)
    if check:
        assert done.returncode == 0, f"catalystwells {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def secret_file(folder, secret):
    path = folder / f"client-secret-{secrets.token_hex(4)}"
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return path


# ----------------------------------------------------------------------------- the database

def main_sql(stack, statement):
    """Runs SQL on the main database as root over the stack's socket; returns the rows as lists of strings."""
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "--batch", "--skip-column-names",
         "catalyst_main", "-e", statement], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines()]


def links_of(stack, slug):
    """{subject: user id} of the upstream_links rows of provider `slug`."""
    rows = main_sql(stack, "SELECT l.subject, l.user_id FROM upstream_links l JOIN upstream_providers p ON p.id = l.provider_id "
                           f"WHERE p.slug = '{slug}'")
    return {subject: int(user) for subject, user in rows}


def all_links_count(stack):
    return int(main_sql(stack, "SELECT COUNT(*) FROM upstream_links")[0][0])


def users_count(stack):
    return int(main_sql(stack, "SELECT COUNT(*) FROM users")[0][0])


# ----------------------------------------------------------------------------- the visitor

H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
# The contract's `<p class="error">`: a paragraph whose classes include "error" (what `p.error` selects).
ERROR = re.compile(r'<p class="(?:[^"]* )?error(?: [^"]*)?"[^>]*>(.*?)</p>', re.S)
FORM_ACTION = re.compile(r'<form id="upstream-signin" method="post" action="([^"]+)"')


def text_of(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


@dataclass
class Answer:
    """One HTTP answer as the assertions need it."""

    status: int
    location: str | None
    set_cookies: list
    body: str
    url: str

    @property
    def h1(self):
        found = H1.search(self.body)
        return text_of(found.group(1)) if found else None

    @property
    def error(self):
        found = ERROR.search(self.body)
        return text_of(found.group(1)) if found else None

    def sets_cookie(self, name):
        """Whether the answer sets `name` to a value (a deletion, empty value or Max-Age=0, does not count)."""
        for line in self.set_cookies:
            cookie_name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if cookie_name.strip() == name and value and "max-age=0" not in line.lower().replace(" ", ""):
                return True
        return False


def answer_of(response):
    return Answer(response.status_code, response.headers.get("Location"), response.raw.headers.getlist("Set-Cookie"),
                  response.text, response.url)


class Visitor:
    """One browser's cookies, driving a federated sign-in with plain HTTP (every redirect looked at, none followed)."""

    def __init__(self, stack):
        self.stack = stack
        self.http = stack.session()
        self.answers = []

    def get(self, url, **kwargs):
        answer = answer_of(self.http.get(url, allow_redirects=False, timeout=30, **kwargs))
        self.answers.append(answer)
        return answer

    def post(self, url, data, **kwargs):
        answer = answer_of(self.http.post(url, data=data, allow_redirects=False, timeout=30, **kwargs))
        self.answers.append(answer)
        return answer

    def app(self, path):
        return self.stack.app_url + path

    def start(self, slug, next_path=None, login_hint=None):
        """GET /login/upstream/<slug>: must answer 303 to the provider; returns that answer."""
        params = {k: v for k, v in (("next", next_path), ("login_hint", login_hint)) if v is not None}
        answer = answer_of(self.http.get(self.app(f"/login/upstream/{slug}"), params=params, allow_redirects=False, timeout=30))
        self.answers.append(answer)
        return answer

    def at_provider(self, authorize_url, username, password, deny=False):
        """Opens the provider's authorize page and submits its form; returns the provider's answer (302 to our
        callback, or the page again)."""
        page = self.get(authorize_url)
        if page.status == 302:  # the provider answered at once (a queued authorize_error)
            return page
        assert page.status == 200, f"the provider's authorize page answered {page.status}: {page.body[:500]}"
        action = FORM_ACTION.search(page.body)
        assert action, f"no sign-in form on the provider's page: {page.body[:500]}"
        target = urljoin(authorize_url, html.unescape(action.group(1)))
        return self.post(target, {"username": username, "password": password, "action": "deny" if deny else "sign-in"})

    def callback(self, url):
        """GET of our callback URL (as the provider's redirect gave it)."""
        assert urlsplit(url).path == CALLBACK_PATH, f"the provider redirected elsewhere: {url}"
        return self.get(url)

    def sign_in(self, slug, username, password, next_path=None, deny=False):
        """The whole round trip; returns our callback's answer (the provider's redirect is in `self.redirect`)."""
        started = self.start(slug, next_path)
        assert started.status == 303, f"/login/upstream/{slug} answered {started.status}: {started.body[:500]}"
        assert started.sets_cookie(TICKET_COOKIE), f"no {TICKET_COOKIE} cookie: {started.set_cookies}"
        at_provider = self.at_provider(started.location, username, password, deny=deny)
        assert at_provider.status == 302, f"the provider answered {at_provider.status}: {at_provider.body[:500]}"
        self.redirect = at_provider.location
        return self.callback(at_provider.location)

    def has_session(self):
        return any(cookie.name == SESSION_COOKIE for cookie in self.http.cookies)

    def cookie(self, name):
        return next((c.value for c in self.http.cookies if c.name == name), None)
