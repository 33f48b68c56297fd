"""The restore drill (issue 21, item 1): data made on the test stack, `catalystwells backup`, then `catalystwells restore`
into a second, fresh stack whose databases are dropped first, and everything a school would notice checked there:
people sign in (with their two-step codes), the OAuth tokens that were active still introspect and refresh, the
developer's client secret and API key still verify, and the data-access log is complete to the row.

The second stack has its own state directory (CW_STACK_DIR + "-drill", its MariaDB data made anew each run) and ports (the test stack's + 100, or
CW_DRILL_HTTPS_PORT, CW_DRILL_HTTP_PORT, CW_DRILL_IDP_PORT, CW_DRILL_LDAP_PORT, CW_DRILL_LDAPS_PORT,
CW_DRILL_SAML_IDP_PORT); the test brings it up (`deploy/dev/stack up`, while the data is being made) and stops it at
the end, keeping its folder. Then the bad inputs: a wrong age key, a truncated and a corrupted archive, a backup of a
newer schema, occupied databases and differing key files without --force — each a clear message, exit status 1 and
nothing changed on the drill stack; an unreadable key file and a full disk during a backup — exit 1 and no archive.

Demo users this module owns: student55, parent35 (two-step sign-in turned on, then off again at the end), parent36,
teacher3 and schooladmin (sign-in only).
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, Stack
from portal import csrf_of
from test_education_api import person, signed_in, token_for
from test_review_and_sync import KEY, admin, approved_app, confirm_credentials, introspect, new_secret, sync  # noqa: F401 - admin is a fixture
from test_two_step import enrol, password_step
from two_step import CODE_STEP, register

STACK = REPO / "deploy" / "dev" / "stack"
BOOTSTRAP = REPO / "deploy" / "mariadb" / "bootstrap.sh"
PORT_VARIABLES = ("CW_HTTPS_PORT", "CW_HTTP_PORT", "CW_IDP_PORT", "CW_LDAP_PORT", "CW_LDAPS_PORT", "CW_SAML_IDP_PORT")
DEFAULT_PORTS = {"CW_HTTPS_PORT": 18443, "CW_HTTP_PORT": 18080, "CW_IDP_PORT": 18444, "CW_LDAP_PORT": 18389,
                 "CW_LDAPS_PORT": 18636, "CW_SAML_IDP_PORT": 18445}
SCOPE = "openid profile.read student.grades.read offline_access"


def binary():
    return os.environ.get("CW_BIN") or str(REPO / ".build" / "release" / "catalystwells")


def run(*args, env=None, timeout=180):
    return subprocess.run([binary(), *args], capture_output=True, text=True, timeout=timeout, env=env)


def root_sql(socket, statement, database=""):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={socket}", "-u", "root", "--batch", "--skip-column-names",
                          *([database] if database else [])], input=statement, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


class DrillStack(Stack):
    """The second stack, described by what `deploy/dev/stack env` printed for it."""

    def __init__(self, variables):  # noqa: super().__init__ reads the first stack's environment on purpose not
        self.variables = variables
        self.dir = Path(variables["CW_STACK_DIR"])
        self.app_url = variables["CW_APP_URL"]
        self.developers_url = variables["CW_DEVELOPERS_URL"]
        self.ca_file = variables["CW_CA_FILE"]
        self.https_port = int(variables["CW_HTTPS_PORT"])
        self.http_port = int(variables["CW_HTTP_PORT"])
        self.mariadb_socket = variables["CW_MARIADB_SOCKET"]
        self.config = variables["CW_CONFIG"]


def drill_environment(stack):
    env = {name: value for name, value in os.environ.items() if not name.startswith("CW_") or name in ("CW_BIN",)}
    env.update(CW_STACK_DIR=str(stack.dir.parent / (stack.dir.name + "-drill")), CW_ENVIRONMENT="test", CW_SKIP_BUILD="1",
               CW_BUILD_CONFIG=os.environ.get("CW_BUILD_CONFIG", "release"), CW_BIN=binary(),
               CW_NGINX_LOGIN_BURST=os.environ.get("CW_NGINX_LOGIN_BURST", "300"))
    for name in PORT_VARIABLES:
        own = int(os.environ.get(name, DEFAULT_PORTS[name]))
        env[name] = os.environ.get(name.replace("CW_", "CW_DRILL_", 1), str(own + 100))
    return env


@pytest.fixture(scope="module")
def drill_start(stack):
    """Starts `deploy/dev/stack up` for the second stack in the background; the drill waits for it."""
    env = drill_environment(stack)
    # Fresh every time: no database survives from an earlier run (whatever its schema), only the folder's
    # certificates and secrets are reused.
    subprocess.run([str(STACK), "down"], env=env, capture_output=True, timeout=300)
    shutil.rmtree(Path(env["CW_STACK_DIR"]) / "mariadb", ignore_errors=True)
    log = open(stack.dir.parent / (stack.dir.name + "-drill.up.log"), "w")
    process = subprocess.Popen([str(STACK), "up"], env=env, stdout=log, stderr=subprocess.STDOUT)
    yield env, process, log
    process.wait(timeout=300)
    subprocess.run([str(STACK), "down"], env=env, capture_output=True, timeout=300)
    log.close()


@pytest.fixture(scope="module")
def drill(drill_start):
    env, process, log = drill_start
    assert process.wait(timeout=300) == 0, Path(log.name).read_text()[-3000:]
    printed = subprocess.run([str(STACK), "env"], env=env, capture_output=True, text=True, check=True).stdout
    variables = dict(re.findall(r"^export (\w+)=(.*)$", printed, re.MULTILINE))
    return DrillStack({name: value.strip("'") for name, value in variables.items()})


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("age")
    identity, wrong = folder / "identity.txt", folder / "wrong.txt"
    for path in (identity, wrong):
        subprocess.run(["age-keygen", "-o", str(path)], capture_output=True, check=True)
    recipient = subprocess.run(["age-keygen", "-y", str(identity)], capture_output=True, text=True, check=True).stdout.strip()
    return {"identity": identity, "wrong": wrong, "recipient": recipient, "folder": folder}


def school_id(stack):
    return int(root_sql(stack.mariadb_socket, "SELECT id FROM schools WHERE sourced_id = 'demo-school'", "catalyst_main")[0][0])


def access_log(stack, up_to=None):
    where = f"WHERE id <= {int(up_to)}" if up_to else ""
    return root_sql(stack.mariadb_socket, f"SELECT id, occurred_at, client_id, actor_user_id, subject_user_id, school_id, operation, "
                                          f"request, status FROM data_access_log {where} ORDER BY id", "catalyst_main")


def api(stack, path, token):
    with stack.session() as s:
        return s.get(stack.url("app", path), headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture(scope="module")
def made(stack, demo, mail_dir, admin, oauth, confidential_client, drill_start, keys, tmp_path_factory):  # noqa: F811
    """The data of the drill, made on the test stack, and the backup of it."""
    developer, _, path, app_id, client_id = approved_app(stack, mail_dir, admin, "drill", scopes=("openid", "school.read"))
    secret = new_secret(stack, developer, path, admin)
    page = developer.get(stack.url("developers", path + "/keys"))
    created = developer.post(stack.url("developers", path + "/keys"),
                             data={"csrf": csrf_of(page.text), "name": "drill import", "scopes": "school.read"})
    assert created.status_code == 200, created.text
    api_key = KEY.search(created.text).group(1)
    confirm_credentials(stack, admin, app_id)
    sync(stack)
    school = school_id(stack)
    assert api(stack, f"/api/v1/schools/{school}", api_key).status_code == 200
    assert introspect(stack, client_id, secret, "cw_at_nothing").status_code == 200

    # Someone turns two-step sign-in on (from scratch: a run before may have left it on).
    totp_person = person(demo, "parents", "parent35")
    forget_two_step(stack, totp_person)
    seed, _ = enrol(stack, signed_in(stack, totp_person))
    register([totp_person["username"], totp_person.get("email")], seed)

    student = person(demo, "students", "student55")
    token = token_for(stack, oauth, confidential_client, student, SCOPE)
    for _ in range(3):
        assert api(stack, "/api/v1/me", token["access_token"]).status_code == 200
    assert introspect(stack, confidential_client.client_id, confidential_client.client_secret, token["access_token"]).json()["active"]
    # Each call's entry is written before it is answered: the three calls are on record now.
    assert int(root_sql(stack.mariadb_socket, f"SELECT COUNT(*) FROM data_access_log WHERE subject_user_id = {student['id']} "
                                              "AND operation = 'getMe'", "catalyst_main")[0][0]) >= 3
    log_before = access_log(stack)

    out_dir = tmp_path_factory.mktemp("backups")
    started = time.monotonic()
    backup = run("backup", "--config", str(stack.dir / "catalystwells.conf"), "--directory", str(out_dir), "--recipient", keys["recipient"])
    backup_seconds = time.monotonic() - started
    assert backup.returncode == 0, backup.stderr
    archives = list(out_dir.glob("catalystwells-backup-*.tar.gz.age"))
    assert len(archives) == 1 and [p.name for p in out_dir.iterdir()] == [archives[0].name], list(out_dir.iterdir())
    print(f"backup of the test stack: {backup_seconds:.1f} s, {archives[0].stat().st_size} bytes\n{backup.stdout}")
    yield {"archive": archives[0], "student": student, "token": token, "secret": secret, "client_id": client_id,
            "api_key": api_key, "log": log_before, "school": school, "totp_person": totp_person}
    forget_two_step(stack, totp_person)


def forget_two_step(stack, who):
    root_sql(stack.mariadb_socket, f"DELETE FROM user_recovery_codes WHERE user_id = {who['id']}; "
                                   f"DELETE FROM user_totp WHERE user_id = {who['id']}", "catalyst_main")


def reload_pools(drill):
    """SIGHUP: each pool replaces its workers, which read the restored key files."""
    for site in ("app", "developers"):
        before = set(drill.worker_pids(site))
        os.kill(drill.supervisor_pid(site), 1)
        drill.wait_until(lambda: before.isdisjoint(drill.worker_pids(site)) and len(drill.worker_pids(site)) > 0,
                         timeout=60, what=f"new {site} workers")
    with drill.session() as s:
        drill.wait_until(lambda: s.get(drill.url("app", "/healthz"), timeout=5).status_code == 200, what="the app site healthy")


@pytest.fixture(scope="module")
def restored(made, drill, keys, demo):
    # An empty machine's databases: none at all.
    root_sql(drill.mariadb_socket, "DROP DATABASE catalyst_main; DROP DATABASE catalyst_developers;")
    started = time.monotonic()
    answer = run("restore", str(made["archive"]), "--identity", str(keys["identity"]), "--config", drill.config, "--keep-config",
                 "--force", "--bootstrap", str(BOOTSTRAP))
    seconds = time.monotonic() - started
    assert answer.returncode == 0, answer.stdout + answer.stderr
    print(f"restore into the drill stack: {seconds:.1f} s\n{answer.stdout}")
    reload_pools(drill)
    return {"output": answer.stdout}


def test_the_restored_stack_signs_people_in_with_their_passwords_and_two_step_codes(drill, restored, made, demo):
    for group, username in (("students", "student55"), ("parents", "parent36"), ("teachers", "teacher3")):
        signed_in(drill, person(demo, group, username))
    # The school admin's TOTP seed was sealed under the test stack's oauth.key: the restored key opens it.
    signed_in(drill, demo["school_admin"])
    # parent35 turned two-step sign-in on just before the backup: the restored seed still gives the codes.
    answer = password_step(drill, drill.session(), made["totp_person"])
    assert answer.headers.get("Location") == CODE_STEP
    signed_in(drill, made["totp_person"])
    assert "restored in" in restored["output"] and "deploy/mariadb/bootstrap.sh" in restored["output"]


def test_tokens_that_were_active_still_introspect_and_refresh(drill, restored, made, confidential_client):
    token = made["token"]
    answer = introspect(drill, confidential_client.client_id, confidential_client.client_secret, token["access_token"])
    assert answer.status_code == 200 and answer.json()["active"] is True, answer.text
    assert answer.json()["sub"]
    assert api(drill, "/api/v1/me", token["access_token"]).status_code == 200
    with drill.session() as s:
        refreshed = s.post(drill.url("app", "/api/oauth/token"), auth=confidential_client.basic, timeout=10,
                           data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["access_token"].startswith("cw_at_")


def test_the_client_secret_and_the_api_key_still_verify(drill, restored, made):
    assert introspect(drill, made["client_id"], made["secret"], "cw_at_nothing").status_code == 200
    assert introspect(drill, made["client_id"], made["secret"] + "x", "cw_at_nothing").status_code == 401
    assert api(drill, f"/api/v1/schools/{made['school']}", made["api_key"]).status_code == 200


def test_the_access_log_is_complete_to_the_row(drill, restored, made):
    before = made["log"]
    assert before, "the test stack's access log is empty"
    assert access_log(drill, up_to=before[-1][0]) == before


def test_the_manifest_and_checksums_open_by_hand(made, keys, tmp_path):
    """An admin without the binary can still open and check an archive: age, tar and sha256sum."""
    decrypted = subprocess.run(["age", "-d", "-i", str(keys["identity"]), str(made["archive"])], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-xz", "-C", str(tmp_path)], input=decrypted, check=True)
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    newest = {folder: int(sorted((REPO / "schema" / folder).glob("*.sql"))[-1].name[:4]) for folder in ("main", "developers")}
    assert {d["role"]: d["schema_head"] for d in manifest["databases"]} == newest and manifest["format"] == 1
    roles = {f["role"] for f in manifest["files"]}
    assert {"database_dump", "configuration", "oauth.key_file", "credentials.key_file", "portal.key_file"} <= roles
    key_entry = next(f for f in manifest["files"] if f["role"] == "oauth.key_file")
    assert key_entry["mode"] & 0o077 == 0 and key_entry["sha256"] == hashlib.sha256((tmp_path / key_entry["path"]).read_bytes()).hexdigest()


# Bad input ---------------------------------------------------------------------------------------------------------


def fingerprint(drill):
    """What a refused restore must leave as it was: the drill stack's key files and tables of both databases (not the
    access log, which the pools' workers may still be flushing into)."""
    files = {name: hashlib.sha256((drill.dir / "secrets" / name).read_bytes()).hexdigest()
             for name in ("oauth.key", "credentials.key", "developers.key", "db-migrator.password")}
    tables = root_sql(drill.mariadb_socket, "CHECKSUM TABLE catalyst_main.users, catalyst_main.user_totp, catalyst_main.schema_migrations, "
                                            "catalyst_main.oauth_tokens, catalyst_developers.applications")
    return files, tables


def refused(drill, archive, *extra, identity):
    before = fingerprint(drill)
    answer = run("restore", str(archive), "--identity", str(identity), "--config", drill.config, "--keep-config",
                 "--bootstrap", str(BOOTSTRAP), *extra)
    assert answer.returncode == 1, answer.stdout + answer.stderr
    assert fingerprint(drill) == before
    assert not any(p.name.startswith("catalystwells-restore-") for p in Path("/var/tmp").iterdir())
    return answer.stderr


def test_a_wrong_key_a_truncated_and_a_corrupted_archive_change_nothing_even_with_force(drill, restored, made, keys, tmp_path):
    archive = made["archive"]
    assert "not encrypted for the identity" in refused(drill, archive, "--force", identity=keys["wrong"])
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz.age"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    assert "damaged or truncated" in refused(drill, truncated, "--force", identity=keys["identity"])
    corrupted = tmp_path / "corrupted.tar.gz.age"
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    corrupted.write_bytes(bytes(flipped))
    assert "damaged or truncated" in refused(drill, corrupted, "--force", identity=keys["identity"])
    garbage = tmp_path / "garbage.tar.gz.age"
    garbage.write_bytes(b"this is not an archive\n")
    assert "not an age-encrypted file" in refused(drill, garbage, "--force", identity=keys["identity"])


def test_a_backup_of_a_newer_schema_is_refused(drill, restored, made, keys, tmp_path):
    older = tmp_path / "schema"
    shutil.copytree(REPO / "schema", older)
    newest = sorted((older / "main").glob("*.sql"))[-1]
    newest.unlink()
    message = refused(drill, made["archive"], "--force", "--schema", str(older), identity=keys["identity"])
    assert "newer than this binary knows" in message and "catalyst_main" in message


def test_occupied_databases_and_differing_key_files_need_force(drill, restored, made, keys):
    message = refused(drill, made["archive"], identity=keys["identity"])
    assert "holds" in message and "tables" in message and "--force" in message
    # A drill stack's own key differs from the archive's: refused, naming the file.
    key = drill.dir / "secrets" / "oauth.key"
    original = key.read_bytes()
    key.write_text("00" * 32 + "\n")
    try:
        message = refused(drill, made["archive"], identity=keys["identity"])
        assert "refusing to replace files" in message and str(key) in message
    finally:
        key.write_bytes(original)


def test_check_only_verifies_without_changing_anything(drill, restored, made, keys):
    before = fingerprint(drill)
    answer = run("restore", str(made["archive"]), "--identity", str(keys["identity"]), "--config", drill.config, "--keep-config",
                 "--force", "--check-only")
    assert answer.returncode == 0, answer.stderr
    assert "every checksum matches" in answer.stdout and fingerprint(drill) == before


def test_a_backup_that_cannot_read_a_key_file_fails_and_leaves_nothing(stack, keys, tmp_path):
    env = dict(os.environ, CATALYSTWELLS_OAUTH_KEY_FILE=str(tmp_path / "missing.key"))
    answer = run("backup", "--config", str(stack.dir / "catalystwells.conf"), "--directory", str(tmp_path / "out"),
                 "--recipient", keys["recipient"], env=env)
    assert answer.returncode == 1
    assert "oauth.key_file" in answer.stderr and "no archive written" in answer.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_full_disk_during_a_backup_fails_and_leaves_nothing(stack, keys, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (CI runs as root)")
    disk = tmp_path / "small"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "cw-backup-full", str(disk)], check=True)
    try:
        answer = run("backup", "--config", str(stack.dir / "catalystwells.conf"), "--directory", str(disk),
                     "--recipient", keys["recipient"])
        assert answer.returncode == 1, answer.stdout
        assert "no space left" in answer.stderr and "no archive written" in answer.stderr
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_prune_keeps_the_newest_of_each_day_week_and_month(stack, tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    names = [f"catalystwells-backup-2026{month:02d}{day:02d}T023000Z.tar.gz.age" for month in (1, 2, 3) for day in range(1, 29)]
    for name in names + ["notes.txt", ".catalystwells-backup-20260101T000000Z.tar.gz.age.partial"]:
        (folder / name).write_bytes(b"x")
    env = dict(os.environ, CATALYSTWELLS_BACKUP_KEEP_DAILY="3", CATALYSTWELLS_BACKUP_KEEP_WEEKLY="2", CATALYSTWELLS_BACKUP_KEEP_MONTHLY="3")
    answer = run("backup", "prune", "--config", str(stack.dir / "catalystwells.conf"), "--directory", str(folder), env=env)
    assert answer.returncode == 0, answer.stderr
    left = sorted(p.name for p in folder.iterdir())
    kept = [n for n in left if n.startswith("catalystwells-backup-")]
    # Days 03-28, 03-27, 03-26; the week before (newest: Sunday 03-22); months January and February.
    assert kept == sorted(f"catalystwells-backup-2026{d}T023000Z.tar.gz.age"
                          for d in ("0128", "0228", "0322", "0326", "0327", "0328"))
    assert "notes.txt" in left and ".catalystwells-backup-20260101T000000Z.tar.gz.age.partial" in left


def craft(made, keys, tmp_path, edit):
    """The drill's archive decrypted, changed by `edit(folder, manifest)`, its manifest and SHA256SUMS brought in line and
    encrypted again for the same recipient: what anyone who knows the public key can make."""
    work = tmp_path / "craft"
    work.mkdir()
    plain = subprocess.run(["age", "-d", "-i", str(keys["identity"]), str(made["archive"])], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-xz", "-C", str(work)], input=plain, check=True)
    manifest = json.loads((work / "manifest.json").read_text())
    edit(work, manifest)
    for entry in manifest["files"]:
        data = (work / entry["path"]).read_bytes()
        entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
    members = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    (work / "SHA256SUMS").write_text("".join(f"{hashlib.sha256((work / m).read_bytes()).hexdigest()}  {m}\n" for m in members))
    packed = tmp_path / "crafted.tar.gz"
    subprocess.run(["tar", "-C", str(work), "-czf", str(packed), "manifest.json", "SHA256SUMS", "databases.sql", "files"], check=True)
    crafted = tmp_path / "crafted.tar.gz.age"
    subprocess.run(["age", "-r", keys["recipient"], "-o", str(crafted), str(packed)], check=True)
    return crafted


def test_a_made_up_archive_cannot_plant_files_outside_the_configuration_or_of_another_shape(drill, restored, made, keys, tmp_path):
    outside = tmp_path / "outside" / "authorized_keys"

    def plant(work, manifest):
        config = work / "files" / "configuration"
        config.write_text(config.read_text() + f"\n[backup]\nrecipients_file = {outside}\n")
        (work / "files" / "backup.recipients_file").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAttacker attacker\n")
        manifest["files"].append({"path": "files/backup.recipients_file", "role": "backup.recipients_file", "original_path": str(outside),
                                  "sha256": "", "size": 0, "mode": 0o600, "owner": "root", "group": "root"})
        (work / "files" / "oauth.key_file").write_text("* * * * * root sh -c 'echo planted'\n")

    crafted = craft(made, keys, tmp_path, plant)
    target = tmp_path / "etc" / "catalystwells.conf"
    answer = run("restore", str(crafted), "--identity", str(keys["identity"]), "--config", str(target))
    assert answer.returncode == 1, answer.stdout
    assert "oauth.key_file is not 64 hex digits" in answer.stderr
    assert "age1… recipients" in answer.stderr and f"at {outside}, outside {target.parent}" in answer.stderr
    assert not outside.exists() and not target.exists()
    # Into the drill stack, keeping its configuration: the key of the wrong shape is refused, nothing changes.
    assert "oauth.key_file is not 64 hex digits" in refused(drill, crafted, "--force", identity=keys["identity"])
