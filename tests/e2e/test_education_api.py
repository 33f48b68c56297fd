"""The education API (/api/v1) as third-party apps call it: real access tokens from the authorization code flow
(PKCE S256, Authlib exchanging the code), through nginx over TLS.

Sign-in and consent are done with `requests` (the sign-in form, then the consent form's POST), which is what a
browser sends; the browser-level consent page is covered by test_oauth.py.

A second school (`e2e-other-school`, its admin, teacher, student and parent) is created here with SQL, the way a
roster import would leave it, so the matrix has "another school" rows.

Demo users this module owns (other modules own student01-20, student60, parent01, parent02, parent40, teacher1,
teacher3): student21 (matrix student), student22 (rate limit), parent25 (matrix parent, child student25),
parent26 (a token without parent.grades.read), parent27 (blocking), parent28 (a school limit narrowing existing tokens), teacher2 (matrix teacher), schooladmin.
"""
import configparser
import html
import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from two_step import pass_code_step

from oauth_client import query

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
API = "/api/v1"

SCOPES = {
    "student": "openid profile.read student.classes.read student.grades.read student.attendance.read school.read",
    "parent": "openid profile.read parent.children.read parent.grades.read parent.attendance.read school.read",
    "teacher": "openid profile.read teacher.students.read teacher.grades.read teacher.grades.write "
               "teacher.attendance.read teacher.attendance.write school.read",
    "admin": "openid profile.read admin.users.read admin.school.read school.read",
}


def person(demo, group, username):
    return next(p for p in demo[group] if p["username"] == username)


# The database ----------------------------------------------------------------------------------------------------


def main_database(stack):
    config = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#",))
    config.read(stack.dir / "catalystwells.conf")
    return config.get("database", "main_database", fallback="catalyst_main")


def sql(stack, statement):
    """Runs SQL as root on the stack's MariaDB; returns the rows as lists of strings."""
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B", main_database(stack)],
        input=statement, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


OTHER_SCHOOL = """
INSERT IGNORE INTO schools (sourced_id, name, created_at, updated_at)
VALUES ('e2e-other-school', 'Other E2E School', NOW(6), NOW(6));
SET @s = (SELECT id FROM schools WHERE sourced_id = 'e2e-other-school');
SET @hash = (SELECT password_hash FROM users WHERE username = 'student01');
INSERT IGNORE INTO users (school_id, sourced_id, role, given_name, family_name, email, username, grade_level, password_hash,
                          created_at, updated_at) VALUES
  (@s, 'e2e-o-admin', 'school_admin', 'Olga', 'Admin', 'e2e-otheradmin@other.example.org', 'e2e-otheradmin', NULL, @hash, NOW(6), NOW(6)),
  (@s, 'e2e-o-teacher', 'teacher', 'Otto', 'Teacher', 'e2e-otherteacher@other.example.org', 'e2e-otherteacher', NULL, @hash, NOW(6), NOW(6)),
  (@s, 'e2e-o-student', 'student', 'Oona', 'Student', 'e2e-otherstudent@other.example.org', 'e2e-otherstudent', '10', @hash, NOW(6), NOW(6)),
  (@s, 'e2e-o-parent', 'parent', 'Omar', 'Parent', 'e2e-otherparent@other.example.org', 'e2e-otherparent', NULL, @hash, NOW(6), NOW(6));
-- This school requires no second factor, so its admin (made here without one) reaches the school's pages.
INSERT IGNORE INTO school_second_factor_policies (school_id, required_roles, updated_at) VALUES (@s, '', NOW(6));
INSERT IGNORE INTO terms (school_id, sourced_id, title, kind, start_date, end_date)
VALUES (@s, 'e2e-o-term', 'Fall', 'term', '2026-09-01', '2026-12-18');
INSERT IGNORE INTO courses (school_id, sourced_id, title) VALUES (@s, 'e2e-o-course', 'Art');
INSERT IGNORE INTO classes (school_id, sourced_id, title, course_id, term_id)
SELECT @s, 'e2e-o-class', 'Art 10O', co.id, t.id FROM courses co JOIN terms t ON t.school_id = co.school_id
WHERE co.school_id = @s AND co.sourced_id = 'e2e-o-course' AND t.sourced_id = 'e2e-o-term';
SET @c = (SELECT id FROM classes WHERE school_id = @s AND sourced_id = 'e2e-o-class');
SET @teacher = (SELECT id FROM users WHERE username = 'e2e-otherteacher');
SET @student = (SELECT id FROM users WHERE username = 'e2e-otherstudent');
INSERT IGNORE INTO enrollments (class_id, user_id, role) VALUES (@c, @teacher, 'teacher'), (@c, @student, 'student');
INSERT IGNORE INTO guardianships (parent_id, student_id) SELECT id, @student FROM users WHERE username = 'e2e-otherparent';
INSERT INTO assessments (class_id, title, max_score, due_date, published, graded_count, average_score, created_by, created_at, updated_at)
SELECT @c, 'Art quiz', 100, '2026-09-10', TRUE, 1, 80, @teacher, NOW(6), NOW(6) FROM DUAL
WHERE NOT EXISTS (SELECT 1 FROM assessments WHERE class_id = @c);
SET @a = (SELECT MIN(id) FROM assessments WHERE class_id = @c);
INSERT IGNORE INTO grades (assessment_id, student_id, score, recorded_by, recorded_at) VALUES (@a, @student, 80, @teacher, NOW(6));
INSERT IGNORE INTO attendance (class_id, student_id, day, status, recorded_by, recorded_at)
VALUES (@c, @student, '2026-09-10', 'present', @teacher, NOW(6));
SELECT @s, @c, @a, @teacher, @student, (SELECT id FROM users WHERE username = 'e2e-otherparent'),
       (SELECT id FROM users WHERE username = 'e2e-otheradmin');
"""


@pytest.fixture(scope="module")
def world(stack, demo):
    """The ids the matrix needs: both schools, their people, classes and assessments."""
    school, klass, assessment, teacher, student, parent, admin = (int(v) for v in sql(stack, OTHER_SCHOOL)[-1])
    teacher2 = person(demo, "teachers", "teacher2")
    english = next(c["id"] for c in teacher2["classes"] if c["title"].startswith("English"))
    science = next(c["id"] for c in person(demo, "teachers", "teacher3")["classes"])
    demo_school = int(sql(stack, "SELECT id FROM schools WHERE sourced_id = 'demo-school'")[0][0])
    published = int(sql(stack, f"SELECT MIN(id) FROM assessments WHERE class_id = {english} AND published")[0][0])
    science_quiz = int(sql(stack, f"SELECT MIN(id) FROM assessments WHERE class_id = {science}")[0][0])
    other_password = demo["password"]
    return {
        "demo_school": demo_school, "other_school": school,
        "student": person(demo, "students", "student21"), "parent": person(demo, "parents", "parent25"),
        "teacher": teacher2, "admin": demo["school_admin"],
        "other_admin": {"username": "e2e-otheradmin", "password": other_password, "id": admin},
        "other_student": student, "other_parent": parent, "other_class": klass, "other_assessment": assessment,
        "english": english, "science": science, "english_quiz": published, "science_quiz": science_quiz,
    }


# Tokens ----------------------------------------------------------------------------------------------------------


def signed_in(stack, who):
    """A `requests` session signed in as `who` through the sign-in form."""
    http = stack.session()
    token = CSRF_FIELD.search(http.get(stack.url("app", "/login"), timeout=10).text).group(1)
    response = http.post(stack.url("app", "/login"), allow_redirects=False, timeout=10,
                         data={"csrf": token, "identifier": who["username"], "password": who["password"]})
    response = pass_code_step(stack, http, response, who["username"])
    assert response.status_code == 303, f"sign-in as {who['username']}: {response.status_code}"
    return http


def authorize(stack, oauth, client, who, scope, http=None):
    """The authorization code flow as `who` (consenting when asked); returns (session, Authlib token dict) or, when
    the server answers with a page instead of a redirect, (session, that response)."""
    http = http or signed_in(stack, who)
    flow = oauth.flow(client, scope)
    response = http.get(flow.url, allow_redirects=False, timeout=10)
    if response.status_code == 200 and 'id="consent-form"' in response.text:
        form = response.text.split('id="consent-form"', 1)[1].split("</form>", 1)[0]
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        response = http.post(stack.url("app", "/authsso"), data=dict(fields, decision="approve"), allow_redirects=False, timeout=10)
    if response.status_code != 303:
        return http, response
    flow.callback = response.headers["Location"]
    assert "code" in query(flow.callback), flow.callback
    return http, flow.exchange()


def token_for(stack, oauth, client, who, scope):
    _, token = authorize(stack, oauth, client, who, scope)
    assert isinstance(token, dict), f"no token for {who['username']}: {token.status_code} {token.text[:300]}"
    return token


class Caller:
    """Calls the API with one access token; waits out 429s (they are not part of what the tests count)."""

    def __init__(self, stack, token):
        self.stack = stack
        self.token = token
        self.http = stack.session()

    def __call__(self, method, path, body=None, params=None, headers=None):
        for _ in range(50):
            response = self.http.request(
                method, self.stack.url("app", API + path), json=body, params=params, timeout=10,
                headers=dict({"Authorization": f"Bearer {self.token}"}, **(headers or {})))
            if response.status_code != 429:
                return response
            time.sleep(int(response.headers.get("Retry-After", "1")))
        raise AssertionError(f"{method} {path} stayed rate limited")


def assert_json_error(response, status, error):
    assert response.status_code == status, f"{response.status_code} {response.text[:300]}"
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error, body
    assert body["error_description"], body
    return body


# The relationship matrix -----------------------------------------------------------------------------------------


def attendance(student):
    """An attendance sheet of one mark, on a fixed past school day."""
    return {"date": "2026-09-07", "marks": [{"student_id": student, "status": "present"}]}


def grades(student):
    return {"grades": [{"student_id": student, "score": 7}]}


def expected_rows(world):
    """The matrix: role -> list of (label, method, path, body, status), an "own" and an "other" record per endpoint."""
    demo_student = world["student"]["id"]
    parent_child = world["parent"]["children"][0]
    other = world["other_student"]
    rows = {}

    def student_endpoints(own, other_id, own_status=200):
        out = []
        for suffix in ("", "/classes", "/grades", "/attendance"):
            out.append((f"students{suffix} own", "GET", f"/students/{own}{suffix}", None, own_status))
            out.append((f"students{suffix} other", "GET", f"/students/{other_id}{suffix}", None, 404))
        return out

    def class_endpoints(own_class, other_class, own_quiz, other_quiz, own_student, other_student, reads, writes):
        return [
            ("class own", "GET", f"/classes/{own_class}", None, reads),
            ("class other", "GET", f"/classes/{other_class}", None, 404),
            ("roster own", "GET", f"/classes/{own_class}/students", None, reads),
            ("roster other", "GET", f"/classes/{other_class}/students", None, 404),
            ("attendance write own", "POST", f"/classes/{own_class}/attendance", attendance(own_student), writes),
            ("attendance write other", "POST", f"/classes/{other_class}/attendance", attendance(other_student), 404),
            ("grades write own", "POST", f"/assessments/{own_quiz}/grades", grades(own_student), writes),
            ("grades write other", "POST", f"/assessments/{other_quiz}/grades", grades(other_student), 404),
        ]

    def common(own_school, other_school, children):
        return [
            ("me", "GET", "/me", None, 200),
            ("children", "GET", "/parents/me/children", None, children),
            ("school own", "GET", f"/schools/{own_school}", None, 200),
            ("school other", "GET", f"/schools/{other_school}", None, 404),
        ]

    demo_school, other_school = world["demo_school"], world["other_school"]
    english, other_class = world["english"], world["other_class"]
    rows["student"] = (common(demo_school, other_school, 404) + student_endpoints(demo_student, other)
                       + class_endpoints(english, other_class, world["english_quiz"], world["other_assessment"],
                                         demo_student, other, 404, 404))
    rows["parent"] = (common(demo_school, other_school, 200) + student_endpoints(parent_child, demo_student)
                      + class_endpoints(english, other_class, world["english_quiz"], world["other_assessment"],
                                        parent_child, other, 404, 404))
    # teacher2 teaches English (every demo student) but not Science (teacher3's).
    rows["teacher"] = (common(demo_school, other_school, 404) + student_endpoints(demo_student, other)
                       + class_endpoints(english, world["science"], world["english_quiz"], world["science_quiz"],
                                         demo_student, demo_student, 200, 200))
    # A school admin reads their school's students and classes but records nothing.
    rows["admin"] = (common(demo_school, other_school, 404) + student_endpoints(demo_student, other)
                     + class_endpoints(english, other_class, world["english_quiz"], world["other_assessment"],
                                       demo_student, other, 200, 404))
    rows["other_admin"] = (common(other_school, demo_school, 404) + student_endpoints(other, demo_student)
                           + class_endpoints(other_class, english, world["other_assessment"], world["english_quiz"],
                                             other, demo_student, 200, 404))
    return rows


HOLDERS = {"student": ("student", "student"), "parent": ("parent", "parent"), "teacher": ("teacher", "teacher"),
           "admin": ("admin", "admin"), "other_admin": ("other_admin", "admin")}


@pytest.fixture(scope="module")
def matrix_results(stack, oauth, confidential_client, world):
    """Runs the whole matrix once; returns {role: [(label, method, path, expected, actual status, response)]} and
    the moment it started (for the access-log check)."""
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    results = {}
    for role, rows in expected_rows(world).items():
        holder, scope_key = HOLDERS[role]
        token = token_for(stack, oauth, confidential_client, world[holder], SCOPES[scope_key])
        call = Caller(stack, token["access_token"])
        results[role] = [(label, method, path, status, call(method, path, body)) for label, method, path, body, status in rows]
    return results, started


def test_every_role_gets_exactly_its_relationships_and_404_for_everything_else(matrix_results):
    results, _ = matrix_results
    wrong = [f"{role}: {label} {method} {path} -> {response.status_code} (expected {status}) {response.text[:160]}"
             for role, rows in results.items() for label, method, path, status, response in rows
             if response.status_code != status]
    assert not wrong, "\n".join(wrong)
    for role, rows in results.items():
        for label, method, path, status, response in rows:
            assert response.headers["Content-Type"].startswith("application/json"), (role, label)
            assert "no-store" in response.headers.get("Cache-Control", ""), (role, label)
            assert response.headers.get("X-RateLimit-Limit"), (role, label)
            if status == 404:
                assert response.json()["error"] == "not_found", (role, label)


def test_a_parent_token_reads_exactly_that_parents_children_and_their_published_grades(stack, matrix_results, world):
    results, _ = matrix_results
    by_label = {label: response for label, _, _, _, response in results["parent"]}
    children = by_label["children"].json()
    assert {child["id"] for child in children["data"]} == set(world["parent"]["children"])
    assert children["next_cursor"] is None
    grades = by_label["students/grades own"].json()["data"]
    assert grades, "the demo child has published grades"
    published = {int(row[0]) for row in sql(stack, "SELECT id FROM assessments WHERE published")}
    assert {g["assessment_id"] for g in grades} <= published
    assert all(isinstance(g["score"], (int, float)) and 0 <= g["score"] <= g["max_score"] for g in grades)


def test_writes_record_their_webhook_events_in_the_outbox(stack, matrix_results, world):
    results, started = matrix_results
    by_label = {label: response for label, _, _, _, response in results["teacher"]}
    assert by_label["attendance write own"].json()["event"] == "attendance.recorded"
    assert by_label["grades write own"].json()["published"] is True
    rows = sql(stack, f"""SELECT event_type, class_id, IFNULL(assessment_id, 0), student_ids FROM api_event_outbox
                          WHERE occurred_at >= '{started:%Y-%m-%d %H:%M:%S}' AND client_id = 'demo-confidential'""")
    student = str(world["student"]["id"])
    assert ["attendance.recorded", str(world["english"]), "0", student] in rows
    assert ["grade.published", str(world["english"]), str(world["english_quiz"]), student] in rows
    assert all(row[0] in ("attendance.recorded", "grade.published") for row in rows)


def concerned_people(actor, method, path, response):
    """Whose data a call disclosed or wrote, from the call and its answer: the student of /students/{id}…, the caller
    of /me, each child or student on a returned page, each student a write recorded; nobody for a class's or a
    school's own record, and nobody for a refused call."""
    if response.status_code != 200:
        return []
    if path == "/me":
        return [actor]
    if path.startswith("/students/"):
        return [int(path.split("/")[2])]
    if path == "/parents/me/children" or (path.startswith("/classes/") and path.endswith("/students")):
        return [row["id"] for row in response.json()["data"]]
    if method == "POST":
        body = json.loads(response.request.body)
        return [row["student_id"] for row in body.get("marks", body.get("grades", []))]
    return []


def test_the_access_log_has_one_entry_per_person_each_call_concerned(stack, http, matrix_results, world):
    """Walks every endpoint of the API (the matrix covers each path of the OpenAPI document) and checks that each
    person a call concerned has exactly one entry for it, and that a call concerning nobody has one entry without a
    person."""
    results, started = matrix_results
    documented = {f"{method.upper()} {path}" for path, operations in http.get(stack.url("app", API + "/openapi.json")).json()["paths"].items()
                  for method in operations}
    template = re.compile(r"/\d+")
    walked = {f"{method} {API}{template.sub('/{id}', path)}" for rows in results.values() for _, method, path, _, _ in rows}
    # The document itself is public and about no one.
    documented.discard(f"GET {API}/openapi.json")
    assert {re.sub(r"\{[a-z_]+\}", "{id}", path) for path in documented} <= walked, documented - walked

    actors = {"student": world["student"]["id"], "parent": world["parent"]["id"], "teacher": world["teacher"]["id"],
              "admin": world["admin"]["id"], "other_admin": world["other_admin"]["id"]}
    expected = Counter()
    for role, rows in results.items():
        for _, method, path, _, response in rows:
            people = concerned_people(actors[role], method, path, response) or [0]
            for person in people:
                expected[(str(actors[role]), f"{method} {API}{path}", str(response.status_code), str(person))] += 1
    actor_list = ",".join(str(a) for a in actors.values())

    rows = sql(stack, f"""SELECT actor_user_id, request, status, IFNULL(subject_user_id, 0), first_of_call FROM data_access_log
                          WHERE occurred_at >= '{started:%Y-%m-%d %H:%M:%S}' AND actor_user_id IN ({actor_list})
                            AND client_id = 'demo-confidential'""")
    # Every entry was written before its call was answered: no waiting.
    assert Counter(tuple(row[:4]) for row in rows) == expected
    # Usage counts calls by first_of_call: exactly one per call.
    calls = sum(len(rows) for rows in results.values())
    assert sum(int(row[4]) for row in rows) == calls, (calls, Counter(row[4] for row in rows))
    # The roster read and the teacher's writes are on record for the demo student, whom they concerned.
    teacher_rows = [key for key in expected if key[0] == str(actors["teacher"]) and key[3] == str(world["student"]["id"])]
    assert any("/students" in key[1] and key[1].startswith("GET /api/v1/classes/") for key in teacher_rows)
    assert any(key[1].startswith("POST ") for key in teacher_rows)


def test_a_parent_sees_their_childs_entries_and_no_other_childs(stack, demo, matrix_results, world):
    parent = world["parent"]
    http = signed_in(stack, parent)
    page = http.get(stack.url("app", "/account/access-log"), timeout=10)
    assert page.status_code == 200
    text = html.unescape(page.text)
    child = next(s for s in demo["students"] if s["id"] == parent["children"][0])
    section = text.split(f'data-child-id="{child["id"]}"', 1)[1].split("</section>", 1)[0]
    assert f"CatalystWells Demo App read {child['name']}'s grades" in section
    assert f"CatalystWells Demo App read {child['name']}'s attendance" in section
    assert world["student"]["name"] not in text, "an entry about another child is shown to the parent"
    student = signed_in(stack, world["student"])
    own = html.unescape(student.get(stack.url("app", "/account/access-log"), timeout=10).text)
    assert f"read {world['student']['name']}'s grades" in own and child["name"] not in own


def test_the_school_admin_exports_the_schools_access_log_as_csv(stack, world, matrix_results):
    http = signed_in(stack, world["admin"])
    response = http.get(stack.url("app", "/school/access-log.csv"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    lines = response.text.split("\r\n")
    assert lines[0].startswith("time,app,")
    assert any("/grades" in line for line in lines[1:])
    assert world["other_admin"]["username"] not in response.text


# Tokens and scopes -----------------------------------------------------------------------------------------------


def test_a_token_without_the_scope_is_403_insufficient_scope_naming_it(stack, oauth, confidential_client, demo):
    parent = person(demo, "parents", "parent26")
    token = token_for(stack, oauth, confidential_client, parent, "profile.read parent.children.read")
    call = Caller(stack, token["access_token"])
    child = parent["children"][0]
    response = call("GET", f"/students/{child}/grades")
    assert_json_error(response, 403, "insufficient_scope")
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="parent.grades.read"' in challenge, challenge
    assert call("GET", f"/students/{child}").status_code == 200


def test_missing_unknown_refresh_and_revoked_tokens_are_401(stack, oauth, confidential_client, demo, http):
    bare = http.get(stack.url("app", API + "/me"), timeout=10)
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"] == 'Bearer realm="catalystwells", DPoP algs="ES256 RS256 EdDSA Ed25519"'
    # offline_access, so that there is a refresh token to refuse as a bearer credential.
    token = token_for(stack, oauth, confidential_client, person(demo, "students", "student23"), SCOPES["student"] + " offline_access")
    for bad in ("cw_at_" + "A" * 43, "garbage", token["refresh_token"]):
        response = Caller(stack, bad)("GET", "/me")
        assert_json_error(response, 401, "invalid_token")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert Caller(stack, token["access_token"])("GET", "/me").status_code == 200
    revoked = http.post(oauth["revocation_endpoint"], data={"token": token["access_token"]}, auth=confidential_client.basic, timeout=10)
    assert revoked.status_code == 200
    assert_json_error(Caller(stack, token["access_token"])("GET", "/me"), 401, "invalid_token")


def test_bad_input_is_400_with_field_messages_and_writes_nothing(stack, oauth, confidential_client, world):
    teacher = Caller(stack, token_for(stack, oauth, confidential_client, world["teacher"], SCOPES["teacher"])["access_token"])
    student = world["student"]["id"]
    assert "id" in assert_json_error(teacher("GET", "/students/abc/grades"), 400, "invalid_request")["fields"]
    assert "from" in assert_json_error(teacher("GET", f"/students/{student}/attendance", params={"from": "2026-02-30"}),
                                       400, "invalid_request")["fields"]
    assert "cursor" in assert_json_error(teacher("GET", f"/students/{student}/grades", params={"cursor": "bogus"}),
                                         400, "invalid_request")["fields"]
    assert "limit" in assert_json_error(teacher("GET", f"/students/{student}/grades", params={"limit": "1000"}),
                                        400, "invalid_request")["fields"]

    quiz = world["english_quiz"]
    before = sql(stack, f"SELECT score FROM grades WHERE assessment_id = {quiz} AND student_id = {student}")
    fields = assert_json_error(teacher("POST", f"/assessments/{quiz}/grades", {"grades": [
        {"student_id": student, "score": 55}, {"student_id": world["other_student"], "score": 50},
        {"student_id": student + 1, "score": 101}]}), 400, "invalid_request")["fields"]
    assert set(fields) >= {"grades[1].student_id", "grades[2].score"}, fields
    assert sql(stack, f"SELECT score FROM grades WHERE assessment_id = {quiz} AND student_id = {student}") == before

    marks_before = sql(stack, f"SELECT COUNT(*) FROM attendance WHERE class_id = {world['english']} AND day = '2026-09-06'")
    fields = assert_json_error(teacher("POST", f"/classes/{world['english']}/attendance", {"date": "2026-09-06", "marks": [
        {"student_id": student, "status": "present"}, {"student_id": world["other_student"], "status": "present"},
        {"student_id": student + 1, "status": "sleeping"}]}), 400, "invalid_request")["fields"]
    assert set(fields) >= {"marks[1].student_id", "marks[2].status"}, fields
    assert "date" in assert_json_error(teacher("POST", f"/classes/{world['english']}/attendance",
                                               {"date": "2999-01-01", "marks": [{"student_id": student, "status": "present"}]}),
                                       400, "invalid_request")["fields"]
    assert "marks[0].student_id" in assert_json_error(
        teacher("POST", f"/classes/{world['english']}/attendance", {"marks": [{"student_id": "x", "status": "present"}]}),
        400, "invalid_request")["fields"]
    assert teacher("POST", f"/classes/{world['english']}/attendance", None,
                   headers={"Content-Type": "application/json"}).status_code == 400
    assert sql(stack, f"SELECT COUNT(*) FROM attendance WHERE class_id = {world['english']} AND day = '2026-09-06'") == marks_before


def test_lists_page_with_an_opaque_cursor_without_gaps_or_repeats(stack, oauth, confidential_client, world):
    student = Caller(stack, token_for(stack, oauth, confidential_client, world["student"], SCOPES["student"])["access_token"])
    path = f"/students/{world['student']['id']}/attendance"
    everything = student("GET", path, params={"limit": "100", "from": "2026-09-01", "to": "2026-09-30"}).json()["data"]
    assert len(everything) > 7
    seen, cursor = [], None
    while True:
        params = {"limit": "7", "from": "2026-09-01", "to": "2026-09-30"}
        if cursor:
            params["cursor"] = cursor
        page = student("GET", path, params=params).json()
        seen += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == everything
    assert all("2026-09-01" <= mark["date"] <= "2026-09-30" for mark in seen)


def test_the_openapi_document_is_served_and_lists_every_endpoint(stack, http):
    response = http.get(stack.url("app", API + "/openapi.json"), timeout=10)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert f"{API}/students/{{id}}/grades" in document["paths"]
    assert document["paths"][f"{API}/assessments/{{id}}/grades"]["post"]["x-webhook-event"] == "grade.published"


# Rate limit ------------------------------------------------------------------------------------------------------


def test_the_rate_limit_answers_429_past_the_bucket_and_recovers(stack, oauth, confidential_client, demo):
    token = token_for(stack, oauth, confidential_client, person(demo, "students", "student22"), SCOPES["student"])
    http = stack.session()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    limited = None
    for _ in range(3000):
        response = http.get(stack.url("app", API + "/me"), headers=headers, timeout=10)
        if response.status_code == 429:
            limited = response
            break
        assert response.status_code == 200, response.text
        assert int(response.headers["X-RateLimit-Remaining"]) >= 0
        assert int(response.headers["X-RateLimit-Limit"]) > 0
    assert limited is not None, "no 429 after 3000 calls"
    assert_json_error(limited, 429, "rate_limited")
    retry = int(limited.headers["Retry-After"])
    assert retry >= 1 and limited.headers["X-RateLimit-Remaining"] == "0"
    time.sleep(retry)
    stack.wait_until(lambda: http.get(stack.url("app", API + "/me"), headers=headers, timeout=10).status_code == 200,
                     timeout=30, what="the bucket to refill")


# School control over apps ----------------------------------------------------------------------------------------


def set_policy(stack, admin_http, client_id, status, scopes=()):
    page = admin_http.get(stack.url("app", "/school/apps"), timeout=10)
    assert page.status_code == 200
    assert f'data-client-id="{client_id}"' in page.text
    csrf = CSRF_FIELD.search(page.text).group(1)
    response = admin_http.post(stack.url("app", f"/school/apps/{client_id}"), allow_redirects=False, timeout=10,
                               data=[("csrf", csrf), ("status", status)] + [("scope", s) for s in scopes])
    assert response.status_code == 303, f"{response.status_code} {response.text[:300]}"
    return response


def test_blocking_an_app_revokes_its_tokens_at_once_and_the_user_can_ask_the_school(stack, oauth, public_client, demo, world):
    parent = person(demo, "parents", "parent27")
    admin = signed_in(stack, world["admin"])
    try:
        parent_http, token = authorize(stack, oauth, public_client, parent, SCOPES["parent"] + " offline_access")
        assert token.get("refresh_token"), token
        call = Caller(stack, token["access_token"])
        assert call("GET", "/me").status_code == 200

        set_policy(stack, admin, public_client.client_id, "blocked")
        assert_json_error(call("GET", "/me"), 401, "invalid_token")
        # The refresh token died with the grant.
        refreshed = stack.session().post(oauth["token_endpoint"], timeout=10, data={
            "grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": public_client.client_id})
        assert refreshed.status_code == 400

        # Authorizing again: a page that explains, with the "ask my school" form; never a code.
        _, page = authorize(stack, oauth, public_client, parent, SCOPES["parent"], http=parent_http)
        assert page.status_code == 403, page.status_code
        assert 'id="ask-school"' in page.text and "Location" not in page.headers
        form = page.text.split('id="ask-school"', 1)[1].split("</form>", 1)[0]
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        asked = parent_http.post(stack.url("app", "/authsso/ask-school"), data=fields, allow_redirects=False, timeout=10)
        assert asked.status_code == 200 and 'id="asked-school"' in asked.text
        apps = admin.get(stack.url("app", "/school/apps"), timeout=10).text
        row = apps.split(f'data-client-id="{public_client.client_id}"', 1)[1].split("</tr>", 1)[0]
        assert 'data-status="blocked" data-pending="1"' in row, row[:300]

        # Another school's users are not affected by this school's block.
        other_token = token_for(stack, oauth, public_client, world["other_admin"], SCOPES["admin"])
        assert Caller(stack, other_token["access_token"])("GET", "/me").status_code == 200

        # A scope limit: allowed again, but parents may only share their children's list.
        set_policy(stack, admin, public_client.client_id, "allowed", ["openid", "parent.children.read"])
        _, limited = authorize(stack, oauth, public_client, parent, SCOPES["parent"])
        assert isinstance(limited, dict), limited.text[:300]
        assert set(limited["scope"].split()) <= {"openid", "parent.children.read"}
    finally:
        sql(stack, f"""DELETE p FROM school_app_policies p JOIN oauth_clients c ON c.id = p.client_pk
                       WHERE c.client_id = '{public_client.client_id}' AND p.school_id = {world['demo_school']}""")


def test_a_school_scope_limit_narrows_tokens_issued_before_it_on_userinfo_introspection_and_the_api(
        stack, oauth, confidential_client, demo, world, http):
    """The one bearer rule applies the school's current limit at use time, not only at the next authorization."""
    parent = person(demo, "parents", "parent28")
    admin = signed_in(stack, world["admin"])
    client = confidential_client
    try:
        token = token_for(stack, oauth, client, parent, SCOPES["parent"] + " offline_access")
        call = Caller(stack, token["access_token"])
        children = call("GET", "/parents/me/children")
        assert children.status_code == 200, children.text
        child = children.json()["data"][0]["id"]
        assert call("GET", f"/students/{child}/grades").status_code == 200

        def introspected(value):
            response = http.post(oauth["introspection_endpoint"], data={"token": value}, auth=client.basic, timeout=10)
            assert response.status_code == 200, response.text
            return response.json()

        def userinfo(value):
            return http.get(oauth["userinfo_endpoint"], headers={"Authorization": f"Bearer {value}"}, timeout=10)

        assert "parent.grades.read" in introspected(token["access_token"])["scope"].split()
        set_policy(stack, admin, client.client_id, "allowed", ["openid", "parent.children.read"])

        # The same access token, issued before the limit: only what the school allows now.
        denied = call("GET", f"/students/{child}/grades")
        assert_json_error(denied, 403, "insufficient_scope")
        assert 'scope="parent.grades.read"' in denied.headers["WWW-Authenticate"]
        assert call("GET", "/parents/me/children").status_code == 200
        assert set(introspected(token["access_token"])["scope"].split()) == {"openid", "parent.children.read"}
        info = userinfo(token["access_token"])
        assert info.status_code == 200 and "name" not in info.json(), info.text
        # A token refreshed after the limit is narrowed the same way.
        refreshed = http.post(oauth["token_endpoint"], auth=client.basic, timeout=10,
                              data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        fresh = refreshed.json()["access_token"]
        assert_json_error(Caller(stack, fresh)("GET", f"/students/{child}/grades"), 403, "insufficient_scope")
        assert set(introspected(fresh)["scope"].split()) == {"openid", "parent.children.read"}

        # A limit without openid: userinfo refuses the token as an OpenID Connect resource.
        set_policy(stack, admin, client.client_id, "allowed", ["parent.children.read"])
        refused = userinfo(fresh)
        assert refused.status_code == 403 and "insufficient_scope" in refused.headers["WWW-Authenticate"]
    finally:
        sql(stack, f"""DELETE p FROM school_app_policies p JOIN oauth_clients c ON c.id = p.client_pk
                       WHERE c.client_id = '{client.client_id}' AND p.school_id = {world['demo_school']}""")


def test_every_answered_call_is_on_record_even_when_the_workers_are_killed_right_after(stack, oauth, confidential_client, demo):
    """The access log is written before a call is answered, not buffered in the worker: `kill -9` of every app worker
    right after the answers loses no entry."""
    student = person(demo, "students", "student22")
    token = token_for(stack, oauth, confidential_client, student, SCOPES["student"])
    call = Caller(stack, token["access_token"])
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: call("GET", "/me").status_code, range(40)))
    workers = stack.worker_pids("app")
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    assert answers == [200] * 40, Counter(answers)
    stack.wait_until(lambda: (p := stack.worker_pids("app")) and len(p) == len(workers) and not set(p) & set(workers),
                     timeout=30, what="replacement workers")
    rows = sql(stack, f"""SELECT COUNT(*), SUM(first_of_call) FROM data_access_log WHERE subject_user_id = {student['id']}
                          AND operation = 'getMe' AND status = 200 AND occurred_at >= '{started:%Y-%m-%d %H:%M:%S.%f}'""")
    assert rows == [["40", "40"]], rows
