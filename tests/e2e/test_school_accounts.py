"""School accounts as students, parents, teachers and the school admin see them: in Chromium, through nginx.

The demo school's sign-ins come from demo.json. Each test that changes something owns its demo users, so the
tests run in any order and again on the same stack:

    student01  signs in and reads grades          student05  sees attendance teacher1 records
    student02  signs out                          student03  sign-in form posted without its token
    student60  is throttled, then recovers        parent01   sees their children
    parent40   (the last parent) resets a password teacher3 posts forged forms (requests)
    teacher1   records attendance, mistypes grades (nothing is saved), is refused other classes
"""
import datetime
import email
import email.policy
import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By

SHOTS = Path(os.environ.get("CW_SCREENSHOT_DIR", "/tmp/cw-shots"))
SESSION_COOKIE = "__Host-cw_session"
FAILED = "That email or username and password do not match. Check both and try again."
LOCKED = re.compile(r"Too many failed sign-ins\. Wait (\d+) seconds? and try again\.")
STALE_FORM = "This form has expired or did not come from this site. Go back, reload the page and try again."
CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
LOCK_SECONDS = 3  # accounts.throttle_lockout_seconds of the test stack


def person(demo, group, username):
    return next(p for p in demo[group] if p["username"] == username)


def ids(values):
    return {int(v) for v in values}


def class_ids(browser):
    return ids(browser.attributes("ul#classes li[data-class-id]", "data-class-id"))


def cell_texts(row):
    return [cell.text.strip() for cell in row.find_elements(By.TAG_NAME, "td")]


def sign_in_target(location):
    """The page a redirect to the sign-in page returns to afterwards (`next`, decoded), or the location itself.

    The app writes `/login?next=/student`: a slash may stand unencoded in a query (RFC 3986 §3.4), so
    `next=/student` and `next=%2Fstudent` are the same redirect and either is accepted.
    """
    parts = urlsplit(location)
    if parts.scheme or parts.netloc or parts.path != "/login":
        return location
    query = parse_qs(parts.query)
    return query["next"][0] if list(query) == ["next"] and len(query["next"]) == 1 else location


def sign_in(browser, who, lands_on):
    """Signs in through the form and checks the role's home page is shown."""
    status = browser.sign_in(who["username"], who["password"])
    assert (status, browser.path) == (200, lands_on), f"signing in as {who['username']}: {browser.text('main')!r}"


def assert_not_found(browser, path):
    assert browser.open(path) == 404, f"GET {path} answered {browser.status}"
    assert browser.text("h1") == "Page not found"


# Signing in ---------------------------------------------------------------------------------------------------


def test_a_student_signs_in_and_sees_their_classes_and_published_grades(stack, demo, browser):
    me = person(demo, "students", "student01")
    teacher = person(demo, "teachers", "teacher1")
    maths = teacher["classes"][0]

    # A signed-out visit to /student asks for sign-in and comes back afterwards.
    assert browser.open("/student") == 200
    assert [(status, sign_in_target(location)) for status, location in browser.redirects] == [(303, "/student")]
    assert browser.value("form#signin input[name=next]") == "/student"
    status = browser.submit("form#signin", {"identifier": me["username"], "password": me["password"]})
    assert (status, browser.path) == (200, "/student"), browser.text("main")
    assert browser.redirects == [(303, "/student")]
    assert browser.text("#signed-in-as") == f"{me['name']} · Student"
    assert class_ids(browser) == {c["id"] for c in me["classes"]}

    grades = {}
    for row in browser.find_all("table#grades tr[data-assessment-id]"):
        class_title, title = cell_texts(row)[:2]
        score = row.find_element(By.CSS_SELECTOR, "td.score").text.strip()
        average = row.find_element(By.CSS_SELECTOR, "td.average").text.strip()
        assert class_title in {c["title"] for c in me["classes"]}
        assert re.fullmatch(r"\d+(\.\d{1,2})? / \d+(\.\d{1,2})?", score), score
        assert re.fullmatch(r"\d+(\.\d+)?", average), average
        grades[int(row.get_attribute("data-assessment-id"))] = (class_title, title, score)
    assert len(grades) == len(browser.find_all("table#grades tr[data-assessment-id]")), "an assessment is listed twice"
    assert any(line[0] == maths["title"] for line in grades.values()), "no published mathematics grade"
    browser.screenshot(SHOTS / "student.png")

    # The teacher's grade sheets hold the same scores, and what is still a draft is not shown to the student.
    browser.reset()
    sign_in(browser, teacher, "/teacher")
    assert browser.open(f"/teacher/classes/{maths['id']}") == 200
    published = {int(row.get_attribute("data-assessment-id"))
                 for row in browser.find_all("table#assessments tr[data-assessment-id]")
                 if row.find_element(By.CSS_SELECTOR, "td.published-state").text.strip() == "Published"}
    assert published == {a for a, line in grades.items() if line[0] == maths["title"]}
    for assessment, (class_title, title, score) in grades.items():
        if class_title != maths["title"]:
            continue
        assert browser.open(f"/teacher/classes/{maths['id']}/assessments/{assessment}") == 200
        assert browser.text("main h1") == title
        maximum = re.search(r"Out of ([\d.]+)", browser.text("main")).group(1)
        shown = browser.value(f"input[name=score-{me['id']}]")
        assert f"{shown} / {maximum}" == score


def test_a_parent_sees_exactly_their_children_and_no_other_child(stack, demo, browser):
    parent = person(demo, "parents", "parent01")
    students = {s["id"]: s for s in demo["students"]}

    sign_in(browser, parent, "/parent")
    assert browser.text("#signed-in-as") == f"{parent['name']} · Parent"
    assert ids(browser.attributes("ul#children li[data-student-id]", "data-student-id")) == set(parent["children"])

    for child in parent["children"]:
        assert browser.open("/parent") == 200
        assert browser.follow(f"ul#children li[data-student-id='{child}'] a") == 200
        assert browser.path == f"/parent/children/{child}"
        assert browser.text("#child-name") == students[child]["name"]
        assert class_ids(browser) == {c["id"] for c in students[child]["classes"]}
        assert browser.find_all("table#grades tr[data-assessment-id]")
        assert browser.find_all("table#attendance tr[data-day]")

    other = next(s for s in demo["students"] if s["id"] not in parent["children"])
    for path in (f"/parent/children/{other['id']}", "/parent/children/abc", "/parent/children/99999999"):
        assert_not_found(browser, path)
        assert other["name"] not in browser.driver.page_source


def test_a_teacher_records_attendance_and_the_student_sees_it(stack, demo, browser):
    teacher = person(demo, "teachers", "teacher1")
    pupil = person(demo, "students", "student05")
    klass = teacher["classes"][0]
    assert klass["id"] in {c["id"] for c in pupil["classes"]}
    note = f"Bus was late, e2e {secrets.token_hex(4)}"

    sign_in(browser, teacher, "/teacher")
    assert class_ids(browser) == {c["id"] for c in teacher["classes"]}
    assert browser.follow(f"ul#classes li[data-class-id='{klass['id']}'] a") == 200
    assert browser.path == f"/teacher/classes/{klass['id']}"
    assert browser.text("#class-title") == klass["title"]
    assert pupil["id"] in ids(browser.attributes("table#roster tr[data-student-id]", "data-student-id"))
    browser.screenshot(SHOTS / f"teacher-class-{klass['id']}.png")

    assert browser.follow("#take-attendance") == 200
    assert browser.path == f"/teacher/classes/{klass['id']}/attendance"
    day = browser.value("form#attendance-form input[name=date]")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
    mine = {f"status-{pupil['id']}", f"note-{pupil['id']}"}
    others = {name: value for name, value in browser.form_values("form#attendance-form").items() if name not in mine}

    assert browser.submit("form#attendance-form", {f"status-{pupil['id']}": "late", f"note-{pupil['id']}": note}) == 200
    assert browser.redirects == [(303, f"/teacher/classes/{klass['id']}/attendance?date={day}&saved=1")]
    # The day is written the English way ("Dec 7, 2026"): the same day as the form's ISO date.
    shown = datetime.date.fromisoformat(day)
    written = f"{shown:%b} {shown.day}, {shown.year}"
    assert browser.notice() == f"Attendance saved for {written}."
    assert browser.value(f"select[name=status-{pupil['id']}]") == "late"
    assert browser.value(f"input[name=note-{pupil['id']}]") == note
    after = browser.form_values("form#attendance-form")
    assert {name: value for name, value in after.items() if name not in mine} == others, "other students' marks changed"

    browser.reset()
    sign_in(browser, pupil, "/student")
    row = browser.find(f"table#attendance tr[data-day='{day}'][data-class-id='{klass['id']}']")
    assert cell_texts(row) == [written, klass["title"], "Late", note]
    assert row.find_elements(By.CSS_SELECTOR, "td.status-late")
    assert int(browser.text("ul#attendance-summary li[data-status=late] b")) >= 1


def test_a_teacher_cannot_open_a_class_they_do_not_teach(stack, demo, browser):
    teacher = person(demo, "teachers", "teacher1")
    theirs = {c["id"] for c in teacher["classes"]}
    others = {c["id"] for t in demo["teachers"] for c in t["classes"]} - theirs
    assert others

    sign_in(browser, teacher, "/teacher")
    for klass in sorted(others):
        for path in (f"/teacher/classes/{klass}", f"/teacher/classes/{klass}/attendance"):
            assert_not_found(browser, path)


# Signing out --------------------------------------------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server(stack, demo, browser):
    me = person(demo, "students", "student02")
    sign_in(browser, me, "/student")

    cookie = browser.cookie(SESSION_COOKIE)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"], cookie["path"]) == (True, True, "Lax", "/")
    assert cookie["domain"] == "app.localhost", "a __Host- cookie carries no Domain attribute"

    def replay():
        with stack.session() as http:
            return http.get(stack.url("app", "/student"), headers={"Cookie": f"{SESSION_COOKIE}={cookie['value']}"},
                            allow_redirects=False)

    assert replay().status_code == 200  # the copied cookie works while the session lasts

    assert browser.sign_out() == 200
    assert browser.redirects == [(303, "/login?signed_out=1")]
    assert browser.notice() == "You have signed out."
    assert browser.cookie(SESSION_COOKIE) is None
    assert browser.open("/student") == 200
    assert [(status, sign_in_target(location)) for status, location in browser.redirects] == [(303, "/student")]

    replayed = replay()
    assert replayed.status_code == 303
    assert sign_in_target(replayed.headers["Location"]) == "/student"


# Throttling ---------------------------------------------------------------------------------------------------


def fail_five_times(browser, identifier):
    assert browser.open("/login") == 200
    for attempt in range(1, 6):
        status = browser.submit("form#signin", {"identifier": identifier, "password": f"wrong password {attempt}"})
        assert status == 200, f"attempt {attempt}: {status} {browser.text('main')!r}"
        assert browser.path == "/login"
        assert browser.text("#signin-error") == FAILED, f"attempt {attempt}"


def assert_locked(browser):
    assert browser.status == 429
    wait = LOCKED.fullmatch(browser.text("#signin-error"))
    assert wait, browser.text("#signin-error")
    assert 1 <= int(wait.group(1)) <= LOCK_SECONDS
    assert browser.headers.get("retry-after") == wait.group(1)


def test_a_throttled_account_recovers_after_the_wait(stack, demo, browser):
    me = person(demo, "students", "student60")
    # A success clears the account's counter, in case an earlier run stopped half-way.
    sign_in(browser, me, "/student")
    browser.reset()

    fail_five_times(browser, me["email"])
    # Locked: now even the right password is refused.
    browser.submit("form#signin", {"identifier": me["email"], "password": me["password"]})
    assert browser.path == "/login"
    assert_locked(browser)
    assert browser.cookie(SESSION_COOKIE) is None

    time.sleep(LOCK_SECONDS + 0.5)
    assert browser.submit("form#signin", {"identifier": me["email"], "password": me["password"]}) == 200
    assert browser.redirects == [(303, "/student")]
    assert browser.text("#signed-in-as") == f"{me['name']} · Student"


def test_an_unknown_identifier_is_throttled_like_a_real_account(stack, browser):
    nobody = f"nobody-{secrets.token_hex(6)}@demo.example.org"
    fail_five_times(browser, nobody)
    browser.submit("form#signin", {"identifier": nobody, "password": "wrong password 6"})
    assert_locked(browser)


# Forms from elsewhere -----------------------------------------------------------------------------------------


def csrf_of(html):
    found = CSRF_FIELD.search(html)
    assert found, "the page has no csrf field"
    return found.group(1)


def test_a_form_posted_without_its_csrf_token_is_refused(stack, demo, http):
    teacher = person(demo, "teachers", "teacher3")
    klass = teacher["classes"][0]["id"]
    login_page = http.get(stack.url("app", "/login"))
    signed_out_token = csrf_of(login_page.text)
    signed_in = http.post(stack.url("app", "/login"), allow_redirects=False,
                          data={"csrf": signed_out_token, "identifier": teacher["username"],
                                "password": teacher["password"]})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/teacher"
    set_cookie = signed_in.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in set_cookie.split(";")[1:]}
    assert {"path", "secure", "httponly", "samesite"} <= attributes.keys()
    assert (attributes["path"], attributes["samesite"]) == ("Path=/", "SameSite=Lax")
    assert "domain" not in attributes

    sheet = stack.url("app", f"/teacher/classes/{klass}/attendance")
    page = http.get(sheet)
    assert page.status_code == 200
    token = csrf_of(page.text)
    day = re.search(r'<input type="hidden" name="date" value="([^"]+)">', page.text).group(1)
    student = re.search(r'<tr data-student-id="(\d+)">', page.text).group(1)

    def row(html):
        return re.search(rf'<tr data-student-id="{student}">.*?</tr>', html, re.S).group(0)

    before = row(page.text)
    forged = {"date": day, f"status-{student}": "absent", f"note-{student}": "forged"}
    attempts = {
        "no token": (forged, {}),
        "a made-up token": ({**forged, "csrf": "A" * len(token)}, {}),
        "the signed-out form's token": ({**forged, "csrf": signed_out_token}, {}),
        "another site's Origin": ({**forged, "csrf": token}, {"Origin": "https://evil.example"}),
    }
    for name, (data, headers) in attempts.items():
        refused = http.post(sheet, data=data, headers=headers, allow_redirects=False)
        assert refused.status_code == 403, name
        assert STALE_FORM in refused.text, name
    assert row(http.get(sheet, params={"date": day}).text) == before, "a refused form changed the attendance"

    logout = stack.url("app", "/logout")
    empty_form = {"Content-Type": "application/x-www-form-urlencoded"}  # the sign-out form minus its token
    assert http.post(logout, data="", headers=empty_form, allow_redirects=False).status_code == 403
    evil = {"Origin": "https://evil.example"}
    assert http.post(logout, data={"csrf": token}, headers=evil, allow_redirects=False).status_code == 403
    assert http.get(stack.url("app", "/teacher"), allow_redirects=False).status_code == 200, "still signed in"

    # The same client with the right token and this site's Origin is let through.
    out = http.post(logout, data={"csrf": token}, headers={"Origin": stack.app_url}, allow_redirects=False)
    assert (out.status_code, out.headers["Location"]) == (303, "/login?signed_out=1")
    signed_out = http.get(stack.url("app", "/teacher"), allow_redirects=False)
    assert (signed_out.status_code, sign_in_target(signed_out.headers["Location"])) == (303, "/teacher")


def test_the_sign_in_form_without_its_token_is_refused(stack, demo, http):
    me = person(demo, "students", "student03")
    assert http.get(stack.url("app", "/login")).status_code == 200  # the browser now holds the form cookie
    refused = http.post(stack.url("app", "/login"), data={"identifier": me["username"], "password": me["password"]},
                        allow_redirects=False)
    assert refused.status_code == 403
    assert STALE_FORM in refused.text
    assert SESSION_COOKIE not in refused.headers.get("Set-Cookie", "")


# Password reset -----------------------------------------------------------------------------------------------


def mails_to(mail_dir, address, skip):
    found = []
    for path in sorted(set(mail_dir.glob("*.eml")) - skip):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address.lower() in str(message["To"]).lower():
            found.append(message)
    return found


def test_a_forgotten_password_is_reset_through_the_mailed_link(stack, demo, browser, mail_dir):
    parent = demo["parents"][-1]  # no other test signs in as the last parent
    stranger = f"nobody-{secrets.token_hex(6)}@demo.example.org"
    earlier = set(mail_dir.glob("*.eml"))

    # The page says the same whether or not the address has an account.
    for address in (stranger, parent["email"]):
        assert browser.open("/password/forgot") == 200
        assert browser.submit("form#forgot", {"email": address}) == 200
        assert browser.has("#reset-sent")

    deadline = time.monotonic() + 15
    while not (mails := mails_to(mail_dir, parent["email"], earlier)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(mails) == 1, f"expected one mail to {parent['email']} in {mail_dir}, found {len(mails)}"
    assert mails_to(mail_dir, stranger, earlier) == [], "a mail went to an address without an account"
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(stack.app_url) + r"/password/reset\?token=(\S+)", body)
    assert link, body
    assert link.group(1).startswith("cw_pwl_")
    path = link.group(0)[len(stack.app_url):]

    new_password = "e2e " + secrets.token_urlsafe(12)
    assert browser.open(path) == 200
    assert browser.has("form#reset")
    assert browser.submit("form#reset", {"password": new_password, "confirmation": new_password}) == 200
    assert browser.redirects == [(303, "/login?reset=1")]
    assert browser.notice() == "Your password is saved. Sign in with it now."

    assert browser.submit("form#signin", {"identifier": parent["email"], "password": parent["password"]}) == 200
    assert browser.text("#signin-error") == FAILED, "the demo password still works"
    assert browser.submit("form#signin", {"identifier": parent["email"], "password": new_password}) == 200
    assert browser.path == "/parent"
    assert browser.text("#signed-in-as") == f"{parent['name']} · Parent"

    browser.reset()
    assert browser.open(path) == 400
    assert browser.has("#link-invalid")
    assert not browser.has("form#reset")


# Grades -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["above the maximum", "not a number"])
def test_an_invalid_score_is_refused_with_a_422_and_nothing_is_saved(stack, demo, browser, kind):
    teacher = person(demo, "teachers", "teacher1")
    klass = teacher["classes"][0]["id"]
    sign_in(browser, teacher, "/teacher")
    assert browser.open(f"/teacher/classes/{klass}") == 200
    assessment = browser.attributes("table#assessments tr[data-assessment-id]", "data-assessment-id")[0]
    sheet = f"/teacher/classes/{klass}/assessments/{assessment}"
    assert browser.open(sheet) == 200
    maximum = re.search(r"Out of ([\d.]+)", browser.text("main")).group(1)
    first, second = browser.attributes("table#grade-sheet tr[data-student-id]", "data-student-id")[:2]
    fields = [f"score-{first}", f"comment-{first}", f"score-{second}", f"comment-{second}"]
    before = {name: browser.value(f"[name='{name}']") for name in fields}

    typed = f"{float(maximum) + 50:g}" if kind == "above the maximum" else "abc"
    valid = "1" if before[f"score-{second}"] != "1" else "2"
    assert browser.submit("form#grades-form", {
        f"score-{first}": typed,
        f"score-{second}": valid, f"comment-{second}": f"changed by e2e {secrets.token_hex(3)}",
    }) == 422
    assert browser.path == sheet
    assert browser.text(f"#score-{first}-error") == f"Enter a number from 0 to {maximum}, with at most two decimals."
    assert not browser.has(f"#score-{second}-error")
    assert browser.value(f"[name='score-{first}']") == typed  # kept for the teacher to correct
    # The problem notice heads the error summary, which links each error to its field.
    assert browser.text("#error-summary .error-summary-title") == "Nothing was saved: correct the marked fields."
    assert browser.find("#error-summary a").get_attribute("hash") == f"#score-{first}-error-field"

    assert browser.open(sheet) == 200
    assert {name: browser.value(f"[name='{name}']") for name in fields} == before, "part of a refused sheet was saved"


# School admin -------------------------------------------------------------------------------------------------


def test_the_school_admin_sees_the_school_and_a_broken_roster_is_refused(stack, demo, browser, tmp_path):
    admin = demo["school_admin"]
    sign_in(browser, admin, "/school")
    assert browser.text("#school-name") == demo["school"]["name"]

    assert browser.open("/school/users?role=teacher") == 200
    emails = {cell_texts(row)[3] for row in browser.find_all("table#users tbody tr[data-user-id]")}
    assert emails == {t["email"] for t in demo["teachers"]}

    assert browser.open("/school/classes") == 200
    titles = {int(row.get_attribute("data-class-id")): cell_texts(row)[0]
              for row in browser.find_all("table#classes tr[data-class-id]")}
    assert {c["id"]: c["title"] for t in demo["teachers"] for c in t["classes"]}.items() <= titles.items()

    # A delta set (nothing would be deactivated even if it were accepted) whose one user has a role OneRoster
    # does not know.
    (tmp_path / "manifest.csv").write_text(
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
        "file.academicSessions,absent\nfile.classes,absent\nfile.courses,absent\n"
        "file.enrollments,absent\nfile.orgs,absent\nfile.users,delta\n")
    wizard = f"e2e-wizard-{secrets.token_hex(4)}"
    (tmp_path / "users.csv").write_text(
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName,email\n"
        f"{wizard},active,2026-11-01T08:00:00Z,true,{demo['school']['sourced_id']},wizard,{wizard},Wanda,Wizard,\n")

    assert browser.open("/school/roster") == 200
    history = browser.text("main > h2 + *")
    assert browser.submit("form#roster-upload", {"files": [tmp_path / "manifest.csv", tmp_path / "users.csv"]}) == 422
    problems = [item.text.strip() for item in browser.find_all("#import-problems li")]
    assert ("users.csv line 2, column role: 'wizard' is not one of "
            "administrator, aide, guardian, parent, proctor, relative, student, teacher") in problems, problems
    assert not browser.has("#import-result")
    assert browser.text("main > h2 + *") == history, "a refused upload was recorded as an import"
