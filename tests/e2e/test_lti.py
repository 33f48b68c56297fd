"""LTI 1.3 with CatalystWells as the platform (issue 19 item 2), through nginx and both pools.

Slice 1, tool registration: a developer marks an app as an LTI tool on the portal form (login initiation URL, target
link URI, launch redirect URIs; its keys are the private_key_jwt registration), the form refuses bad addresses next to
their fields, submission asks for what a tool needs, the review page shows the registration, and sync carries it into
main's lti_tools after approval. The LTI service scopes are offered by discovery like every registry scope.

Slices 2-3, placement and launch, with a real tool (tests/e2e/lti_tool/tool.py: Flask and pylti1p3, over HTTPS on
loopback): a teacher places it in their class, a student opens it from their page in Chromium and the tool shows the
launch it verified (name, roles, context); a replayed hint, a person not in the class and a tool the school blocks end
on a page of ours, and nothing reaches the tool.

Slice 4, NRPS: the launch carries the memberships claim and the tool reads the class's members through pylti1p3 (its
own private_key_jwt assertion for a client_credentials token); each member is on the data-access log; a missing
token and a class the tool is not placed in are refused.
"""

import hashlib
import html
import json
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from joserfc.jwk import RSAKey
from portal import APP, csrf_of, declarations, multipart, post_form, sign_up_verified
from test_logout import main_sql
from test_review_and_sync import admin, decide, sync  # noqa: F401 - the signed-in platform admin fixture

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
MEMBERSHIPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
TOOL = {
    "lti_tool": "1",
    "lti_login_initiation_url": "http://127.0.0.1:5999/login",
    "lti_target_link_uri": "http://127.0.0.1:5999/launch",
    "lti_redirect_uris": "http://127.0.0.1:5999/launch",
}


def test_discovery_offers_the_lti_service_scopes(oauth):
    assert {SCORE, MEMBERSHIPS} <= set(oauth["scopes_supported"])


def test_a_developer_registers_a_tool_that_review_shows_and_sync_carries_to_main(stack, mail_dir, admin):
    developer, _ = sign_up_verified(stack, mail_dir, "ltitool")
    scopes = [MEMBERSHIPS, SCORE]
    jwks = json.dumps({"keys": [RSAKey.generate_key(2048).as_dict(private=False, kid="t1", use="sig")]})

    def save(**fields):
        page = developer.get(stack.url("developers", "/apps/new"))
        return developer.post(stack.url("developers", "/apps"), allow_redirects=False, files=multipart(
            {**APP, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential", "redirect_uris": "",
             "scopes": scopes, **TOOL, **fields}))

    refused = save(lti_login_initiation_url="http://tool.example/login")
    assert refused.status_code == 422 and 'id="lti_login_initiation_url-error"' in refused.text, refused.status_code

    # Saved without keys, the draft cannot be submitted: a tool signs with private_key_jwt.
    created = save()
    assert created.status_code == 303, created.text[:300]
    path = created.headers["Location"].split("?")[0]
    page = developer.get(stack.url("developers", path))
    assert "http://127.0.0.1:5999/login" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    refused = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                             allow_redirects=False)
    assert refused.status_code != 303 and "An LTI tool authenticates with private_key_jwt" in refused.text, refused.status_code

    edit = developer.get(stack.url("developers", path + "/edit"))
    assert 'name="lti_tool" value="1" checked' in edit.text
    version = re.search(r'name="version" value="(\d+)"', edit.text).group(1)
    saved = developer.post(stack.url("developers", path + "/edit"), allow_redirects=False, files=multipart(
        {**APP, **declarations(scopes), "csrf": csrf_of(edit.text), "client_type": "confidential", "redirect_uris": "",
         "scopes": scopes, "version": version, **TOOL, "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks}))
    assert saved.status_code == 303, saved.text[:300]
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    submitted = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                               allow_redirects=False)
    assert submitted.status_code == 303, submitted.text[:300]

    app_id = int(path.rsplit("/", 1)[1])
    review = admin.get(stack.url("app", f"/platform/apps/{app_id}")).text
    assert 'class="lti-login-initiation-url"><code>http://127.0.0.1:5999/login</code>' in review
    assert decide(stack, admin, app_id, "approve", scopes=scopes).status_code == 303
    assert sync(stack)["status"] == "ok"
    client_id = re.search(r'id="client-id">([^<]+)<', developer.get(stack.url("developers", path + "/credentials")).text).group(1)
    assert main_sql(stack, f"""SELECT t.login_initiation_url, t.target_link_uri,
                                      (SELECT GROUP_CONCAT(u.uri ORDER BY u.position) FROM lti_tool_redirect_uris u
                                       WHERE u.client_pk = t.client_pk)
                               FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk
                               WHERE c.client_id = '{client_id}'""") == [
        ["http://127.0.0.1:5999/login", "http://127.0.0.1:5999/launch", "http://127.0.0.1:5999/launch"]]


# ----------------------------------------------------------------------------- slices 2-3: a real tool

TOOL_SCRIPT = Path(__file__).resolve().parent / "lti_tool" / "tool.py"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CLASS_ID = 1  # teacher1's Mathematics 10A, which student01 attends (the demo roster)
TOOL_NAME = "Fraction Lab " + secrets.token_hex(3)  # this run's tool (a rerun on the same stack places another)


class Tool:
    """tool.py running for this module; its registration is written to `config` once the platform knows it."""

    def __init__(self, stack, folder):
        folder.mkdir(parents=True, exist_ok=True)
        self.config, ready = folder / "config.json", folder / "ready"
        ready.unlink(missing_ok=True)
        self.log = (folder / "tool.log").open("ab")
        tls = Path(stack.dir) / "tls"
        self.process = subprocess.Popen(
            [sys.executable, str(TOOL_SCRIPT), "--ca-cert", str(tls / "ca.pem"), "--ca-key", str(tls / "ca.key"),
             "--state-dir", str(folder), "--config", str(self.config), "--ready-file", str(ready)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "REQUESTS_CA_BUNDLE": stack.ca_file})
        deadline = time.monotonic() + 30
        while not (ready.exists() and ready.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the LTI test tool did not start: {(folder / 'tool.log').read_text()[-2000:]}")
            time.sleep(0.1)
        self.base_url = ready.read_text().strip()
        self.port = int(self.base_url.rsplit(":", 1)[1])
        self.http = stack.session()

    def events(self, kind=None):
        found = self.http.get(self.base_url + "/control/launches", timeout=10).json()
        return [e for e in found if kind is None or e["kind"] == kind]

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def signed_in(stack, person):
    s = stack.session()
    answer = post_form(s, stack.url("app", "/login"), {"identifier": person["username"], "password": person["password"]})
    assert answer.status_code == 303, answer.text[:300]
    return s


@pytest.fixture(scope="module")
def tool(stack):
    running = Tool(stack, Path(stack.dir) / "lti-tool")
    yield running
    running.close()


@pytest.fixture(scope="module")
def placed(stack, mail_dir, admin, demo, tool):
    """The tool registered (private_key_jwt keys), approved, synced, and placed by teacher1 in their class; returns
    (client_id, link_id, deployment_id)."""
    developer, _ = sign_up_verified(stack, mail_dir, "ltilaunch")
    key = RSAKey.generate_key(2048)
    scopes = ["openid", "profile.read", MEMBERSHIPS]
    page = developer.get(stack.url("developers", "/apps/new"))
    created = developer.post(stack.url("developers", "/apps"), allow_redirects=False, files=multipart(
        {**APP, "name": TOOL_NAME, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential",
         "redirect_uris": tool.base_url + "/callback", "scopes": scopes, "lti_tool": "1",
         "lti_login_initiation_url": tool.base_url + "/login",
         "lti_target_link_uri": tool.base_url + "/launch", "lti_redirect_uris": tool.base_url + "/launch",
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
    assert f'<option value="{client_id}">{TOOL_NAME}</option>' in page.text
    answer = teacher.post(stack.url("app", f"/teacher/classes/{CLASS_ID}/lti"), allow_redirects=False,
                          data={"csrf": csrf_of(page.text), "tool": client_id, "title": "Fractions quiz"})
    assert answer.status_code == 303, answer.text[:300]
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}"))
    link_id = re.search(r'<li data-lti-link="([^"]+)">(?:(?!</li>).)*<small class="muted">' + TOOL_NAME + '</small>', page.text,
                        re.S).group(1)
    assert "Open Fractions quiz" in page.text
    [[deployment_id]] = main_sql(stack, f"""SELECT d.deployment_id FROM lti_deployments d JOIN oauth_clients c ON c.id = d.client_pk
                                           WHERE c.client_id = '{client_id}'""")
    jwks = stack.session().get(stack.url("app", "/api/oauth/jwks")).json()
    tool.key = key
    tool.config.write_text(json.dumps({"issuer": stack.app_url, "client_id": client_id, "deployment_ids": [deployment_id],
                                       "key_set": jwks, "private_key_pem": key.as_pem(private=True).decode(),
                                       "public_key_pem": key.as_pem(private=False).decode()}))
    return client_id, link_id, deployment_id


def start_launch(stack, session, link_id):
    """A class page's launch button pressed on a requests session: the login initiation form's (action, fields)."""
    page = session.get(stack.url("app", "/"))  # any signed-in page: its sign-out form carries the session's CSRF token
    answer = session.post(stack.url("app", f"/lti/launch/{link_id}"), data={"csrf": csrf_of(page.text)}, allow_redirects=False)
    if answer.status_code != 200:
        return answer, None, None
    action = html.unescape(re.search(r'<form id="lti-autosubmit" method="post" action="([^"]+)"', answer.text).group(1))
    return answer, action, {name: html.unescape(value) for name, value in HIDDEN.findall(answer.text)}


def authentication_request(stack, tool, fields, **changes):
    """The request a tool makes after a login initiation (what pylti1p3 builds), as a URL of ours."""
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
             "client_id": fields["client_id"], "redirect_uri": tool.base_url + "/launch", "state": "s-" + secrets.token_hex(4),
             "nonce": "n-" + secrets.token_hex(4), "login_hint": fields["login_hint"], "lti_message_hint": fields["lti_message_hint"]}
    query.update(changes)
    return stack.url("app", "/lti/authorize?" + urlencode(query))


@pytest.fixture(scope="module")
def lti_chromium(stack, tool):
    """A Chromium that accepts the app's certificate and the tool's (each checked against the dev CA first)."""
    from browser import start_chromium, verified_server_pin

    driver = start_chromium([verified_server_pin(urlsplit(stack.app_url).hostname, stack.https_port, stack.ca_file),
                             verified_server_pin("127.0.0.1", tool.port, stack.ca_file)])
    yield driver
    driver.quit()


def test_a_student_opens_the_placed_tool_and_the_tool_verifies_the_launch(stack, demo, tool, placed, lti_chromium):
    from browser import Browser
    from selenium.webdriver.support.ui import WebDriverWait

    client_id, link_id, deployment_id = placed
    pupil = next(p for p in demo["students"] if p["username"] == "student01")
    browser = Browser(lti_chromium, stack.app_url)
    browser.reset()
    browser.sign_in(pupil["username"], pupil["password"])
    assert browser.open("/student") == 200
    assert browser.text(f'li[data-lti-link="{link_id}"] button') == "Open Fractions quiz"
    before = len(tool.events("launch"))
    browser.find(f'li[data-lti-link="{link_id}"] button').click()
    WebDriverWait(lti_chromium, 15).until(lambda d: d.current_url.startswith(tool.base_url + "/launch")
                                          and d.find_elements("css selector", "#name"))
    assert browser.text("#name") == pupil["name"]
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner" in browser.text("#roles")
    assert browser.text("#context") == "Mathematics 10A"
    assert browser.text("#resource-link") == "Fractions quiz"
    [launch] = tool.events("launch")[before:]
    assert launch["deployment_id"] == deployment_id and launch["resource_link"]["id"] == link_id
    assert launch["message_type"] == "LtiResourceLinkRequest" and launch["context"]["id"] == str(CLASS_ID)
    assert not tool.events("refused"), tool.events("refused")
    # NRPS: pylti1p3 fetched a client_credentials token with its own assertion and read the class's members; each
    # person it received is on the data-access log.
    members = {m["name"]: m["roles"] for m in launch["members"]}
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner" in members[pupil["name"]]
    teacher = next(t for t in demo["teachers"] if t["username"] == "teacher1")
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor" in members[teacher["name"]]
    assert browser.text("#member-count") == str(len(members))
    [[logged]] = main_sql(stack, f"""SELECT COUNT(*) FROM data_access_log
                                    WHERE client_id = '{client_id}' AND operation = 'lti.nrps.contextMemberships'""")
    assert int(logged) == len(members)


def test_a_replayed_hint_gets_a_page_and_the_tool_nothing(stack, demo, tool, placed):
    client_id, link_id, _ = placed
    pupil = signed_in(stack, next(p for p in demo["students"] if p["username"] == "student01"))
    answer, action, fields = start_launch(stack, pupil, link_id)
    assert answer.status_code == 200 and action == tool.base_url + "/login", answer.text[:300]
    assert fields["iss"] == stack.app_url and fields["client_id"] == client_id and fields["target_link_uri"] == tool.base_url + "/launch"
    # Only the hint's digest is stored.
    digest = hashlib.sha256(fields["lti_message_hint"].encode()).hexdigest()
    assert main_sql(stack, f"SELECT COUNT(*) FROM lti_launches WHERE hint_digest = UNHEX('{digest}') AND used_at IS NULL") == [["1"]]
    first = pupil.get(authentication_request(stack, tool, fields))
    assert first.status_code == 200 and 'name="id_token"' in first.text, first.text[:300]
    replayed = pupil.get(authentication_request(stack, tool, fields))
    assert replayed.status_code == 400 and "expired or was already used" in replayed.text
    assert 'name="id_token"' not in replayed.text and f'action="{tool.base_url}' not in replayed.text
    # Another person's session cannot spend a hint either, nor can a redirect URI the tool did not register.
    answer, _, fields = start_launch(stack, pupil, link_id)
    other = signed_in(stack, next(p for p in demo["students"] if p["username"] == "student02"))
    refused = other.get(authentication_request(stack, tool, fields))
    assert refused.status_code == 200 and 'value="login_required"' in refused.text and 'name="id_token"' not in refused.text
    unregistered = pupil.get(authentication_request(stack, tool, fields, redirect_uri=tool.base_url + "/elsewhere"))
    assert unregistered.status_code == 400 and 'name="id_token"' not in unregistered.text


def test_a_person_not_in_the_class_and_a_blocked_tool_get_a_page(stack, demo, tool, placed):
    client_id, link_id, _ = placed
    outsider = next(t for t in demo["teachers"] if all(c["id"] != CLASS_ID for c in t["classes"]))
    answer, _, _ = start_launch(stack, signed_in(stack, outsider), link_id)
    assert answer.status_code == 403 and "not a member of the class" in answer.text

    pupil = signed_in(stack, next(p for p in demo["students"] if p["username"] == "student01"))
    _, _, pending = start_launch(stack, pupil, link_id)  # started while allowed, answered after the block
    main_sql(stack, f"""INSERT INTO school_app_policies (school_id, client_pk, status, updated_by, updated_at)
                       SELECT k.school_id, c.id, 'blocked', 1, NOW(6) FROM classes k, oauth_clients c
                       WHERE k.id = {CLASS_ID} AND c.client_id = '{client_id}'""")
    try:
        answer, _, _ = start_launch(stack, pupil, link_id)
        assert answer.status_code == 403 and f"does not allow {TOOL_NAME}" in answer.text
        late = pupil.get(authentication_request(stack, tool, pending))
        assert late.status_code == 403 and 'name="id_token"' not in late.text
        teacher = signed_in(stack, next(t for t in demo["teachers"] if t["username"] == "teacher1"))
        assert f'value="{client_id}"' not in teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    finally:
        main_sql(stack, f"""DELETE p FROM school_app_policies p JOIN oauth_clients c ON c.id = p.client_pk
                           WHERE c.client_id = '{client_id}'""")


def test_the_memberships_service_refuses_a_missing_token_and_a_class_without_the_tool(stack, demo, tool, placed):
    client_id = placed[0]
    url = stack.url("app", f"/api/lti/contexts/{CLASS_ID}/memberships")
    http = stack.session()
    bare = http.get(url)
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"].startswith("Bearer")
    assert http.get(url, headers={"Authorization": "Bearer cw_at_" + "A" * 43}).json()["error"] == "invalid_token"
    # The tool's own token reads its class, and no other (the tool is placed in one class only).
    from test_par_private_key_jwt import assertion_fields

    token_url = stack.url("app", "/api/oauth/token")
    issued = http.post(token_url, data={"grant_type": "client_credentials", "scope": MEMBERSHIPS,
                                        **assertion_fields(tool.key, client_id, token_url, kid=tool.key.thumbprint())})
    assert issued.status_code == 200, issued.text
    bearer = {"Authorization": "Bearer " + issued.json()["access_token"]}
    answer = http.get(url, headers=bearer)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"), answer.text
    assert answer.json()["context"]["id"] == str(CLASS_ID) and answer.json()["members"]
    other = next(c["id"] for t in demo["teachers"] for c in t["classes"] if c["id"] != CLASS_ID)
    elsewhere = http.get(stack.url("app", f"/api/lti/contexts/{other}/memberships"), headers=bearer)
    assert elsewhere.status_code == 404 and "members" not in elsewhere.text


def test_a_teacher_removes_a_placement_and_its_launch_button_goes(stack, demo, tool, placed):
    client_id = placed[0]
    teacher = signed_in(stack, next(t for t in demo["teachers"] if t["username"] == "teacher1"))
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}"))
    answer = teacher.post(stack.url("app", f"/teacher/classes/{CLASS_ID}/lti"), allow_redirects=False,
                          data={"csrf": csrf_of(page.text), "tool": client_id, "title": "Spare " + TOOL_NAME})
    assert answer.status_code == 303, answer.text[:300]
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    spare = re.search(r'<li data-lti-link="([^"]+)"><form[^>]*>(?:(?!</li>).)*Open Spare ' + TOOL_NAME, page, re.S).group(1)
    # Another teacher cannot remove it; its own teacher can, once.
    other = signed_in(stack, next(t for t in demo["teachers"] if all(c["id"] != CLASS_ID for c in t["classes"])))
    other_page = other.get(stack.url("app", "/teacher")).text
    path = f"/teacher/classes/{CLASS_ID}/lti/{spare}/remove"
    assert other.post(stack.url("app", path), data={"csrf": csrf_of(other_page)}, allow_redirects=False).status_code == 404
    assert teacher.post(stack.url("app", path), data={"csrf": csrf_of(page)}, allow_redirects=False).status_code == 303
    assert teacher.post(stack.url("app", path), data={"csrf": csrf_of(page)}, allow_redirects=False).status_code == 404
    assert spare not in teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    assert placed[1] in teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    pupil = signed_in(stack, next(p for p in demo["students"] if p["username"] == "student01"))
    answer, _, _ = start_launch(stack, pupil, spare)
    assert answer.status_code == 404
