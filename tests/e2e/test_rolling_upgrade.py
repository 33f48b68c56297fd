"""Upgrades (issue 21, item 2): a rolling upgrade under load loses no request, and a pool refuses to start on a
schema its binary does not know.

The "next version" is this binary with a schema folder holding one more migration per database (links to the real
files plus an additive, online probe: a column on oauth_tokens, the hottest table, and a table in developers). While
a load loop issues tokens, introspects them and calls the education API, the test runs `migrate --plan`, `migrate`,
then reloads both pools one after the other (SIGHUP: workers replaced one by one), and counts the answers that were
not 200. Before and after, `serve` on a spare socket is refused: behind the folder, then ahead of the real one.
Everything the probe added is removed at the end (column, table, history rows).
"""
import os
import re
import signal
import subprocess
import threading
import time

import pytest

from conftest import REPO
from test_education_api import person, token_for

PROBE = "rolling_upgrade_probe"
SCOPE = "openid profile.read student.grades.read"


def binary():
    return os.environ.get("CW_BIN") or str(REPO / ".build" / os.environ.get("CW_BUILD_CONFIG", "release") / "catalystwells")


def root_sql(stack, database, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B", database],
                         input=statement, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def remove_probe(stack):
    root_sql(stack, "catalyst_main", f"ALTER TABLE oauth_tokens DROP COLUMN IF EXISTS upgrade_probe; "
                                     f"DELETE FROM schema_migrations WHERE file_name LIKE '%\\_{PROBE}.sql';")
    root_sql(stack, "catalyst_developers", f"DROP TABLE IF EXISTS upgrade_probe; "
                                           f"DELETE FROM schema_migrations WHERE file_name LIKE '%\\_{PROBE}.sql';")


def next_version(tmp_path):
    """A schema folder: every real migration, and one more online, additive one per database."""
    probes = {
        "main": "ALTER TABLE oauth_tokens ADD COLUMN upgrade_probe VARCHAR(16) NULL, ALGORITHM=INSTANT;\n",
        "developers": "CREATE TABLE upgrade_probe (id INT PRIMARY KEY);\n",
    }
    names = {}
    for folder, sql in probes.items():
        (tmp_path / folder).mkdir(parents=True)
        real = sorted((REPO / "schema" / folder).glob("*.sql"))
        for path in real:
            (tmp_path / folder / path.name).symlink_to(path)
        version = max(int(path.name[:4]) for path in real) + 1
        names[folder] = f"{version:04d}_{PROBE}.sql"
        (tmp_path / folder / names[folder]).write_text(sql)
    # The new release's message catalogues, beside its schema as an install ships them (general.locales_directory).
    (tmp_path.parent / "locales").symlink_to(REPO / "locales")
    return names


def cli(stack, *args, env=None):
    return subprocess.run([binary(), *args, "--config", str(stack.dir / "catalystwells.conf")],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, **(env or {})))


def serve_refusal(stack, tmp_path, site, env=None):
    """Starts `serve` on a spare socket; it must exit before listening."""
    spare = tmp_path / f"spare-{site}.sock"
    out = subprocess.run([binary(), "serve", "--site", site, "--config", str(stack.dir / "catalystwells.conf"),
                          "--socket", str(spare), "--workers", "1"],
                         capture_output=True, text=True, timeout=60, env=dict(os.environ, **(env or {})))
    assert not spare.exists()
    return out


class Load:
    """Token, introspection and API calls in a loop (paced under nginx's token-endpoint limit); every answer that
    is not a 200 is kept."""

    def __init__(self, stack, client, access_token):
        self.stack, self.client, self.access_token = stack, client, access_token
        self.ok, self.failures, self._stop = 0, [], threading.Event()
        self.threads = [threading.Thread(target=self._app, daemon=True), threading.Thread(target=self._developers, daemon=True)]

    def _count(self, what, call):
        try:
            response = call()
        except Exception as error:  # noqa: BLE001 - every failure is what the test counts
            self.failures.append(f"{what}: {error!r}")
            return None
        if response.status_code == 200:
            self.ok += 1
            return response
        self.failures.append(f"{what}: {response.status_code} {response.text[:120]!r}")
        return None

    def _app(self):
        with self.stack.session() as s:
            while not self._stop.is_set():
                issued = self._count("token", lambda: s.post(self.stack.url("app", "/api/oauth/token"), auth=self.client.basic,
                                                             data={"grant_type": "client_credentials"}, timeout=10))
                if issued is not None:
                    token = issued.json()["access_token"]
                    answer = self._count("introspect", lambda: s.post(self.stack.url("app", "/api/oauth/introspect"),
                                                                      auth=self.client.basic, data={"token": token}, timeout=10))
                    if answer is not None and answer.json().get("active") is not True:
                        self.failures.append("introspect: a fresh token is not active")
                self._count("api", lambda: s.get(self.stack.url("app", "/api/v1/me"), timeout=10,
                                                 headers={"Authorization": f"Bearer {self.access_token}"}))
                time.sleep(0.05)

    def _developers(self):
        with self.stack.session() as s:
            while not self._stop.is_set():
                self._count("developers", lambda: s.get(self.stack.url("developers", "/healthz"), timeout=10))
                time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self.threads:
            thread.join(15)


def reload_pool(stack, site):
    before = set(stack.worker_pids(site))
    os.kill(stack.supervisor_pid(site), signal.SIGHUP)
    stack.wait_until(lambda: not (set(stack.worker_pids(site)) & before) and len(stack.worker_pids(site)) == len(before),
                     timeout=40, what=f"every {site} worker replaced")


@pytest.fixture()
def upgrade(stack, tmp_path):
    remove_probe(stack)
    yield next_version(tmp_path / "schema")
    remove_probe(stack)


def test_a_rolling_upgrade_under_load_fails_no_request_and_pools_refuse_unknown_schemas(
        stack, demo, oauth, confidential_client, upgrade, tmp_path):
    folder = str(tmp_path / "schema")
    newer_binary = {"CATALYSTWELLS_GENERAL_SCHEMA_DIRECTORY": folder}

    # The new binary before `migrate`: refused, telling to migrate and naming both versions.
    for site, database, name in (("app", "catalyst_main", upgrade["main"]), ("developers", "catalyst_developers", upgrade["developers"])):
        refused = serve_refusal(stack, tmp_path, site, env=newer_binary)
        assert refused.returncode == 78, refused.stdout + refused.stderr
        known = int(name[:4])
        assert re.search(rf"{database} is at schema version {known - 1} but this binary needs version {known} "
                         rf"\(1 migration\(s\) not applied: {name}\): run `catalystwells migrate`", refused.stderr), refused.stderr

    plan = cli(stack, "migrate", "--plan", "--schema", folder)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert f"  {upgrade['main']}: online change of oauth_tokens" in plan.stdout, plan.stdout
    assert f"  {upgrade['developers']}: no big table touched" in plan.stdout, plan.stdout
    assert "nothing was run (--plan)" in plan.stdout
    assert root_sql(stack, "catalyst_main", f"SELECT COUNT(*) FROM schema_migrations WHERE file_name = '{upgrade['main']}'").strip() == "0"

    student = person(demo, "students", "student41")
    access_token = token_for(stack, oauth, confidential_client, student, SCOPE)["access_token"]
    started = time.monotonic()
    with Load(stack, confidential_client, access_token) as load:
        migrated = cli(stack, "migrate", "--schema", folder)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        time.sleep(1)
        reload_pool(stack, "app")
        reload_pool(stack, "developers")
        time.sleep(1)
    elapsed = time.monotonic() - started
    assert load.failures == [], load.failures[:10]
    assert load.ok > 50, f"only {load.ok} answers in {elapsed:.1f} s"
    print(f"rolling upgrade: {load.ok} requests answered 200, 0 failed, in {elapsed:.1f} s")

    # The old binary (the real schema folder) on the migrated database: refused, naming both versions.
    refused = serve_refusal(stack, tmp_path, "app")
    assert refused.returncode == 78, refused.stdout + refused.stderr
    known = int(upgrade["main"][:4])
    assert f"the schema is at version {known}, newer than this binary knows ({known - 1})" in refused.stderr, refused.stderr
