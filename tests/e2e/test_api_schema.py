"""The education API against its own OpenAPI document (GET /api/v1/openapi.json), with schemathesis.

Schemathesis reads the document the server publishes and generates calls from it: valid ones (positive mode) and
ones that break the document's rules (negative mode: wrong types, missing required fields, out-of-range values).
Each call goes through nginx over TLS with a real access token from the authorization code flow, for a student, a
teacher and a parent, and each answer must be:
  - never a 5xx (not_a_server_error);
  - a status code the document lists for the operation (status_code_conformance);
  - of a content type the document lists for that status (content_type_conformance);
  - a body that matches the document's schema for that status (response_schema_conformance);
  - a 4xx for data that breaks the document (negative_data_rejection);
  - when it succeeded, 401 with a Bearer challenge for the same call without its token (schemathesis's own
    ignored_auth and unsupported_method checks need its runner, so they are done here by hand, the second in
    test_methods_the_document_does_not_list_answer_405).

Random ids almost never hit a record the person may see, so each operation is first called once on the school's own
records (with a valid body for the POSTs), and the success answers the person should get are required.

The people belong to a school of their own, created here with SQL the way a roster import would leave it
(`e2e-schema-school`: a teacher of one class, a student in it, the student's parent), so the grades and attendance
the generated POSTs may write land in no record another test reads.

Bounded in time: at most EXAMPLES examples per operation, mode and person, no shrinking, and each operation and
mode stops after its share of BUDGET_SECONDS (after at least one call). The app's per-app rate limit (60 calls of
burst, 600 a minute per worker) is waited out: a 429 is sent again after its Retry-After, so schemathesis validates
the answer that follows (the 429 itself is documented and checked by test_education_api.py). A NUL byte is never
generated: nginx refuses such a path itself, with its own HTML 400 page, before the pool sees it.
"""
import re
import time

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from test_education_api import SCOPES, authorize, sql

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
# Examples per operation, generation mode and person; 12 operations x 2 modes x 3 people.
EXAMPLES = 12
# Seconds of calls for the three people together, shared equally by the operations and modes.
BUDGET_SECONDS = 60

# What each person may read or write among the school's own records (everything else answers 403 or 404).
OWN_RECORD_SUCCESSES = {
    "student": {"GET /api/v1/students/{id}", "GET /api/v1/students/{id}/classes", "GET /api/v1/students/{id}/grades",
                "GET /api/v1/students/{id}/attendance", "GET /api/v1/schools/{id}"},
    "teacher": {"GET /api/v1/classes/{id}", "GET /api/v1/classes/{id}/students", "POST /api/v1/classes/{id}/attendance",
                "POST /api/v1/assessments/{id}/grades", "GET /api/v1/schools/{id}"},
    "parent": {"GET /api/v1/students/{id}", "GET /api/v1/students/{id}/grades", "GET /api/v1/students/{id}/attendance",
               "GET /api/v1/schools/{id}"},
}

SCHEMA_SCHOOL = """
INSERT IGNORE INTO schools (sourced_id, name, created_at, updated_at)
VALUES ('e2e-schema-school', 'Schema E2E School', NOW(6), NOW(6));
SET @s = (SELECT id FROM schools WHERE sourced_id = 'e2e-schema-school');
SET @hash = (SELECT password_hash FROM users WHERE username = 'student01');
INSERT IGNORE INTO users (school_id, sourced_id, role, given_name, family_name, email, username, grade_level, password_hash,
                          created_at, updated_at) VALUES
  (@s, 'e2e-s-teacher', 'teacher', 'Sam', 'Schema', 'e2e-schemateacher@schema.example.org', 'e2e-schemateacher', NULL, @hash, NOW(6), NOW(6)),
  (@s, 'e2e-s-student', 'student', 'Sol', 'Schema', 'e2e-schemastudent@schema.example.org', 'e2e-schemastudent', '9', @hash, NOW(6), NOW(6)),
  (@s, 'e2e-s-parent', 'parent', 'Sasha', 'Schema', 'e2e-schemaparent@schema.example.org', 'e2e-schemaparent', NULL, @hash, NOW(6), NOW(6));
INSERT IGNORE INTO terms (school_id, sourced_id, title, kind, start_date, end_date)
VALUES (@s, 'e2e-s-term', 'Fall', 'term', '2026-09-01', '2026-12-18');
INSERT IGNORE INTO courses (school_id, sourced_id, title) VALUES (@s, 'e2e-s-course', 'Music');
INSERT IGNORE INTO classes (school_id, sourced_id, title, course_id, term_id)
SELECT @s, 'e2e-s-class', 'Music 9S', co.id, t.id FROM courses co JOIN terms t ON t.school_id = co.school_id
WHERE co.school_id = @s AND co.sourced_id = 'e2e-s-course' AND t.sourced_id = 'e2e-s-term';
SET @c = (SELECT id FROM classes WHERE school_id = @s AND sourced_id = 'e2e-s-class');
SET @teacher = (SELECT id FROM users WHERE username = 'e2e-schemateacher');
SET @student = (SELECT id FROM users WHERE username = 'e2e-schemastudent');
INSERT IGNORE INTO enrollments (class_id, user_id, role) VALUES (@c, @teacher, 'teacher'), (@c, @student, 'student');
INSERT IGNORE INTO guardianships (parent_id, student_id) SELECT id, @student FROM users WHERE username = 'e2e-schemaparent';
INSERT INTO assessments (class_id, title, max_score, due_date, published, graded_count, average_score, created_by, created_at, updated_at)
SELECT @c, 'Scales', 10, '2026-09-10', TRUE, 1, 8, @teacher, NOW(6), NOW(6) FROM DUAL
WHERE NOT EXISTS (SELECT 1 FROM assessments WHERE class_id = @c);
SET @a = (SELECT MIN(id) FROM assessments WHERE class_id = @c);
INSERT IGNORE INTO grades (assessment_id, student_id, score, recorded_by, recorded_at) VALUES (@a, @student, 8, @teacher, NOW(6));
INSERT IGNORE INTO attendance (class_id, student_id, day, status, recorded_by, recorded_at)
VALUES (@c, @student, '2026-09-10', 'present', @teacher, NOW(6));
SELECT @s, @c, @a, @teacher, @student;
"""


class OutOfTime(Exception):
    """Ends an operation's examples when its share of the time budget is used up (what ran is still checked)."""


class PacedSession:
    """Wraps a `requests` session: a 429 is sent again after its Retry-After (at most 60 times)."""

    def __init__(self, http):
        self.http = http
        self.waited = 0.0

    def __getattr__(self, name):
        return getattr(self.http, name)

    def request(self, *args, **kwargs):
        for _ in range(60):
            response = self.http.request(*args, **kwargs)
            if response.status_code != 429:
                return response
            pause = int(response.headers.get("Retry-After", "1") or "1")
            self.waited += pause
            time.sleep(pause)
        return response


@pytest.fixture(scope="module")
def people(stack, demo):
    school, klass, assessment, _, student = (int(v) for v in sql(stack, SCHEMA_SCHOOL)[-1])
    password = demo["password"]
    people = {role: {"username": f"e2e-schema{role}", "password": password} for role in ("student", "teacher", "parent")}
    people["records"] = {"/schools/": school, "/classes/": klass, "/assessments/": assessment, "/students/": student}
    people["bodies"] = {
        "/attendance": {"date": "2026-09-10", "marks": [{"student_id": student, "status": "present"}]},
        "/grades": {"grades": [{"student_id": student, "score": 9, "comment": "schema test"}], "publish": True},
    }
    return people


def own_record_case(operation, people):
    """The operation on the school's own records (the ids random generation almost never hits), or None."""
    path = operation.path.removeprefix("/api/v1")
    prefix = next((p for p in people["records"] if path.startswith(p)), None)
    if prefix is None:
        return None
    body = people["bodies"]["/" + path.rsplit("/", 1)[1]] if operation.method.upper() == "POST" else None
    kwargs = {"path_parameters": {"id": people["records"][prefix]}}
    if body is not None:
        kwargs.update(body=body, media_type="application/json")
    return operation.Case(**kwargs)


@pytest.fixture(scope="module")
def api_schema(stack):
    with stack.session() as http:
        response = http.get(stack.url("app", "/api/v1/openapi.json"), timeout=10)
    assert response.status_code == 200, f"{response.status_code} {response.text[:300]}"
    assert response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["servers"] == [{"url": stack.app_url}], document["servers"]
    schema = schemathesis.openapi.from_dict(document)
    # A NUL byte in a path is refused by nginx before it reaches the pool (its own HTML 400 page).
    schema.config.generation.update(allow_x00=False)
    return schema


@pytest.mark.parametrize("role", ["student", "teacher", "parent"])
def test_every_answer_of_the_api_matches_its_openapi_document(stack, oauth, confidential_client, people, api_schema, role):
    _, token = authorize(stack, oauth, confidential_client, people[role], SCOPES[role])
    assert isinstance(token, dict), f"no token for {role}: {token.status_code} {token.text[:300]}"
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    session = PacedSession(stack.session())
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # Each operation and mode gets an equal slice of the person's third of the budget.
    share = BUDGET_SECONDS / 3 / (2 * len(operations))
    failures = []
    calls = {}

    settings = hypothesis.settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck), verbosity=hypothesis.Verbosity.quiet)

    # First each operation once on the school's own records: the success bodies are checked against the document.
    answered = {}
    for operation in operations:
        case = own_record_case(operation, people)
        if case is not None:
            response = case.call_and_validate(
                base_url=stack.app_url, session=session, headers=bearer, verify=stack.ca_file, checks=CHECKS)
            answered[operation.label] = response.status_code
    print(f"{role} on own records: {answered}")
    assert OWN_RECORD_SUCCESSES[role] <= {label for label, status in answered.items() if status == 200}, answered

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            label = f"{operation.label} ({mode.value})"
            deadline = time.monotonic() + share

            @settings
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                if calls.get(label, 0) > 0 and time.monotonic() > deadline:
                    raise OutOfTime
                calls[label] = calls.get(label, 0) + 1
                # The public document needs no token; every other operation gets the person's.
                headers = {} if operation.path.endswith("/openapi.json") else dict(bearer)
                response = case.call_and_validate(
                    base_url=stack.app_url, session=session, headers=headers, verify=stack.ca_file, checks=CHECKS)
                if headers and 200 <= response.status_code < 300:
                    anonymous = case.call(base_url=stack.app_url, session=session, verify=stack.ca_file)
                    assert anonymous.status_code == 401, f"{label} without a token answered {anonymous.status_code}"
                    challenge = {name.lower(): value for name, value in anonymous.headers.items()}.get("www-authenticate")
                    assert challenge and challenge[0].startswith("Bearer"), anonymous.headers
                    case.validate_response(anonymous, checks=CHECKS)

            try:
                run()
            except OutOfTime:
                pass
            except hypothesis.errors.Unsatisfiable:
                # Nothing to break: the operation has no parameters and no body (negative mode only).
                calls.setdefault(label, 0)
            except (Exception, FailureGroup) as error:  # noqa: BLE001 - every operation is tried; the failures are listed together
                message = re.sub(r"Bearer [A-Za-z0-9_.-]+", "Bearer <token>", str(error))
                failures.append(f"{label}:\n{message[:3000]}")

    print(f"{role}: {sum(calls.values())} calls, {session.waited:.0f} s waiting out 429s; per operation: {calls}")
    untried = [operation.label for operation in operations if not calls.get(f"{operation.label} (positive)")]
    assert not untried, f"no call was made for {untried}"
    assert not failures, f"{len(failures)} operation(s) failed for the {role}:\n\n" + "\n\n".join(failures)


def test_methods_the_document_does_not_list_answer_405(stack, api_schema):
    """Every path of the document, with each method it does not list: 405 with Allow naming the ones it does."""
    checked = 0
    with stack.session() as http:
        for path, item in api_schema.raw_schema["paths"].items():
            listed = {method.upper() for method in item}
            concrete = path.replace("{id}", "1")
            for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - listed):
                response = http.request(method, stack.url("app", concrete), timeout=10)
                assert response.status_code == 405, f"{method} {concrete}: {response.status_code} {response.text[:200]}"
                allowed = {name.strip() for name in response.headers["Allow"].split(",")}
                assert listed <= allowed, f"{method} {concrete}: Allow {allowed}, the document lists {listed}"
                checked += 1
    assert checked > 0
