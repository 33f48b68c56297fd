"""Per-person export and erasure (issue 23, items 2 and 3), through nginx in Chromium.

Each run makes its own family (a student and a parent with unique names, in the demo school's first class) and a
second student to erase, so the tests run again on the same stack:

    a parent downloads their child's export; a student their own; another family's child is a 404;
    the school admin exports a class in the background (cron endpoint, mailed one-time link);
    the school admin requests, cancels and confirms erasures; `catalystwells erasures run` waits for the waiting
    period, then (with --now past it) erases; afterwards no text column of either database holds the person's
    name, email, username or roster id, and main's webhook outbox holds a `person.erased` event that carries only
    the app's `sub`.

The people are put in the database directly (a roster import and their sign-in are tested elsewhere); everything
the families and the admin do goes through the pages.
"""
import io
import json
import os
import re
import secrets
import subprocess
import time
import zipfile
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from oauth_client import REDIRECT_URI, DemoClient
from test_review_and_sync import admin, approved_app, new_secret, sync  # noqa: F401 - `admin`: the platform admin fixture
from test_webhook_delivery import add_endpoint, receiver, run_cron  # noqa: F401 - `receiver`: the local HTTPS receiver

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "catalyst-demo-2026"


def sql(stack, statement, database="catalyst_main"):
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "--batch", "--skip-column-names", database,
         "-e", statement], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines()]


def cli(stack, *args):
    binary = os.environ.get("CW_BIN") or str(stack.dir.parents[1] / ".build" / "debug" / "catalystwells")
    done = subprocess.run([binary, *args, "--config", str(stack.dir / "catalystwells.conf")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"catalystwells {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def cron(stack, path):
    session = stack.session()
    token = (stack.dir / "secrets" / "cron.secret").read_text().strip()
    return session.post(stack.url("app", path), headers={"Authorization": f"Bearer {token}"})


def make_person(stack, role, tag, school_id, class_id=None):
    """A person with unique names and the demo password; returns their identifiers."""
    given, family = f"Quillon{tag}", f"Brackwater{tag}"
    person = {"given": given, "family": family, "email": f"quillon.{tag}@demo.example.org", "username": f"qbrack{tag}",
              "sourced_id": f"e2e-erase-{tag}", "name": f"{given} {family}"}
    sql(stack, f"""
        SELECT password_hash INTO @h FROM users WHERE username = 'student01';
        INSERT INTO users (school_id, sourced_id, role, given_name, family_name, email, username, password_hash, active, created_at, updated_at)
        VALUES ({school_id}, '{person['sourced_id']}', '{role}', '{given}', '{family}', '{person['email']}', '{person['username']}', @h, TRUE,
                UTC_TIMESTAMP(6), UTC_TIMESTAMP(6));""")
    person["id"] = int(sql(stack, f"SELECT id FROM users WHERE username = '{person['username']}'")[0][0])
    if class_id:
        sql(stack, f"INSERT INTO enrollments (class_id, user_id, role, sourced_id, active) VALUES ({class_id}, {person['id']}, 'student', "
                   f"'enr-{person['sourced_id']}', TRUE)")
    return person


@pytest.fixture(scope="module")
def family(stack, demo):
    tag = secrets.token_hex(4)
    school_id = int(sql(stack, f"SELECT id FROM schools WHERE sourced_id = '{demo['school']['sourced_id']}'")[0][0])
    teacher_id = demo["teachers"][0]["id"]
    # A class of its own, so the demo classes (other tests count their assessments) are left as they are.
    sql(stack, f"""
        INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date)
        VALUES ({school_id}, 'e2e-term-{tag}', 'Export term', 'term', UTC_DATE() - INTERVAL 30 DAY, UTC_DATE() + INTERVAL 30 DAY);
        SET @term = LAST_INSERT_ID();
        INSERT INTO courses (school_id, sourced_id, title) VALUES ({school_id}, 'e2e-course-{tag}', 'Export course');
        INSERT INTO classes (school_id, sourced_id, title, course_id, term_id) VALUES ({school_id}, 'e2e-class-{tag}', 'Export class {tag}',
            LAST_INSERT_ID(), @term);""")
    class_id = int(sql(stack, f"SELECT id FROM classes WHERE sourced_id = 'e2e-class-{tag}'")[0][0])
    # The teacher records the grade without teaching the class: enrolling them would change their class list, which
    # other tests check.
    student = make_person(stack, "student", tag, school_id, class_id)
    # Unrelated tags: no one's name may contain another's, or the search after the erasure would find the others.
    parent = make_person(stack, "parent", secrets.token_hex(4), school_id)
    other = make_person(stack, "student", secrets.token_hex(4), school_id, class_id)
    sql(stack, f"INSERT INTO guardianships (parent_id, student_id) VALUES ({parent['id']}, {student['id']})")
    # A published grade with a teacher's comment naming the student, and an attendance note.
    sql(stack, f"""
        INSERT INTO assessments (class_id, title, max_score, published, created_by, created_at, updated_at)
        VALUES ({class_id}, 'Export check {tag}', 20, TRUE, {teacher_id}, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6));
        INSERT INTO grades (assessment_id, student_id, score, comment, recorded_by, recorded_at)
        VALUES (LAST_INSERT_ID(), {student['id']}, 17.5, 'Well done, {student['given']}', {teacher_id}, UTC_TIMESTAMP(6));
        INSERT INTO attendance (class_id, student_id, day, status, note, recorded_by, recorded_at)
        VALUES ({class_id}, {student['id']}, UTC_DATE(), 'late', 'bus for {student['given']}', {teacher_id}, UTC_TIMESTAMP(6));""")
    return {"student": student, "parent": parent, "other": other, "tag": tag, "school_id": school_id, "class_id": class_id}


def session_of(stack, browser):
    """A requests session with the browser's cookies, for what a browser downloads rather than shows."""
    session = stack.session()
    host = urlsplit(stack.app_url).hostname
    for cookie in browser.driver.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"], domain=host, path=cookie.get("path", "/"))
    return session


def post_export(stack, browser, page, action):
    """Opens `page` in the browser, then posts its export form `action` with the page's token; returns the answer."""
    assert browser.open(page) == 200
    form = browser.find(f'form[action="{action}"]')
    csrf = form.find_element("name", "csrf").get_attribute("value")
    return session_of(stack, browser).post(stack.url("app", action), data={"csrf": csrf}, allow_redirects=False)


def archive(response):
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "no-store" in response.headers.get("cache-control", "")
    z = zipfile.ZipFile(io.BytesIO(response.content))
    assert z.testzip() is None
    return z


PERSON_FILES = ["README.txt", "profile.json", "family.json", "enrolments.csv", "grades.json", "grades.csv", "attendance.csv",
                "connected-apps.json", "data-access-log.csv", "sign-in-history.csv"]


def audit_events(stack, subject, event):
    return int(sql(stack, f"SELECT COUNT(*) FROM security_audit_log WHERE subject_id = {subject} AND event = '{event}'")[0][0])


def test_a_parent_downloads_their_childs_export(stack, browser, family):
    student, parent = family["student"], family["parent"]
    assert browser.sign_in(parent["username"], PASSWORD) == 200 and browser.path == "/parent"
    assert browser.open("/account/export") == 200
    assert browser.attributes("#children-exports li[data-student-id]", "data-student-id") == [str(student["id"])]
    z = archive(post_export(stack, browser, "/account/export", f"/parent/children/{student['id']}/export"))
    assert z.namelist() == PERSON_FILES
    grades = json.loads(z.read("grades.json"))
    assert [(g["assessment"], g["score"], g["max_score"]) for g in grades] == [(f"Export check {family['tag']}", 17.5, 20)]
    profile = json.loads(z.read("profile.json"))
    assert (profile["email"], profile["sourced_id"], profile["role"]) == (student["email"], student["sourced_id"], "student")
    assert json.loads(z.read("family.json"))[0]["id"] == parent["id"]
    assert "late" in z.read("attendance.csv").decode()
    assert "grades.json" in z.read("README.txt").decode()
    assert audit_events(stack, student["id"], "export_requested") >= 1
    assert audit_events(stack, student["id"], "export_downloaded") >= 1


def test_a_student_downloads_their_own_export(stack, browser, family):
    student = family["student"]
    assert browser.sign_in(student["username"], PASSWORD) == 200 and browser.path == "/student"
    z = archive(post_export(stack, browser, "/account/export", "/account/export"))
    assert z.namelist() == PERSON_FILES
    assert json.loads(z.read("profile.json"))["username"] == student["username"]
    assert "sign_in" in z.read("sign-in-history.csv").decode(), "their own sign-in is in the history"


def test_another_familys_child_is_not_found(stack, demo, browser, family):
    stranger = demo["parents"][0]
    assert browser.sign_in(stranger["username"], stranger["password"]) == 200
    assert browser.open("/account/export") == 200
    csrf = browser.find('form[action="/account/export"]').find_element("name", "csrf").get_attribute("value")
    session = session_of(stack, browser)
    for child in (family["student"]["id"], family["other"]["id"], 999_999_999):
        answer = session.post(stack.url("app", f"/parent/children/{child}/export"), data={"csrf": csrf}, allow_redirects=False)
        assert answer.status_code == 404, (child, answer.status_code)
        assert "application/zip" not in answer.headers.get("content-type", "")
    # A student cannot use the parent's or the admin's export routes at all.
    assert session.post(stack.url("app", f"/school/users/{family['student']['id']}/export"), data={"csrf": csrf},
                        allow_redirects=False).status_code == 404


def sign_in_admin(browser, demo):
    admin = demo["school_admin"]
    assert browser.sign_in(admin["username"], admin["password"]) == 200 and browser.path == "/school", browser.path


def test_the_school_admin_exports_a_class_in_the_background_through_a_one_time_link(stack, demo, browser, mail_dir, family):
    sign_in_admin(browser, demo)
    earlier = set(mail_dir.glob("*.eml"))
    answer = post_export(stack, browser, "/school/export", f"/school/classes/{family['class_id']}/export")
    assert answer.status_code == 303 and answer.headers["location"] == "/school/export?export=queued"
    run = cron(stack, "/internal/cron/exports")
    assert run.status_code == 200 and run.json()["built"] >= 1, run.text
    admin_email = demo["school_admin"]["email"]
    link = None
    deadline = time.monotonic() + 15
    while link is None and time.monotonic() < deadline:
        for path in sorted(set(mail_dir.glob("*.eml")) - earlier):
            text = path.read_text(errors="replace")
            if admin_email in text and "export is ready" in text:
                found = re.search(re.escape(stack.app_url) + r"(/account/export/download/cw_exp_[A-Za-z0-9_-]{43})", text)
                link = found and found.group(1)
        time.sleep(0.2)
    assert link, "the mailed link"
    digest_rows = sql(stack, "SELECT COUNT(*) FROM export_jobs WHERE link_digest = UNHEX(SHA2('%s', 256))" % link.rsplit("/", 1)[1])
    assert digest_rows == [["1"]], "only the link's SHA-256 is stored"
    # Someone else's session cannot use it.
    other = stack.session()
    assert other.get(stack.url("app", link), allow_redirects=False).status_code in (303, 302), "signed out: to the sign-in page"
    session = session_of(stack, browser)
    z = archive(session.get(stack.url("app", link)))
    names = z.namelist()
    for name in ("README.txt", "oneroster/manifest.csv", "oneroster/users.csv", "oneroster/enrollments.csv", "oneroster/classes.csv",
                 f"people/{family['student']['id']}/grades.json"):
        assert name in names, name
    assert family["student"]["sourced_id"] in z.read("oneroster/users.csv").decode()
    assert "file.demographics,absent" in z.read("oneroster/manifest.csv").decode()
    # One download only.
    assert session.get(stack.url("app", link)).status_code == 404


def test_the_school_admin_requests_cancels_and_confirms_erasures(stack, demo, browser, mail_dir, family, admin, oauth, receiver):
    from standardwebhooks.webhooks import Webhook

    student, parent, other = family["student"], family["parent"], family["other"]
    # An approved app whose webhook endpoint subscribes to person.erased; the student authorizes it and holds its tokens.
    developer, _, path, _, client_id = approved_app(stack, mail_dir, admin, "erasure", scopes=("openid", "profile.read"))
    _, signing_secret = add_endpoint(stack, developer, path, receiver.url("/erased"), events=("person.erased",))
    secret = new_secret(stack, developer, path, admin)
    sync(stack)
    flow = oauth.flow(DemoClient(client_id, secret, REDIRECT_URI), "openid profile.read")
    flow.authorize(browser, {"username": student["username"], "password": PASSWORD})
    tokens = flow.exchange()
    token = tokens["access_token"]
    me = stack.session().get(stack.url("app", "/api/v1/me"), headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id"] in (student["id"], str(student["id"])), me.text
    # The `sub` this app knows the student by: pairwise, as for every app sync registers (OIDC Core §8).
    known_sub = oauth.verify_id_token(tokens["id_token"], DemoClient(client_id, secret, REDIRECT_URI), flow.nonce)["sub"]
    assert known_sub != str(student["id"])
    browser.reset()
    # A mail to the student in the dev mail folder.
    assert browser.open("/password/forgot") == 200
    assert browser.submit("form#forgot", {"email": student["email"]}) == 200
    deadline = time.monotonic() + 15
    while not [p for p in mail_dir.glob("*.eml") if student["email"] in p.read_text(errors="replace")] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p for p in mail_dir.glob("*.eml") if student["email"] in p.read_text(errors="replace")], "a mail to the student"

    sign_in_admin(browser, demo)
    # Erasing someone of another school: the platform admin belongs to none.
    platform = sql(stack, "SELECT id FROM users WHERE role = 'platform_admin' LIMIT 1")[0][0]
    assert browser.open(f"/school/users/{platform}/privacy") == 404

    # Request and cancel the other student's erasure.
    assert browser.open(f"/school/users/{other['id']}/privacy") == 200
    assert browser.submit("form[action$='/erasure']") == 200
    assert browser.text("#erasure-state") == "Requested, waiting for confirmation"
    # A second request while one is open is refused with a clear message, and nothing is added.
    csrf = CSRF.search(browser.driver.page_source).group(1)
    again = session_of(stack, browser).post(stack.url("app", f"/school/users/{other['id']}/erasure"), data={"csrf": csrf})
    assert again.status_code == 409 and "already requested" in again.text
    assert sql(stack, f"SELECT COUNT(*) FROM erasures WHERE subject_user_id = {other['id']}") == [["1"]]
    assert browser.submit("form[action$='/cancel']") == 200
    assert browser.notice() == "The erasure is cancelled. Nothing was erased."
    assert browser.find("#erasure-state").get_attribute("data-status") == "cancelled"

    # Request and confirm the student's erasure; cancelling it later is still possible until it runs (tested in
    # Swift); here it runs.
    assert browser.open(f"/school/users/{student['id']}/privacy") == 200
    assert browser.submit("form[action$='/erasure']") == 200
    erasure_path = browser.path
    assert browser.submit("form[action$='/confirm']") == 200
    assert browser.find("#erasure-state").get_attribute("data-status") == "scheduled"
    assert browser.text("#erasure-state").startswith("Confirmed: runs after ")

    # Before the waiting period ends nothing happens.
    assert cli(stack, "erasures", "run")["erased"] == 0
    assert sql(stack, f"SELECT given_name FROM users WHERE id = {student['id']}") == [[student["given"]]]
    later = (datetime.now(timezone.utc) + timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = cli(stack, "erasures", "run", "--now", later)
    assert report["erased"] >= 1 and report["mails_removed"] >= 1, report
    # --now moves only which erasures are due: nothing written is dated in the future (sync's watermarks need that).
    assert sql(stack, "SELECT COUNT(*) FROM webhook_outbox WHERE occurred_at > UTC_TIMESTAMP(6) + INTERVAL 1 MINUTE") == [["0"]]
    assert browser.open(erasure_path) == 200
    assert browser.find("#erasure-state").get_attribute("data-status") == "completed"

    pseudonym = sql(stack, f"SELECT pseudonym FROM erasures WHERE subject_user_id = {student['id']} AND status = 'completed'")[0][0]
    assert re.fullmatch(r"erased-[a-z2-7]{16}", pseudonym)
    assert sql(stack, f"SELECT username, sourced_id, email, active FROM users WHERE id = {student['id']}") == [[pseudonym, pseudonym, "NULL", "0"]]
    # Tokens revoked, then the grant deleted; the consent gone; sessions gone.
    assert sql(stack, f"SELECT COUNT(*) FROM oauth_grants WHERE user_id = {student['id']}") == [["0"]]
    assert sql(stack, f"SELECT COUNT(*) FROM oauth_consents WHERE user_id = {student['id']}") == [["0"]]
    assert sql(stack, f"SELECT COUNT(*) FROM sessions WHERE user_id = {student['id']}") == [["0"]]
    assert sql(stack, f"SELECT COUNT(*) FROM guardianships WHERE student_id = {student['id']}") == [["0"]]
    # The grade stays under the pseudonym, without the teacher's comment naming the student.
    assert sql(stack, f"SELECT score, comment FROM grades WHERE student_id = {student['id']}") == [["17.50", "NULL"]]
    # The app's token stopped working.
    me = stack.session().get(stack.url("app", "/api/v1/me"), headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    # The app is told, with only the subject it knew: sync hands the event over, the delivery run posts it signed.
    events = sql(stack, f"SELECT event_type, client_id, subject FROM webhook_outbox WHERE client_id = '{client_id}' AND event_type = 'person.erased'")
    assert events == [["person.erased", client_id, known_sub]]
    assert sync(stack)["deliveries_queued"] >= 1
    run_cron(stack)
    [(_, headers, body)] = receiver.received("/erased")
    payload = Webhook(signing_secret).verify(body, {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
    assert payload["type"] == "person.erased"
    assert payload["data"] == {"client_id": client_id, "sub": known_sub}
    for needle in (student["given"], student["family"], student["email"], student["username"], student["sourced_id"]):
        assert needle not in body.decode()
    # The erased person cannot sign in any more.
    browser.reset()
    assert browser.sign_in(student["username"], PASSWORD) == 200 and browser.path.startswith("/login")

    # The search: every text column of every table of both databases, for every identifier.
    needles = [student["given"], student["family"], student["email"], student["username"], student["sourced_id"]]
    hits = search_everywhere(stack, needles)
    assert hits == [], f"the erased person is still found: {hits}"
    assert [p for p in mail_dir.glob("*.eml") if student["email"] in p.read_text(errors="replace")] == [], "mail to them is gone"
    # The search itself finds what is there: the parent was not erased.
    assert search_everywhere(stack, [parent["family"]]) != []


def search_everywhere(stack, needles):
    hits = []
    for database in ("catalyst_main", "catalyst_developers"):
        columns = sql(stack, f"""
            SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = '{database}' AND DATA_TYPE IN ('char', 'varchar', 'text', 'tinytext', 'mediumtext', 'longtext', 'enum', 'set')
            AND TABLE_NAME IN (SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{database}' AND TABLE_TYPE = 'BASE TABLE')""")
        assert len(columns) > 20, f"{database} has text columns"
        for table, column in columns:
            for needle in needles:
                found = sql(stack, f"SELECT COUNT(*) FROM `{table}` WHERE CONVERT(`{column}` USING utf8mb4) COLLATE utf8mb4_unicode_ci "
                                   f"LIKE '%{needle}%'", database)
                if found != [["0"]]:
                    hits.append((database, table, column, needle, found[0][0]))
    return hits
