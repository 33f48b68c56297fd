"""LTI Assignment and Grade Services 2.0 with CatalystWells as the platform (issue 19 item 2), through nginx and both pools.

A real tool (tests/e2e/lti_tool/tool.py: Flask and pylti1p3) is registered with the AGS scopes, approved, synced and
placed by teacher1 in their class. A student opens it in Chromium; the launch carries the AGS endpoint claim, and the
tool, through pylti1p3's AGS client, finds or creates its line item, posts the student's score and reads the results
back. The teacher signs in and sees the tool's column in the class gradebook, a draft from the tool, with the score.
A second launch names the placement's line item in the claim and updates the grade.

Bad input gets the spec's errors and writes nothing: a user who is not a student of the class, another class, malformed
score JSON, a wrong media type, an older timestamp (409), a token without the scope, a replayed client assertion.
"""

import json
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from joserfc.jwk import RSAKey
from portal import APP, csrf_of, declarations, multipart, sign_up_verified
from test_logout import main_sql
from test_lti import CLASS_ID, Tool, signed_in
from test_review_and_sync import admin, decide, sync  # noqa: F401 - the signed-in platform admin fixture

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINEITEM, LINEITEM_READ, RESULT, SCORE = AGS + "lineitem", AGS + "lineitem.readonly", AGS + "result.readonly", AGS + "score"
TOOL_NAME = "Score Lab " + secrets.token_hex(3)
LABEL = "Fractions score " + secrets.token_hex(2)


@pytest.fixture(scope="module")
def tool(stack):
    running = Tool(stack, Path(stack.dir) / "lti-ags-tool")
    yield running
    running.close()


@pytest.fixture(scope="module")
def placed(stack, mail_dir, admin, demo, tool):
    """The tool registered with the AGS scopes, approved, synced and placed by teacher1; returns (client_id, link_id)."""
    developer, _ = sign_up_verified(stack, mail_dir, "ltiags")
    key = RSAKey.generate_key(2048)
    scopes = ["openid", "profile.read", LINEITEM, LINEITEM_READ, RESULT, SCORE]
    page = developer.get(stack.url("developers", "/apps/new"))
    created = developer.post(stack.url("developers", "/apps"), allow_redirects=False, files=multipart(
        {**APP, "name": TOOL_NAME, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential",
         "redirect_uris": tool.base_url + "/callback", "scopes": scopes, "lti_tool": "1",
         "lti_login_initiation_url": tool.base_url + "/login",
         "lti_target_link_uri": tool.base_url + "/ags-launch", "lti_redirect_uris": tool.base_url + "/ags-launch",
         "token_endpoint_auth_method": "private_key_jwt",
         "jwks": json.dumps({"keys": [key.as_dict(private=False, kid=key.thumbprint(), use="sig")]})}))
    assert created.status_code == 303, created.text[:300]
    path = created.headers["Location"].split("?")[0]
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    submitted = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                               allow_redirects=False)
    assert submitted.status_code == 303, submitted.text[:300]
    assert decide(stack, admin, int(path.rsplit("/", 1)[1]), "approve", scopes=scopes).status_code == 303
    assert sync(stack)["status"] == "ok"
    client_id = re.search(r'id="client-id">([^<]+)<', developer.get(stack.url("developers", path + "/credentials")).text).group(1)

    teacher = signed_in(stack, next(t for t in demo["teachers"] if t["username"] == "teacher1"))
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}"))
    answer = teacher.post(stack.url("app", f"/teacher/classes/{CLASS_ID}/lti"), allow_redirects=False,
                          data={"csrf": csrf_of(page.text), "tool": client_id, "title": "Score quiz"})
    assert answer.status_code == 303, answer.text[:300]
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    link_id = re.search(r'<li data-lti-link="([^"]+)">(?:(?!</li>).)*<small class="muted">' + TOOL_NAME + '</small>', page,
                        re.S).group(1)
    [[deployment_id]] = main_sql(stack, f"""SELECT d.deployment_id FROM lti_deployments d JOIN oauth_clients c ON c.id = d.client_pk
                                           WHERE c.client_id = '{client_id}'""")
    tool.key = key
    tool.settings = {"issuer": stack.app_url, "client_id": client_id, "deployment_ids": [deployment_id],
                     "key_set": stack.session().get(stack.url("app", "/api/oauth/jwks")).json(),
                     "private_key_pem": key.as_pem(private=True).decode(), "public_key_pem": key.as_pem(private=False).decode(),
                     "ags": {"tag": "quiz", "label": LABEL, "line_item_maximum": 20, "score_given": 8, "score_maximum": 10}}
    tool.config.write_text(json.dumps(tool.settings))
    return client_id, link_id


@pytest.fixture(scope="module")
def chromium(stack, tool):
    from browser import start_chromium, verified_server_pin

    driver = start_chromium([verified_server_pin(urlsplit(stack.app_url).hostname, stack.https_port, stack.ca_file),
                             verified_server_pin("127.0.0.1", tool.port, stack.ca_file)])
    yield driver
    driver.quit()


def person(demo, kind, username):
    return next(p for p in demo[kind] if p["username"] == username)


def grades_of(stack, client_id):
    return main_sql(stack, f"""SELECT a.title, a.max_score, a.published, u.username, g.score, g.source_client_id, g.comment
                               FROM lti_line_items i JOIN oauth_clients c ON c.id = i.client_pk
                               JOIN assessments a ON a.id = i.assessment_id JOIN grades g ON g.assessment_id = a.id
                               JOIN users u ON u.id = g.student_id
                               WHERE c.client_id = '{client_id}' ORDER BY a.id, u.username""")


def open_tool(browser, driver, tool, link_id):
    from selenium.webdriver.support.ui import WebDriverWait

    before = len(tool.events("ags"))
    assert browser.open("/student") == 200
    browser.find(f'li[data-lti-link="{link_id}"] button').click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.startswith(tool.base_url + "/ags-launch")
                                    and (d.find_elements("css selector", "#results") or d.find_elements("css selector", "#error")))
    assert not tool.events("refused"), tool.events("refused")
    [event] = tool.events("ags")[before:]
    return event


def test_the_tool_grades_a_student_through_ags_and_the_teacher_sees_the_draft_grade(stack, demo, tool, placed, chromium):
    from browser import Browser

    client_id, link_id = placed
    pupil = person(demo, "students", "student01")
    browser = Browser(chromium, stack.app_url)
    browser.reset()
    browser.sign_in(pupil["username"], pupil["password"])
    event = open_tool(browser, chromium, tool, link_id)
    lineitems = stack.app_url + f"/api/lti/contexts/{CLASS_ID}/lineitems"
    assert event["endpoint"]["lineitems"] == lineitems
    assert set(event["endpoint"]["scope"]) == {LINEITEM, LINEITEM_READ, RESULT, SCORE}
    assert "lineitem" not in event["endpoint"], "no line item of the placement yet"
    assert event["lineitem"]["label"] == LABEL and event["lineitem"]["scoreMaximum"] == 20
    assert event["lineitem"]["resourceLinkId"] == link_id and event["lineitem_id"].startswith(lineitems + "/li_")
    # 8 of 10 on a line item out of 20: 16, as the results say.
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in event["results"]] == [(event["sub"], 16.0, 20.0)]
    assert grades_of(stack, client_id) == [[LABEL, "20.00", "0", "student01", "16.00", client_id, "Graded by the tool"]]
    [[logged]] = main_sql(stack, f"SELECT COUNT(*) FROM data_access_log WHERE client_id = '{client_id}' AND operation = 'lti.ags.score'")
    assert logged == "1"

    # The teacher sees the tool's column as a draft from the tool, with the student's score.
    teacher = person(demo, "teachers", "teacher1")
    browser.reset()
    browser.sign_in(teacher["username"], teacher["password"])
    assert browser.open(f"/teacher/classes/{CLASS_ID}") == 200
    [row] = [r for r in browser.find_all("#assessments tbody tr") if LABEL in r.text]
    assert f"from {TOOL_NAME}" in row.text and "Draft" in row.text
    row.find_element("css selector", "a").click()
    [[pupil_id]] = main_sql(stack, "SELECT id FROM users WHERE username = 'student01'")
    assert float(browser.value(f'tr[data-student-id="{pupil_id}"] input.score')) == 16.0
    assert browser.value(f'input[name="comment-{pupil_id}"]') == "Graded by the tool"

    # A second launch names the placement's line item; pylti1p3 finds it by tag and the newer score replaces the grade.
    tool.settings["ags"]["score_given"] = 9
    tool.config.write_text(json.dumps(tool.settings))
    browser.reset()
    browser.sign_in(pupil["username"], pupil["password"])
    again = open_tool(browser, chromium, tool, link_id)
    assert again["endpoint"]["lineitem"] == event["lineitem_id"] == again["lineitem_id"]
    assert grades_of(stack, client_id) == [[LABEL, "20.00", "0", "student01", "18.00", client_id, "Graded by the tool"]]


def token(stack, tool, client_id, scope):
    from test_par_private_key_jwt import assertion_fields

    url = stack.url("app", "/api/oauth/token")
    issued = stack.session().post(url, data={"grant_type": "client_credentials", "scope": scope,
                                             **assertion_fields(tool.key, client_id, url, kid=tool.key.thumbprint())})
    assert issued.status_code == 200, issued.text
    return {"Authorization": "Bearer " + issued.json()["access_token"]}


def score_body(user_id, given=5, at=None, **changes):
    body = {"userId": user_id, "scoreGiven": given, "scoreMaximum": 10, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": (at or datetime.now(timezone.utc)).isoformat()}
    body.update(changes)
    return body


def test_line_items_are_created_listed_paged_changed_and_deleted(stack, demo, tool, placed):
    client_id, link_id = placed
    http = stack.session()
    bearer = token(stack, tool, client_id, f"{LINEITEM} {RESULT}")
    url = stack.url("app", f"/api/lti/contexts/{CLASS_ID}/lineitems")
    media = {"Content-Type": "application/vnd.ims.lis.v2.lineitem+json"}
    made = []
    for n in range(2):
        answer = http.post(url, headers={**bearer, **media}, data=json.dumps(
            {"label": f"Extra {n}", "scoreMaximum": 5, "tag": "extra", "resourceId": f"res-{n}",
             "endDateTime": "2027-01-15T23:00:00Z"}))
        assert answer.status_code == 201 and answer.headers["Content-Type"].startswith("application/vnd.ims.lis.v2.lineitem+json"), answer.text
        made.append(answer.json())
        assert answer.headers["Location"] == made[-1]["id"]
    listed = http.get(url, headers=bearer, params={"tag": "extra", "limit": "1"})
    assert listed.status_code == 200 and listed.headers["Content-Type"].startswith("application/vnd.ims.lis.v2.lineitemcontainer+json")
    assert [i["id"] for i in listed.json()] == [made[0]["id"]]
    following = re.match(r'<([^>]+)>; rel="next"', listed.headers["Link"]).group(1)
    second = http.get(following, headers=bearer)
    assert [i["id"] for i in second.json()] == [made[1]["id"]] and "Link" not in second.headers
    assert [i["resourceId"] for i in http.get(url, headers=bearer, params={"resource_id": "res-1"}).json()] == ["res-1"]
    assert all(i.get("resourceLinkId") == link_id for i in http.get(url, headers=bearer, params={"resource_link_id": link_id}).json())
    assert made[0]["id"] not in [i["id"] for i in http.get(url, headers=bearer, params={"resource_link_id": link_id}).json()]
    # PUT changes it (the gradebook's assessment with it); DELETE takes it away.
    changed = http.put(made[0]["id"], headers={**bearer, **media}, data=json.dumps({"label": "Extra zero", "scoreMaximum": 6}))
    assert changed.status_code == 200 and changed.json()["label"] == "Extra zero", changed.text
    assert main_sql(stack, "SELECT title, max_score, due_date FROM assessments WHERE title = 'Extra zero'") == [["Extra zero", "6.00", "NULL"]]
    for item in made:
        assert http.delete(item["id"], headers=bearer).status_code == 204
        assert http.get(item["id"], headers=bearer).status_code == 404
    assert main_sql(stack, "SELECT COUNT(*) FROM assessments WHERE title IN ('Extra zero', 'Extra 1')") == [["0"]]


def test_bad_scores_get_the_spec_errors_and_nothing_is_written(stack, demo, tool, placed):
    client_id, _ = placed
    http = stack.session()
    bearer = token(stack, tool, client_id, f"{LINEITEM} {SCORE} {RESULT}")
    url = stack.url("app", f"/api/lti/contexts/{CLASS_ID}/lineitems")
    item = http.post(url, headers={**bearer, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
                     data=json.dumps({"label": "Checks", "scoreMaximum": 10})).json()["id"]
    scores = item + "/scores"
    score_type = {"Content-Type": "application/vnd.ims.lis.v1.score+json"}
    # The student's sub for this tool, as its launches name it: from a first good score's result.
    [[pupil_id]] = main_sql(stack, "SELECT id FROM users WHERE username = 'student01'")
    subs = [e["sub"] for e in tool.events("ags")]
    assert subs, "the launch test ran first"
    sub = subs[0]
    at = datetime.now(timezone.utc)
    good = http.post(scores, headers={**bearer, **score_type}, data=json.dumps(score_body(sub, 7, at)))
    assert good.status_code == 204, good.text

    def snapshot():
        return main_sql(stack, """SELECT (SELECT COUNT(*) FROM grades), (SELECT COUNT(*) FROM lti_scores),
                                         (SELECT GROUP_CONCAT(score_timestamp) FROM lti_scores)""")

    before = snapshot()

    def refused(status, error, body=None, raw=None, headers=score_type, target=scores, auth=bearer):
        answer = http.post(target, headers={**auth, **headers}, data=raw if raw is not None else json.dumps(body))
        assert answer.status_code == status, (answer.status_code, answer.text)
        assert answer.json()["error"] == error, answer.text
        return answer

    refused(400, "invalid_request", score_body("not-a-student-sub"))
    refused(400, "invalid_request", raw="{not json")
    refused(400, "invalid_request", score_body(sub, given="eight"))
    refused(400, "invalid_request", score_body(sub, timestamp="yesterday"))
    refused(400, "invalid_request", score_body(sub, gradingProgress="Done"))
    refused(400, "invalid_request", score_body(sub, given=11))
    refused(415, "invalid_request", score_body(sub), headers={"Content-Type": "text/plain"})
    # An older timestamp than the one on record: 409, the grade stays.
    refused(409, "conflict", score_body(sub, 2, at - timedelta(seconds=30)))
    # Another class: the tool is not placed there.
    other = next(c["id"] for t in demo["teachers"] for c in t["classes"] if c["id"] != CLASS_ID)
    elsewhere = item.replace(f"/contexts/{CLASS_ID}/", f"/contexts/{other}/") + "/scores"
    refused(404, "not_found", score_body(sub), target=elsewhere)
    assert http.get(stack.url("app", f"/api/lti/contexts/{other}/lineitems"), headers=bearer).status_code == 404
    # A token without the score scope.
    read_only = token(stack, tool, client_id, LINEITEM_READ)
    answer = refused(403, "insufficient_scope", score_body(sub), auth=read_only)
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"] and SCORE in answer.headers["WWW-Authenticate"]
    assert http.get(item + "/results", headers=read_only).status_code == 403
    assert http.get(item, headers=read_only).status_code == 200
    assert snapshot() == before
    assert main_sql(stack, f"""SELECT g.score FROM grades g JOIN users u ON u.id = g.student_id JOIN assessments a ON a.id = g.assessment_id
                               WHERE a.title = 'Checks' AND u.id = {pupil_id}""") == [["7.00"]]
    # Progress that is not final is recorded and leaves the grade.
    pending = http.post(scores, headers={**bearer, **score_type}, data=json.dumps(
        score_body(sub, None, gradingProgress="Pending", activityProgress="Submitted")))
    assert pending.status_code == 204, pending.text
    results = http.get(item + "/results", headers=bearer)
    assert results.status_code == 200 and results.headers["Content-Type"].startswith("application/vnd.ims.lis.v2.resultcontainer+json")
    assert [(r["userId"], r["resultScore"]) for r in results.json()] == [(sub, 7.0)]
    assert http.get(item + "/results", headers=bearer, params={"user_id": "nobody"}).json() == []
    assert http.delete(item, headers=bearer).status_code == 204


def test_a_replayed_client_assertion_gets_no_token(stack, tool, placed):
    from test_par_private_key_jwt import assertion_fields

    client_id, _ = placed
    url = stack.url("app", "/api/oauth/token")
    once = {"grant_type": "client_credentials", "scope": SCORE,
            **assertion_fields(tool.key, client_id, url, kid=tool.key.thumbprint())}
    http = stack.session()
    assert http.post(url, data=once).status_code == 200
    replayed = http.post(url, data=once)
    assert replayed.status_code == 401 and replayed.json()["error"] == "invalid_client", replayed.text
    assert "access_token" not in replayed.text


def test_the_developers_docs_describe_the_grade_services(stack):
    page = stack.session().get(stack.url("developers", "/docs/lti"))
    assert page.status_code == 200
    assert "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint" in page.text and "application/vnd.ims.lis.v1.score+json" in page.text
    assert "Only <code dir=\"ltr\">FullyGraded</code> becomes a grade" in page.text
    spanish = stack.session().get(stack.url("developers", "/docs/lti"), headers={"Accept-Language": "es"})
    assert "Solo <code dir=\"ltr\">FullyGraded</code> se convierte en nota" in spanish.text
