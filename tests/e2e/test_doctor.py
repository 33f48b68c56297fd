"""`catalystwells doctor` (issue 21, item 5) on the test stack: healthy, then broken three ways — a key file open to
every user, a grant revoked from the app pool's account, a migration the database lacks — each one FAIL line naming
what to do, and a non-zero exit; and who may read a key file, with real OS users standing in for the pools' users.
Every break is undone afterwards (chmod back, bootstrap.sh again).
"""
import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO

BOOTSTRAP = REPO / "deploy" / "mariadb" / "bootstrap.sh"
LINE = re.compile(r"^(ok|skip|WARN|FAIL)  +(\w+) +(.*)$")


def binary():
    return os.environ.get("CW_BIN") or str(REPO / ".build" / "release" / "catalystwells")


def doctor(stack, *extra):
    out = subprocess.run([binary(), "doctor", "--config", str(stack.dir / "catalystwells.conf"),
                          "--nginx-config", str(stack.dir / "nginx" / "nginx.conf"), *extra],
                         capture_output=True, text=True, timeout=120)
    lines = out.stdout.splitlines()
    assert lines and lines[-1].startswith("doctor: "), out.stdout + out.stderr
    findings = [LINE.match(line).groups() for line in lines[:-1]]
    return out.returncode, findings, out.stdout


def failures(findings):
    return [(area, text) for status, area, text in findings if status == "FAIL"]


def secrets_of(stack):
    return [p.read_text().strip() for p in (stack.dir / "secrets").iterdir() if p.is_file() and p.stat().st_size < 200]


def bootstrap(stack):
    subprocess.run([str(BOOTSTRAP), "--socket", stack.mariadb_socket, "--secrets", str(stack.dir / "secrets")],
                   capture_output=True, check=True, timeout=60)


def test_a_healthy_stack_passes_every_check_and_prints_no_secret(stack):
    code, findings, text = doctor(stack)
    assert code == 0, text
    assert failures(findings) == []
    areas = {area for _, area, _ in findings}
    assert {"config", "keys", "database", "grants", "schema", "nginx", "tls", "clock", "schedule", "disk"} <= areas, text
    oks = {(area, text.split(" ")[0]) for status, area, text in findings if status == "ok"}
    assert ("grants", "catalyst_app") in oks and ("grants", "catalyst_dev") in oks and ("grants", "catalyst_migrator") in oks
    assert ("nginx", "nginx") in oks and ("tls", str(stack.dir / "tls" / "server.pem")) in oks
    for secret in secrets_of(stack):
        assert secret not in text


def test_a_key_file_open_to_every_user_fails_with_the_chmod_to_run(stack):
    key = stack.dir / "secrets" / "oauth.key"
    mode = key.stat().st_mode & 0o777
    key.chmod(0o644)
    try:
        code, findings, text = doctor(stack)
    finally:
        key.chmod(mode)
    assert code == 1
    assert failures(findings) == [("keys", f"oauth.key_file {key} (0644 root:root) is open to every user → chmod o-rwx {key}")], text


def test_a_revoked_grant_fails_naming_the_table_privilege_and_the_bootstrap(stack):
    subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-e",
                    "REVOKE INSERT ON catalyst_developers.webhook_deliveries FROM 'catalyst_app'@'localhost'"], check=True)
    try:
        code, findings, text = doctor(stack)
    finally:
        bootstrap(stack)
    assert code == 1
    [(area, message)] = failures(findings)
    assert area == "grants" and message.startswith("catalyst_app: catalyst_developers.webhook_deliveries lacks INSERT → run deploy/mariadb/bootstrap.sh")
    assert doctor(stack)[0] == 0


def test_a_migration_the_database_lacks_fails_with_migrate(stack, tmp_path):
    schema = tmp_path / "schema"
    shutil.copytree(REPO / "schema", schema)
    newest = int(sorted((schema / "main").glob("*.sql"))[-1].name[:4])
    (schema / "main" / f"{newest + 1:04d}_doctor_probe.sql").write_text("SELECT 1;\n")
    code, findings, text = doctor(stack, "--schema", str(schema))
    assert code == 1
    assert failures(findings) == [("schema", f"catalyst_main at version {newest}; 1 migration(s) not applied: "
                                             f"{newest + 1:04d}_doctor_probe.sql → catalystwells migrate, then deploy/mariadb/bootstrap.sh")], text


def test_who_may_read_each_key_is_checked_against_the_pools_users(stack):
    """`nobody` and `daemon` stand in for catalystwells-app and catalystwells-dev: root-owned 0600 files are then
    unreadable by the pool that needs them; handing oauth.key to the app pool's user fixes that one line."""
    if os.geteuid() != 0:
        pytest.skip("needs root to change a key file's owner (CI runs as root)")
    key = stack.dir / "secrets" / "oauth.key"
    _, findings, _ = doctor(stack, "--app-user", "nobody", "--developers-user", "daemon")
    assert ("keys", f"oauth.key_file {key} (0600 root:root) cannot be read by nobody, which needs it → see README \"Production install\" step 3") in failures(findings)
    shutil.chown(key, user="nobody")
    try:
        _, findings, _ = doctor(stack, "--app-user", "nobody", "--developers-user", "daemon")
    finally:
        shutil.chown(key, user="root")
    assert not [text for area, text in failures(findings) if "oauth.key_file" in text]
