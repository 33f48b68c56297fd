"""OneRoster 1.2 REST (/ims/oneroster/rostering/v1p2, /ims/oneroster/gradebook/v1p2) as a client that is not ours
sees it: plain `requests` with an app token from client_credentials, reading the demo school with paging and
filters, every answer's 1EdTech shape checked field by field against what the database holds; the refusals in
the specification's status-info form; the data-access log's one entry per person; and schemathesis against the
published OpenAPI document, bounded to a few seconds.
"""
import re
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from test_education_api import sql

ROSTER = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
CORE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
GRADES = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly"


@pytest.fixture(scope="module")
def token(stack, oauth, confidential_client):
    app = oauth.session(confidential_client, scope=f"{CORE} {GRADES}")
    return app.fetch_token(oauth["token_endpoint"], grant_type="client_credentials")["access_token"]


def app_session(stack, token):
    """A session as an app's OneRoster client: it backs off when the app's per-minute budget (shared with every
    earlier module's calls of the same app) answers 429, waiting the Retry-After it is told, as a real client does.
    A refused call writes nothing to the access log, so the counts below are unaffected."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.trust_env = False
    session.verify = stack.ca_file
    session.headers["Authorization"] = f"Bearer {token}"
    retry = Retry(total=3, connect=0, read=0, status_forcelist=[429], allowed_methods=None, respect_retry_after_header=True,
                  raise_on_status=False)
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


@pytest.fixture(scope="module")
def client(stack, token):
    session = app_session(stack, token)
    yield session
    session.close()


def folded(text):
    """`text` without case or accents, as the database's unicode_ci collation compares it."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def visible_schools(stack):
    """The schools that lend their data to demo-confidential (first-party: no agreement needed): every one that has
    not blocked it or limited its scopes."""
    rows = sql(stack, """SELECT s.id FROM schools s WHERE NOT EXISTS (
                           SELECT 1 FROM school_app_policies p JOIN oauth_clients c ON c.id = p.client_pk
                           WHERE p.school_id = s.id AND c.client_id = 'demo-confidential'
                             AND (p.status = 'blocked' OR p.scope_limit IS NOT NULL)) ORDER BY s.id""")
    return ",".join(row[0] for row in rows)


def assert_status_info(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_severity"] == "error"
    assert isinstance(body["imsx_description"], str) and body["imsx_description"]
    assert body["imsx_CodeMinor"] == {"imsx_codeMinorField": [
        {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": code}]}
    return body["imsx_description"]


def walk(stack, client, path, key, limit, **params):
    """Every page of a collection by following Link rel="next"; checks X-Total-Count and the links on the way."""
    url = stack.url("app", path)
    items, total, pages = [], None, 0
    query = {"limit": str(limit), **params}
    while url:
        response = client.get(url, params=query, timeout=10)
        query = None
        assert response.status_code == 200, response.text
        page = response.json()[key]
        assert len(page) <= limit
        count = int(response.headers["X-Total-Count"])
        assert total in (None, count)
        total = count
        links = {rel: target for target, rel in
                 ((part.split(";")[0].strip()[1:-1], part.split('rel="')[1].rstrip('"')) for part in response.headers["Link"].split(","))}
        assert parse_qs(urlsplit(links["first"]).query)["offset"] == ["0"]
        last = int(parse_qs(urlsplit(links["last"]).query)["offset"][0])
        assert last == (0 if total == 0 else (total - 1) // limit * limit)
        items += page
        pages += 1
        url = links.get("next")
    assert len(items) == total
    assert pages == max(1, -(-total // limit))
    return items


def test_the_whole_demo_school_reads_page_by_page_with_the_1edtech_shapes(stack, client):
    schools = visible_schools(stack)
    users = walk(stack, client, ROSTER + "/users", "users", 17)
    expected = sql(stack, f"""SELECT u.sourced_id, u.given_name, u.family_name, IFNULL(u.email, ''), IFNULL(u.username, ''),
                                     IF(u.role = 'school_admin', 'administrator', u.role), s.sourced_id, u.active
                              FROM users u JOIN schools s ON s.id = u.school_id
                              WHERE u.sourced_id IS NOT NULL AND u.school_id IN ({schools})""")
    assert len(users) == len(expected)
    by_id = {user["sourcedId"]: user for user in users}
    assert len(by_id) <= len(users)
    demo_rows = [row for row in expected if row[6] == "demo-school"]
    assert len(demo_rows) > 40
    for sourced_id, given, family, email, username, role, school, active in demo_rows:
        user = by_id[sourced_id]
        assert user["givenName"] == given and user["familyName"] == family
        assert user.get("email", "") == email and user.get("username", "") == username
        assert user["status"] == ("active" if active == "1" else "tobedeleted")
        assert user["enabledUser"] is (active == "1")
        assert user["roles"] == [{"roleType": "primary", "role": role, "org": {
            "href": stack.url("app", f"{ROSTER}/orgs/{school}"), "sourcedId": school, "type": "org"}}]
        assert user["primaryOrg"]["sourcedId"] == school
        assert user["dateLastModified"].endswith("Z") and len(user["dateLastModified"]) == 24
        assert isinstance(user["agents"], list)
    # A student's agents are their parents, and a parent's their children.
    pairs = sql(stack, """SELECT k.sourced_id, p.sourced_id FROM guardianships g JOIN users k ON k.id = g.student_id
                          JOIN users p ON p.id = g.parent_id JOIN schools s ON s.id = k.school_id WHERE s.sourced_id = 'demo-school'""")
    for kid, parent in pairs:
        assert parent in [agent["sourcedId"] for agent in by_id[kid]["agents"]]
        assert kid in [agent["sourcedId"] for agent in by_id[parent]["agents"]]

    demo = "demo-school"
    school = client.get(stack.url("app", f"{ROSTER}/schools/{demo}"), timeout=10).json()["org"]
    assert (school["sourcedId"], school["type"], school["status"]) == (demo, "school", "active")
    classes = walk(stack, client, f"{ROSTER}/schools/{demo}/classes", "classes", 2)
    rows = sql(stack, """SELECT c.sourced_id, c.title, co.sourced_id, t.sourced_id FROM classes c JOIN courses co ON co.id = c.course_id
                         JOIN terms t ON t.id = c.term_id JOIN schools s ON s.id = c.school_id WHERE s.sourced_id = 'demo-school'""")
    assert sorted(c["sourcedId"] for c in classes) == sorted(row[0] for row in rows)
    for row in rows:
        found = next(c for c in classes if c["sourcedId"] == row[0])
        assert found["title"] == row[1] and found["classType"] == "scheduled"
        assert found["course"] == {"href": stack.url("app", f"{ROSTER}/courses/{row[2]}"), "sourcedId": row[2], "type": "course"}
        assert [term["sourcedId"] for term in found["terms"]] == [row[3]]
        assert found["school"]["sourcedId"] == demo
        students = walk(stack, client, f"{ROSTER}/classes/{row[0]}/students", "users", 10)
        enrolled = sql(stack, f"""SELECT u.sourced_id FROM enrollments e JOIN users u ON u.id = e.user_id JOIN classes c ON c.id = e.class_id
                                  JOIN schools s ON s.id = c.school_id
                                  WHERE s.sourced_id = 'demo-school' AND c.sourced_id = '{row[0]}' AND e.active AND u.role = 'student'""")
        assert sorted(s["sourcedId"] for s in students) == sorted(r[0] for r in enrolled)
    enrollments = walk(stack, client, f"{ROSTER}/schools/{demo}/enrollments", "enrollments", 50)
    assert {e["role"] for e in enrollments} <= {"student", "teacher"}
    assert all(set(e) >= {"sourcedId", "status", "dateLastModified", "role", "primary", "user", "class", "school"} for e in enrollments)
    for name, key in (("orgs", "orgs"), ("academicSessions", "academicSessions"), ("terms", "academicSessions"), ("courses", "courses"),
                      ("students", "users"), ("teachers", "users"), ("enrollments", "enrollments"), ("gradingPeriods", "academicSessions")):
        walk(stack, client, f"{ROSTER}/{name}", key, 500)


def test_filters_sort_and_fields_select_in_the_database(stack, client):
    url = stack.url("app", ROSTER + "/students")
    response = client.get(url, params={"filter": "familyName~'a' AND status='active'", "sort": "familyName", "orderBy": "desc",
                                       "fields": "sourcedId,familyName", "limit": "1000"}, timeout=10)
    assert response.status_code == 200, response.text
    students = response.json()["users"]
    # `~` compares as the database's collation does (utf8mb4_unicode_ci: case and accents ignored, so "Núñez" and
    # "Ángel" contain an a), so the check folds the same way.
    assert students and all(set(s) == {"sourcedId", "familyName"} and "a" in folded(s["familyName"]) for s in students)
    names = [folded(s["familyName"]) for s in students]
    assert names == sorted(names, reverse=True)
    one = client.get(url, params={"filter": f"sourcedId='{students[0]['sourcedId']}' OR sourcedId='nobody'"}, timeout=10).json()["users"]
    assert [s["sourcedId"] for s in one] == [students[0]["sourcedId"]]
    assert client.get(url, params={"offset": "100000"}, timeout=10).json() == {"users": []}
    later = client.get(url, params={"filter": "dateLastModified>'2999-01-01T00:00:00Z'"}, timeout=10)
    assert later.json() == {"users": []} and later.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize("params,code,problem", [
    ({"filter": "familyName='a' AND givenName='b' OR email='c'"}, "invalid_filter_field", "one logical operator"),
    ({"filter": "shoeSize='9'"}, "invalid_filter_field", "shoeSize"),
    ({"filter": "familyName=Lee"}, "invalid_filter_field", "single quotes"),
    ({"fields": "givenName,shoeSize"}, "invalid_selection_field", "shoeSize"),
    ({"sort": "agents"}, "invalid_selection_field", "agents"),
    ({"limit": "0"}, "invaliddata", "limit"),
    ({"orderBy": "sideways"}, "invaliddata", "orderBy"),
])
def test_bad_parameters_are_400_with_the_status_info_naming_the_problem(stack, client, params, code, problem):
    assert problem in assert_status_info(client.get(stack.url("app", ROSTER + "/users"), params=params, timeout=10), 400, code)


def test_refusals_come_in_the_status_info_form(stack, client, http, oauth, confidential_client):
    assert_status_info(client.get(stack.url("app", ROSTER + "/users/no-such-user"), timeout=10), 404, "unknownobject")
    assert_status_info(client.get(stack.url("app", ROSTER + "/classes/no-such-class/students"), timeout=10), 404, "unknownobject")
    bare = http.get(stack.url("app", ROSTER + "/users"), timeout=10)
    assert_status_info(bare, 401, "unauthorisedrequest")
    assert bare.headers["WWW-Authenticate"].startswith("Bearer")
    app = oauth.session(confidential_client, scope="school.read")
    other = app.fetch_token(oauth["token_endpoint"], grant_type="client_credentials")["access_token"]
    refused = http.get(stack.url("app", ROSTER + "/users"), headers={"Authorization": f"Bearer {other}"}, timeout=10)
    assert_status_info(refused, 403, "forbidden")
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]


def test_a_school_that_blocks_the_app_disappears_from_its_answers(stack, client):
    sql(stack, """INSERT IGNORE INTO schools (sourced_id, name, created_at, updated_at) VALUES ('e2e-or-blocked', 'Blocked OR School', NOW(6), NOW(6));
                  INSERT INTO school_app_policies (school_id, client_pk, status, updated_by, updated_at)
                  SELECT s.id, c.id, 'blocked', (SELECT MIN(id) FROM users), NOW(6) FROM schools s JOIN oauth_clients c
                  WHERE s.sourced_id = 'e2e-or-blocked' AND c.client_id = 'demo-confidential'
                  ON DUPLICATE KEY UPDATE status = 'blocked'""")
    assert_status_info(client.get(stack.url("app", ROSTER + "/schools/e2e-or-blocked"), timeout=10), 404, "unknownobject")
    orgs = client.get(stack.url("app", ROSTER + "/orgs"), params={"limit": "1000"}, timeout=10).json()["orgs"]
    assert "e2e-or-blocked" not in {org["sourcedId"] for org in orgs} and "demo-school" in {org["sourcedId"] for org in orgs}


def test_gradebook_reads_published_line_items_and_their_results(stack, client):
    items = walk(stack, client, GRADEBOOK + "/lineItems", "lineItems", 100)
    published = sql(stack, f"SELECT COUNT(*) FROM assessments a JOIN classes c ON c.id = a.class_id WHERE a.published AND c.school_id IN ({visible_schools(stack)})")
    assert len(items) == int(published[0][0])
    results = walk(stack, client, GRADEBOOK + "/results", "results", 200)
    for result in results[:50]:
        assert result["scoreStatus"] == "fully graded" and isinstance(result["score"], (int, float))
        assert result["lineItem"]["type"] == "lineItem" and result["student"]["type"] == "user"


def test_every_person_an_answer_carried_has_one_access_log_entry(stack, client):
    started = sql(stack, "SELECT NOW(6)")[0][0]
    time.sleep(0.01)
    response = client.get(stack.url("app", ROSTER + "/classes/demo-class-math/students"), params={"limit": "5"}, timeout=10)
    carried = [user["sourcedId"] for user in response.json()["users"]]
    assert len(carried) == 5
    client.get(stack.url("app", ROSTER + "/courses"), timeout=10)

    def logged():
        return sql(stack, f"""SELECT IFNULL(u.sourced_id, '-'), l.operation, l.status FROM data_access_log l LEFT JOIN users u ON u.id = l.subject_user_id
                               WHERE l.client_id = 'demo-confidential' AND l.occurred_at >= '{started}' AND l.actor_user_id IS NULL
                                 AND l.operation IN ('getStudentsForClass', 'getAllCourses')""")
    stack.wait_until(lambda: len(logged()) >= 6, timeout=30, what="the access log to be written")
    time.sleep(2)
    assert Counter(tuple(row) for row in logged()) == Counter(
        [(person, "getStudentsForClass", "200") for person in carried] + [("-", "getAllCourses", "200")])


def test_schemathesis_finds_no_crash_or_schema_violation(stack, token):
    """Positive and negative calls generated from both documents, a few per operation on every third read and on
    the writes, at most about 20 seconds: never a 5xx, only documented statuses, bodies matching the document."""
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, Phase
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schemas = []
    with stack.session() as http:
        for prefix in (ROSTER, GRADEBOOK):
            schema = schemathesis.openapi.from_dict(http.get(stack.url("app", prefix + "/openapi.json"), timeout=10).json())
            schema.config.generation.update(allow_x00=False)
            schemas.append(schema)
    settings = hypothesis.settings(
        max_examples=4, deadline=None, database=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False, suppress_health_check=list(HealthCheck), verbosity=hypothesis.Verbosity.quiet)
    bearer = {"Authorization": f"Bearer {token}"}
    failures, calls = [], 0
    deadline = time.monotonic() + 20
    with stack.session() as session:
        operations = [result.ok() for schema in schemas for result in schema.get_all_operations()]
        # Every third GET, and every write (the writes use a reading token here: 403 is what they must answer).
        for operation in [op for op in operations if op.method.upper() == "GET"][::3] + [op for op in operations if op.method.upper() == "PUT"]:
            # A single-object read has nothing to break but its path's string: negative generation only stalls there.
            single_read = operation.method.upper() == "GET" and operation.path.endswith("{id}")
            for mode in (GenerationMode.POSITIVE,) if single_read else (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if time.monotonic() > deadline:
                    break

                @settings
                @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
                def run(case):
                    nonlocal calls
                    calls += 1
                    case.call_and_validate(base_url=stack.app_url, session=session, headers=bearer, verify=stack.ca_file, checks=checks)

                try:
                    run()
                except hypothesis.errors.Unsatisfiable:
                    pass
                except (Exception, FailureGroup) as error:  # noqa: BLE001 - listed together
                    failures.append(f"{operation.label} ({mode.value}): {str(error).replace(token, '<token>')[:2000]}")
    print(f"schemathesis: {calls} calls")
    assert calls > 0
    assert not failures, "\n\n".join(failures)


@pytest.fixture(scope="module")
def writer(stack, oauth, confidential_client):
    app = oauth.session(confidential_client, scope="https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput")
    token = app.fetch_token(oauth["token_endpoint"], grant_type="client_credentials")["access_token"]
    session = app_session(stack, token)
    yield session
    session.close()


def remove_line_items(stack, pattern):
    """Takes the app's line items (and their results) out of the demo class again, so the modules after this one see
    the demo school's gradebook as `demo load` left it."""
    sql(stack, f"""DELETE g FROM grades g JOIN assessments a ON a.id = g.assessment_id
                   WHERE a.source_client_id = 'demo-confidential' AND a.sourced_id LIKE '{pattern}';
                   DELETE FROM assessments WHERE source_client_id = 'demo-confidential' AND sourced_id LIKE '{pattern}';
                   UPDATE users u JOIN schools s ON s.id = u.school_id SET u.record_version = u.record_version + 1
                   WHERE s.sourced_id = 'demo-school' AND u.role = 'student'""")


@pytest.fixture()
def cleanup(stack):
    yield
    remove_line_items(stack, "e2e-%")


def test_posted_results_land_as_draft_grades_from_the_app_in_the_teachers_gradebook(stack, demo, writer, client, cleanup):
    run = str(int(time.time()))
    item_id, url = f"e2e-quiz-{run}", stack.url("app", f"{GRADEBOOK}/lineItems/e2e-quiz-{run}")
    body = {"lineItem": {"sourcedId": item_id, "title": f"Fractions quiz {run}", "class": {"sourcedId": "demo-class-math"},
                         "dueDate": "2026-12-01T00:00:00Z", "resultValueMin": 0, "resultValueMax": 20}}
    created = writer.put(url, json=body, timeout=10)
    assert created.status_code == 201, created.text
    assert created.json() == {"sourcedIdPairs": {"suppliedSourcedId": item_id, "allocatedSourcedId": item_id}}
    assert writer.put(url, json=body, timeout=10).status_code == 200
    students = [row[0] for row in sql(stack, """SELECT u.sourced_id FROM enrollments e JOIN users u ON u.id = e.user_id
                                                 JOIN classes c ON c.id = e.class_id JOIN schools s ON s.id = c.school_id
                                                 WHERE s.sourced_id = 'demo-school' AND c.sourced_id = 'demo-class-math'
                                                   AND e.role = 'student' AND e.active ORDER BY u.sourced_id LIMIT 3""")]
    for index, student in enumerate(students):
        result = writer.put(stack.url("app", f"{GRADEBOOK}/results/{item_id}-{student}"), timeout=10, json={"result": {
            "lineItem": {"sourcedId": item_id}, "student": {"sourcedId": student}, "score": 15 + index, "scoreStatus": "fully graded",
            "comment": "from the e2e app"}})
        assert result.status_code == 201, result.text
    rows = sql(stack, f"""SELECT a.published, a.source_client_id, a.title, a.max_score, u.sourced_id, g.score, g.source_client_id, g.comment,
                                 (SELECT COUNT(*) FROM enrollments t WHERE t.class_id = a.class_id AND t.user_id = a.created_by AND t.role = 'teacher')
                          FROM assessments a JOIN grades g ON g.assessment_id = a.id JOIN users u ON u.id = g.student_id
                          WHERE a.sourced_id = '{item_id}' ORDER BY u.sourced_id""")
    assert rows == [["0", "demo-confidential", f"Fractions quiz {run}", "20.00", student, f"{15 + i}.00", "demo-confidential", "from the e2e app", "1"]
                    for i, student in enumerate(students)]
    # The teacher sees it in the class's gradebook as a draft from the app.
    from test_education_api import signed_in

    teacher = next(t for t in demo["teachers"] if t["sourced_id"] == "demo-teacher-1")
    with signed_in(stack, teacher) as page:
        math = next(c for c in teacher["classes"] if c["title"] == "Mathematics 10A")
        html = page.get(stack.url("app", f"/teacher/classes/{math['id']}"), timeout=10).text
    row = next(line for line in html.split("<tr") if f"Fractions quiz {run}" in line)
    assert "from CatalystWells Demo App" in row and "Draft" in row
    # A draft stays the teacher's: the gradebook's reads show it once the teacher publishes.
    assert_status_info(client.get(stack.url("app", f"{GRADEBOOK}/lineItems/{item_id}"), timeout=10), 404, "unknownobject")
    sql(stack, f"UPDATE assessments SET published = TRUE WHERE sourced_id = '{item_id}'")
    item = client.get(stack.url("app", f"{GRADEBOOK}/lineItems/{item_id}"), timeout=10).json()["lineItem"]
    assert (item["title"], item["resultValueMax"], item["dueDate"], item["class"]["sourcedId"]) == (f"Fractions quiz {run}", 20.0, "2026-12-01", "demo-class-math")
    results = client.get(stack.url("app", f"{GRADEBOOK}/results"), params={"filter": f"sourcedId~'{item_id}'"}, timeout=10).json()["results"]
    assert sorted((r["student"]["sourcedId"], r["score"]) for r in results) == [(s, 15.0 + i) for i, s in enumerate(students)]


def test_a_school_that_publishes_grades_from_apps_gets_the_apps_line_items_published_at_once(stack, demo, writer, client, cleanup):
    """The school admin's choice on /school/apps (drafts by default): published at once, an app's new line item is in
    the gradebook's reads and the students' view without a teacher's step; the choice is audited; a bad value is a 400
    page that says what to choose."""
    from test_education_api import CSRF_FIELD, signed_in

    run = str(int(time.time()))
    item_id = f"e2e-auto-{run}"
    with signed_in(stack, demo["school_admin"]) as admin:
        def choose(value):
            csrf = CSRF_FIELD.search(admin.get(stack.url("app", "/school/apps"), timeout=10).text).group(1)
            return admin.post(stack.url("app", "/school/gradebook-settings"), data={"csrf": csrf, "app_results": value},
                              allow_redirects=False, timeout=10)
        try:
            refused = choose("sometimes")
            assert refused.status_code == 400 and "as drafts or published at once" in refused.text, refused.status_code
            saved = choose("published")
            assert saved.status_code == 303 and saved.headers["Location"] == "/school/apps?saved=gradebook"
            page = admin.get(stack.url("app", saved.headers["Location"]), timeout=10).text
            assert "The gradebook setting is saved." in page
            assert re.search(r'<input type="radio" name="app_results" value="published" checked>', page), "the choice is not shown"
            created = writer.put(stack.url("app", f"{GRADEBOOK}/lineItems/{item_id}"), timeout=10, json={"lineItem": {
                "title": f"Auto quiz {run}", "class": {"sourcedId": "demo-class-math"}, "resultValueMax": 10}})
            assert created.status_code == 201, created.text
            assert sql(stack, f"SELECT published FROM assessments WHERE sourced_id = '{item_id}'") == [["1"]]
            item = client.get(stack.url("app", f"{GRADEBOOK}/lineItems/{item_id}"), timeout=10)
            assert item.status_code == 200 and item.json()["lineItem"]["title"] == f"Auto quiz {run}", item.text
            assert sql(stack, "SELECT COUNT(*) FROM security_audit_log WHERE event = 'gradebook_setting_changed' "
                              "AND detail = 'grades from apps: published'")[0][0] != "0"
        finally:
            assert choose("draft").status_code == 303
    assert sql(stack, "SELECT publish_app_results FROM school_gradebook_settings s JOIN schools k ON k.id = s.school_id "
                      "WHERE k.sourced_id = 'demo-school'") == [["0"]]


def test_bad_writes_are_refused_in_the_status_info_form_and_write_nothing(stack, writer, client, cleanup):
    run = str(int(time.time()))
    item_id = f"e2e-bad-{run}"
    assert writer.put(stack.url("app", f"{GRADEBOOK}/lineItems/{item_id}"), timeout=10, json={"lineItem": {
        "title": "Bad", "class": {"sourcedId": "demo-class-math"}, "resultValueMax": 10}}).status_code == 201
    before = sql(stack, "SELECT COUNT(*), IFNULL(SUM(score), 0) FROM grades")
    outsider = sql(stack, """SELECT u.sourced_id FROM users u JOIN schools s ON s.id = u.school_id WHERE s.sourced_id = 'demo-school'
                             AND u.role = 'student' AND NOT EXISTS (SELECT 1 FROM enrollments e JOIN classes c ON c.id = e.class_id
                             WHERE e.user_id = u.id AND c.sourced_id = 'demo-class-math' AND e.active) LIMIT 1""")
    enrolled = sql(stack, """SELECT u.sourced_id FROM enrollments e JOIN users u ON u.id = e.user_id JOIN classes c ON c.id = e.class_id
                             WHERE c.sourced_id = 'demo-class-math' AND e.role = 'student' AND e.active LIMIT 1""")[0][0]

    def put_result(student, score, **extra):
        return writer.put(stack.url("app", f"{GRADEBOOK}/results/{item_id}-r"), timeout=10, json={"result": {
            "lineItem": {"sourcedId": item_id}, "student": {"sourcedId": student}, "score": score, **extra}})

    if outsider:
        assert_status_info(put_result(outsider[0][0], 5), 404, "unknownobject")
    assert_status_info(put_result("no-such-student", 5), 404, "unknownobject")
    assert "resultValueMax" in assert_status_info(put_result(enrolled, 11), 400, "invaliddata")
    assert_status_info(put_result(enrolled, "ten"), 400, "invaliddata")
    assert_status_info(put_result(enrolled, 5, scoreStatus="exempt"), 400, "invaliddata")
    assert_status_info(writer.put(stack.url("app", f"{GRADEBOOK}/results/x"), data="score=5", timeout=10), 415, "invaliddata")
    assert_status_info(writer.put(stack.url("app", f"{GRADEBOOK}/lineItems/assessment-1"), timeout=10, json={"lineItem": {
        "title": "Mine", "class": {"sourcedId": "demo-class-math"}, "resultValueMax": 10}}), 400, "invaliddata")
    assert_status_info(writer.put(stack.url("app", f"{GRADEBOOK}/lineItems/{item_id}-2"), timeout=10, json={"lineItem": {
        "title": "Blocked", "class": {"sourcedId": "no-such-class"}, "resultValueMax": 10}}), 404, "unknownobject")
    assert sql(stack, "SELECT COUNT(*), IFNULL(SUM(score), 0) FROM grades") == before
    # Reading tokens cannot write, and the writing token cannot read.
    refused = client.put(stack.url("app", f"{GRADEBOOK}/results/{item_id}-r"), timeout=10, json={"result": {}})
    assert_status_info(refused, 403, "forbidden")
    assert_status_info(writer.get(stack.url("app", f"{GRADEBOOK}/results"), timeout=10), 403, "forbidden")


def test_the_school_exports_as_the_oneroster_csv_set_it_imports(stack, demo, tmp_path):
    """`catalystwells roster export` writes the set `roster import` reads (checked with --dry-run), and the school admin
    downloads the same files from the export page."""
    import io
    import os
    import subprocess
    import zipfile

    from test_education_api import signed_in

    # Signed in first: a sign-in may write the admin's own row (a password rehash, the two-step record), which
    # would then differ between the two exports.
    admin = signed_in(stack, demo["school_admin"])
    binary = os.environ.get("CW_BIN") or str(
        __import__("pathlib").Path(__file__).resolve().parents[2] / ".build" / os.environ.get("CW_BUILD_CONFIG", "release") / "catalystwells")
    config = str(stack.dir / "catalystwells.conf")
    archive = tmp_path / "demo.zip"
    made = subprocess.run([binary, "roster", "export", "--config", config, "--school", "demo-school", str(archive)],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    checked = subprocess.run([binary, "roster", "import", "--config", config, "--dry-run", str(archive)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "no problems found" in checked.stdout, checked.stdout + checked.stderr
    names = {"manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv"}
    with zipfile.ZipFile(archive) as made_zip:
        assert set(made_zip.namelist()) == names
        users = made_zip.read("users.csv").decode().splitlines()
    held = sql(stack, "SELECT COUNT(*) FROM users u JOIN schools s ON s.id = u.school_id WHERE s.sourced_id = 'demo-school'")
    assert len(users) - 1 == int(held[0][0])

    download = admin.get(stack.url("app", "/school/export/oneroster.zip"), timeout=30)
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/zip"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="oneroster-demo-school-')
    with zipfile.ZipFile(io.BytesIO(download.content)) as fetched:
        assert set(fetched.namelist()) == names
        assert fetched.read("users.csv").decode().splitlines()[1:] == users[1:]
    admin.close()
