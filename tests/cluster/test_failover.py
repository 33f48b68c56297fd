"""Failover of the local cluster (issue 18): the writer database node killed under mixed load, and restarted.

Run by `make test-cluster` (tests/cluster/run.sh), which brings up `deploy/cluster/local/cluster` and passes its
`env`. Mixed load through the front nginx (both app hosts) for CLUSTER_LOAD_SECONDS (90) over CLUSTER_THREADS
(64) keep-alive connections: client_credentials, introspection, code exchange (authorization + token), refresh
rotation and `/api/v1/me` (an education API read, logged per person). At a third of the run db1, HAProxy's
writer, is killed with SIGKILL; at two thirds it is started again. Then:
- failures: at most 1 % of requests, each a 503 with Retry-After (no 500, no reset); none answered before the kill,
  none sent later than 5 s after it, none sent after the restart later than the node's Synced + CLUSTER_SETTLE_SECONDS;
- the first 200 after the kill within 5 s;
- every access token answered 200 introspects active, every refresh family has exactly one live refresh token;
- no authorization code gives tokens twice (each code answered 200 is refused when replayed, at the end);
- one data-access-log row per `/me` answered 200;
- CHECKSUM TABLE equal on the three nodes; db1 rejoined by IST, not by a full state transfer.
The figures are printed (pytest -s shows them) for the note.
"""
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


def node_log_size():
    return (CLUSTER_DIR / "db1" / "mariadb.err").stat().st_size


def test_the_writer_killed_and_restarted_under_mixed_load():
    students = DEMO["students"]
    people = [Person(students[i % len(students)]) for i in range(THREADS)]
    record = Record()
    for person in people:
        person.authorize(record, first=True)
    baseline_rows = int(sql(1, f"SELECT COUNT(*) FROM data_access_log WHERE client_id = '{CONFIDENTIAL['client_id']}'"))
    record.rows.clear()
    stop = threading.Event()
    start = time.monotonic()

    def work(person, seed):
        rng = random.Random(seed)
        while not stop.is_set():
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

    threads = [threading.Thread(target=work, args=(p, i), daemon=True) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS / 3)
    killed_at = time.monotonic()
    cluster("db-kill", "1")
    time.sleep(max(0.0, start + 2 * LOAD_SECONDS / 3 - time.monotonic()))
    log_offset = node_log_size()
    restarted_at = time.monotonic()
    cluster("db-start", "1")
    synced_at = time.monotonic()
    time.sleep(max(0.0, start + LOAD_SECONDS - time.monotonic()))
    stop.set()
    for t in threads:
        t.join(timeout=60)
    ended = time.monotonic()

    rows = list(record.rows)
    total = len(rows)
    failures = [r for r in rows if not (r[3] in (200, 303) or (r[0] == "authorize" and r[3] == 200))]
    first_ok_after_kill = min((r[2] for r in rows if r[1] >= killed_at and r[3] in (200, 303)), default=None)
    # A request in flight when the writer dies fails with it: the kill's window holds every failure answered
    # after the kill and sent before the restart.
    before_kill = [r for r in failures if r[2] < killed_at]
    kill_window = [r for r in failures if r[2] >= killed_at and r[1] < restarted_at]
    restart_window = [r for r in failures if r[1] >= restarted_at]
    last_sent = max((r[1] for r in kill_window), default=killed_at) - killed_at
    last_answered = max((r[2] for r in kill_window), default=killed_at) - killed_at
    restart_blip = max((r[1] for r in restart_window), default=restarted_at) - restarted_at
    by_kind = {}
    for kind, _, _, status, _ in rows:
        by_kind.setdefault(kind, {}).setdefault(status, 0)
        by_kind[kind][status] += 1
    print(f"\nload: {total} requests in {ended - start:.0f} s over {THREADS} connections ({total / (ended - start):.0f} req/s)")
    for kind, statuses in sorted(by_kind.items()):
        print(f"  {kind:20} {dict(sorted(statuses.items()))}")
    print(f"failures: {len(failures)} ({100 * len(failures) / max(total, 1):.2f} %), statuses "
          f"{sorted({r[3] for r in failures})}, without Retry-After: {sum(1 for r in failures if not r[4])}")
    print(f"before the kill: {len(before_kill)}; from the kill: {len(kill_window)}, the last sent {last_sent:.2f} s "
          f"and answered {last_answered:.2f} s after it; first 200 after the kill: "
          f"{'none' if first_ok_after_kill is None else f'{first_ok_after_kill - killed_at:.2f} s'}")
    print(f"db1 restarted and Synced in {synced_at - restarted_at:.1f} s; failures from the restart on: "
          f"{len(restart_window)}, the last sent {restart_blip:.2f} s after the restart began")

    assert first_ok_after_kill is not None and first_ok_after_kill - killed_at <= 5.0
    assert len(failures) <= 0.01 * total, f"{len(failures)} of {total} failed"
    assert all(r[3] == 503 and r[4] for r in failures), sorted({(r[0], r[3], r[4]) for r in failures})
    assert not before_kill, before_kill[:5]
    assert last_sent <= 5.0, f"a request sent {last_sent:.1f} s after the kill still failed"
    assert restart_blip <= synced_at - restarted_at + SETTLE_SECONDS, f"failures {restart_blip:.1f} s after the restart"

    http = session()
    with ThreadPoolExecutor(16) as pool:
        active = list(pool.map(lambda t: introspect(http, t).json().get("active"), record.access_tokens))
    inactive = [t for t, ok in zip(record.access_tokens, active) if not ok]
    print(f"access tokens answered 200: {len(record.access_tokens)}, introspected inactive: {len(inactive)}")
    assert not inactive

    def live_tokens(person):
        return [t for t in person.refresh_history if introspect(http, t, hint="refresh_token").json().get("active")]

    with ThreadPoolExecutor(16) as pool:
        lives = list(pool.map(live_tokens, people))
    broken = [(len(p.refresh_history), len(live)) for p, live in zip(people, lives) if live != [p.refresh]]
    print(f"refresh families: {len(people)}, with other than one live token (the newest): {len(broken)}")
    assert not broken, broken[:5]

    api_ok = by_kind.get("api /me", {}).get(200, 0)
    rows_now = int(sql(2, f"SELECT COUNT(*) FROM data_access_log WHERE client_id = '{CONFIDENTIAL['client_id']}'"))
    print(f"/api/v1/me answered 200: {api_ok}; data-access-log rows added: {rows_now - baseline_rows}")
    assert rows_now - baseline_rows >= api_ok

    sums = {}
    for node in (1, 2, 3):
        sums[node] = sql(node, "CHECKSUM TABLE " + ", ".join(CHECKED_TABLES))
    print("CHECKSUM TABLE equal on the three nodes:", sums[1] == sums[2] == sums[3])
    assert sums[1] == sums[2] == sums[3], sums

    joined = (CLUSTER_DIR / "db1" / "mariadb.err").read_text(errors="replace")[log_offset:]
    # With its position recovered (deploy/cluster/local/cluster), the node asks a donor for the write sets it
    # missed ("IST uuid:<cluster>:f: <next seqno>" ... "IST received"); a node that does not know its position asks
    # from nothing (the zero uuid) and is sent a full copy. rsync's joiner script and the "SST" lines run in both.
    ist = "IST received" in joined
    sst = "IST uuid:00000000-0000-0000-0000-000000000000" in joined
    print(f"db1 rejoined by {'IST' if ist and not sst else 'SST' if sst else 'unknown'}")
    assert ist and not sst

    def replay(entry):
        code, verifier = entry
        answer = http.post(APP + "/api/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                                          "redirect_uri": REDIRECT, "code_verifier": verifier},
                           auth=(CONFIDENTIAL["client_id"], CONFIDENTIAL["client_secret"]), timeout=15)
        return answer.status_code == 200

    with ThreadPoolExecutor(16) as pool:
        replayed = sum(pool.map(replay, record.codes))
    print(f"codes answered 200: {len(record.codes)}, giving tokens again when replayed: {replayed}")
    assert replayed == 0
