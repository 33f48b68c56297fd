"""Logs (issue 21, item 4): nginx's access log and the pools' JSON request lines keep no query string and no
one-time token. (The outage under load that checks the summarising of repeated errors is in test_faults.py.)"""
import json
import secrets
import time


def new_lines(path, offset):
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace").splitlines()


def test_query_strings_and_path_tokens_stay_out_of_both_logs(stack, http):
    access_log = stack.dir / "nginx" / "logs" / "access.log"
    app_log = stack.dir / "logs" / "app.log"
    offsets = access_log.stat().st_size, app_log.stat().st_size
    marker = secrets.token_hex(16)
    answers = [
        http.get(stack.url("app", f"/authsso?client_id=nobody&response_type=code&state={marker}&code_challenge={marker}"),
                 allow_redirects=False, timeout=10),
        http.get(stack.url("app", f"/password/reset?token={marker}"), allow_redirects=False, timeout=10),
        http.get(stack.url("app", f"/account/export/download/{marker}"), allow_redirects=False, timeout=10),
    ]
    ids = [answer.headers["X-Request-ID"] for answer in answers]
    time.sleep(1.5)  # nginx flushes its access log buffer every second
    access = new_lines(access_log, offsets[0])
    assert any(f"GET /authsso HTTP/1.1" in line for line in access), access[-5:]
    assert any("GET /account/export/download/- HTTP/1.1" in line for line in access), access[-5:]
    pool = [json.loads(line) for line in new_lines(app_log, offsets[1]) if line.startswith("{")]
    mine = [entry for entry in pool if entry.get("message") == "request" and entry.get("request.id") in ids]
    assert len(mine) == 3, pool[-5:]
    assert {entry["http.route"] for entry in mine} >= {"/authsso"}
    for line in access + new_lines(app_log, offsets[1]):
        assert marker not in line


def test_a_request_line_names_the_signed_in_person_and_the_client(stack, demo, confidential_client):
    from test_education_api import person, signed_in

    app_log = stack.dir / "logs" / "app.log"
    offset = app_log.stat().st_size
    student = person(demo, "students", "student47")
    page = signed_in(stack, student).get(stack.url("app", "/student"), allow_redirects=False, timeout=10)
    with stack.session() as s:
        token = s.post(stack.url("app", "/api/oauth/token"), auth=confidential_client.basic,
                       data={"grant_type": "client_credentials"}, timeout=10)
    time.sleep(0.3)
    lines = {entry.get("request.id"): entry for entry in
             (json.loads(line) for line in new_lines(app_log, offset) if line.startswith("{"))}
    assert lines[page.headers["X-Request-ID"]]["user.id"] == str(student["id"])
    assert lines[token.headers["X-Request-ID"]]["oauth.client_id"] == confidential_client.client_id
    assert token.json()["access_token"] not in app_log.read_bytes()[offset:].decode("utf-8", "replace")
