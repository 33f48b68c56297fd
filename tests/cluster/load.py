"""The mixed load of the cluster tests and what they share: the stack `deploy/cluster/local/cluster env` describes,
demo people signed in on their own connections, and a record of every request sent (kind, sent, answered, status,
whether it carried Retry-After)."""
import base64
import hashlib
import html
import json
import os
import random
import re
import secrets
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

_getaddrinfo = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: _getaddrinfo("127.0.0.1" if str(host).endswith(".localhost") else host, *a, **k)

APP = os.environ["CW_APP_URL"]
CA = os.environ["CW_CA_FILE"]
SCRIPT = os.environ["CW_CLUSTER_SCRIPT"]
SOCKETS = [os.environ[f"CW_CLUSTER_DB{n}_SOCKET"] for n in (1, 2, 3)]
CLUSTER_DIR = Path(os.environ["CW_CLUSTER_DIR"])
DEMO = json.loads(Path(os.environ["CW_DEMO_JSON"]).read_text())
LOAD_SECONDS = float(os.environ.get("CLUSTER_LOAD_SECONDS", "90"))
THREADS = int(os.environ.get("CLUSTER_THREADS", "64"))
SETTLE_SECONDS = float(os.environ.get("CLUSTER_SETTLE_SECONDS", "10"))
CONFIDENTIAL = DEMO["oauth_clients"]["confidential"]
PUBLIC = DEMO["oauth_clients"]["public"]
REDIRECT = PUBLIC["redirect_uri"]
CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CHECKED_TABLES = ("oauth_grants", "oauth_tokens", "oauth_codes", "data_access_log", "users", "sessions", "enrolments")


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def session():
    s = requests.Session()
    s.trust_env = False
    s.verify = CA
    return s


def sql(node, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={SOCKETS[node - 1]}", "-N", "-B", "catalyst_main",
                          "-e", statement], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def cluster(*args):
    out = subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=300, env=dict(os.environ, CW_SKIP_BUILD="1"))
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


class Record:
    """Every request the load sent: what, when (monotonic), the status (0 for no answer) and Retry-After."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []
        self.access_tokens = []
        self.codes = []

    def add(self, kind, started, ended, status, retry_after):
        with self.lock:
            self.rows.append((kind, started, ended, status, retry_after))


def timed(record, kind, call):
    started = time.monotonic()
    try:
        answer = call()
    except requests.RequestException:
        record.add(kind, started, time.monotonic(), 0, False)
        return None
    record.add(kind, started, time.monotonic(), answer.status_code, "Retry-After" in answer.headers)
    return answer


class Person:
    """A demo student signed in on its own connection, with its own refresh family."""

    def __init__(self, student):
        self.http = session()
        page = self.http.get(APP + "/login", timeout=10).text
        signed = self.http.post(APP + "/login", allow_redirects=False, timeout=10,
                                data={"csrf": CSRF.search(page).group(1), "identifier": student["username"],
                                      "password": student["password"]})
        assert signed.status_code == 303, f"sign-in of {student['username']}: {signed.status_code}"
        self.access = None
        self.refresh = None
        self.refresh_history = []

    def authorize(self, record, first=False):
        verifier = secrets.token_urlsafe(48)
        query = {"response_type": "code", "client_id": CONFIDENTIAL["client_id"], "redirect_uri": REDIRECT,
                 "scope": "openid profile.read student.classes.read offline_access", "state": secrets.token_urlsafe(8),
                 "code_challenge": b64(hashlib.sha256(verifier.encode()).digest()), "code_challenge_method": "S256"}
        answer = timed(record, "authorize", lambda: self.http.get(APP + "/authsso?" + urlencode(query), allow_redirects=False, timeout=15))
        if answer is not None and answer.status_code == 200 and 'id="consent-form"' in answer.text:
            form = answer.text.split('id="consent-form"', 1)[1].split("</form>", 1)[0]
            fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
            answer = timed(record, "consent", lambda: self.http.post(APP + "/authsso", data=dict(fields, decision="approve"),
                                                                     allow_redirects=False, timeout=15))
        if answer is None or answer.status_code != 303:
            assert not first, f"first authorization: {answer and answer.status_code}"
            return
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
        answer = timed(record, "code exchange", lambda: self.http.post(
            APP + "/api/oauth/token", data=form, auth=(CONFIDENTIAL["client_id"], CONFIDENTIAL["client_secret"]), timeout=15))
        if answer is None or answer.status_code != 200:
            assert not first, f"first code exchange: {answer and answer.status_code} {answer and answer.text[:200]}"
            return
        body = answer.json()
        with record.lock:
            record.codes.append((code, verifier))
            record.access_tokens.append(body["access_token"])
        self.access = body["access_token"]
        if self.refresh is None:
            self.refresh = body["refresh_token"]
            self.refresh_history = [self.refresh]

    def rotate(self, record):
        form = {"grant_type": "refresh_token", "refresh_token": self.refresh}
        answer = timed(record, "refresh", lambda: self.http.post(
            APP + "/api/oauth/token", data=form, auth=(CONFIDENTIAL["client_id"], CONFIDENTIAL["client_secret"]), timeout=15))
        if answer is not None and answer.status_code == 200:
            body = answer.json()
            self.refresh = body["refresh_token"]
            self.refresh_history.append(self.refresh)
            self.access = body["access_token"]
            with record.lock:
                record.access_tokens.append(body["access_token"])

    def read_me(self, record):
        token = self.access
        timed(record, "api /me", lambda: self.http.get(APP + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=15))


def client_credentials(http, record):
    answer = timed(record, "client_credentials", lambda: http.post(
        APP + "/api/oauth/token", data={"grant_type": "client_credentials", "scope": "school.read"},
        auth=(CONFIDENTIAL["client_id"], CONFIDENTIAL["client_secret"]), timeout=15))
    if answer is not None and answer.status_code == 200:
        with record.lock:
            record.access_tokens.append(answer.json()["access_token"])


def introspect(http, token, record=None, kind="introspection", hint="access_token"):
    call = lambda: http.post(APP + "/api/oauth/introspect", data={"token": token, "token_type_hint": hint},  # noqa: E731
                             auth=(CONFIDENTIAL["client_id"], CONFIDENTIAL["client_secret"]), timeout=15)
    return timed(record, kind, call) if record else call()



class MixedLoad:
    """CLUSTER_THREADS people, each on its own keep-alive connection through the front nginx, sending a mix of
    client_credentials (30 %), introspection of a token answered earlier (20 %), code flows (12 %), refresh
    rotations (13 %) and /api/v1/me (25 %) until stopped."""

    def __init__(self, threads=THREADS):
        students = DEMO["students"]
        self.people = [Person(students[i % len(students)]) for i in range(threads)]
        self.record = Record()
        for person in self.people:
            person.authorize(self.record, first=True)
        self.baseline_rows = access_log_rows()
        self.record.rows.clear()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._work, args=(p, i), daemon=True) for i, p in enumerate(self.people)]

    def _work(self, person, seed):
        rng = random.Random(seed)
        record = self.record
        while not self.stopping.is_set():
            roll = rng.random()
            if roll < 0.30:
                client_credentials(person.http, record)
            elif roll < 0.50:
                with record.lock:
                    token = rng.choice(record.access_tokens)
                introspect(person.http, token, record)
            elif roll < 0.62:
                person.authorize(record)
            elif roll < 0.75:
                person.rotate(record)
            else:
                person.read_me(record)

    def start(self):
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=60)
        self.ended = time.monotonic()

    def summary(self):
        """Prints the answers by kind; returns (rows, failures, by_kind)."""
        rows = list(self.record.rows)
        failures = [r for r in rows if r[3] not in (200, 303)]
        by_kind = {}
        for kind, _, _, status, _ in rows:
            by_kind.setdefault(kind, {}).setdefault(status, 0)
            by_kind[kind][status] += 1
        seconds = self.ended - self.started
        print(f"\nload: {len(rows)} requests in {seconds:.0f} s over {len(self.people)} connections ({len(rows) / seconds:.0f} req/s)")
        for kind, statuses in sorted(by_kind.items()):
            print(f"  {kind:20} {dict(sorted(statuses.items()))}")
        print(f"failures: {len(failures)} ({100 * len(failures) / max(len(rows), 1):.2f} %), statuses "
              f"{sorted({r[3] for r in failures})}, without Retry-After: {sum(1 for r in failures if not r[4])}")
        return rows, failures, by_kind

    def check_tokens_and_log(self, by_kind):
        """Every access token answered 200 introspects active, every refresh family has one live token (its newest),
        and the data-access log has one row per /api/v1/me answered 200."""
        http = session()
        tokens = list(self.record.access_tokens)
        with ThreadPoolExecutor(16) as pool:
            active = list(pool.map(lambda t: introspect(http, t).json().get("active"), tokens))
        inactive = [t for t, ok in zip(tokens, active) if not ok]
        print(f"access tokens answered 200: {len(tokens)}, introspected inactive: {len(inactive)}")
        assert not inactive

        def live_tokens(person):
            return [t for t in person.refresh_history if introspect(http, t, hint="refresh_token").json().get("active")]

        with ThreadPoolExecutor(16) as pool:
            lives = list(pool.map(live_tokens, self.people))
        broken = [(len(p.refresh_history), len(live)) for p, live in zip(self.people, lives) if live != [p.refresh]]
        print(f"refresh families: {len(self.people)}, with other than one live token (the newest): {len(broken)}")
        assert not broken, broken[:5]

        api_ok = by_kind.get("api /me", {}).get(200, 0)
        api_unanswered = sum(n for status, n in by_kind.get("api /me", {}).items() if status != 200)
        added = access_log_rows() - self.baseline_rows
        print(f"/api/v1/me answered 200: {api_ok}; data-access-log rows added: {added}")
        # A call whose answer was lost with its connection may have logged its read: never fewer rows than answers.
        assert api_ok <= added <= api_ok + api_unanswered

    def check_codes(self):
        """No code gives tokens twice: each one answered 200 is refused when replayed (run last: a replay revokes)."""
        http = session()

        def replay(entry):
            code, verifier = entry
            answer = http.post(APP + "/api/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                                              "redirect_uri": REDIRECT, "code_verifier": verifier},
                               auth=(CONFIDENTIAL["client_id"], CONFIDENTIAL["client_secret"]), timeout=15)
            return answer.status_code == 200

        with ThreadPoolExecutor(16) as pool:
            replayed = sum(pool.map(replay, self.record.codes))
        print(f"codes answered 200: {len(self.record.codes)}, giving tokens again when replayed: {replayed}")
        assert replayed == 0


def access_log_rows():
    return int(sql(2, f"SELECT COUNT(*) FROM data_access_log WHERE client_id = '{CONFIDENTIAL['client_id']}'"))


def checksums_agree():
    sums = {node: sql(node, "CHECKSUM TABLE " + ", ".join(CHECKED_TABLES)) for node in (1, 2, 3)}
    print("CHECKSUM TABLE equal on the three nodes:", sums[1] == sums[2] == sums[3])
    return sums[1] == sums[2] == sums[3]


def node_status(node):
    out = sql(node, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_status')")
    return dict(line.split("\t", 1) for line in out.strip().splitlines())
