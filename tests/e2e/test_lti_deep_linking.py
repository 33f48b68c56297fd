"""LTI Deep Linking 2.0 with CatalystWells as the platform (issue 19), through nginx and both pools, with the real
pylti1p3 tool of test_lti.py (tests/e2e/lti_tool/tool.py) answering through pylti1p3's DeepLink.

A developer registers the tool's Deep Linking URL on the portal and sync carries it to main. In Chromium, teacher1
presses "Add content from <tool>" on their class page: the login initiation, the tool's authentication request, an
LtiDeepLinkingRequest id_token that pylti1p3 verifies, the tool's picker, and its LtiDeepLinkingResponse auto-posted
back; the class page then shows the new link with a notice, and a student launches it (its url and custom parameters
reach the tool). Responses that must be refused (tampered, replayed, another class, an item type we do not place, an
expired token) end on a page that says what is wrong, and nothing is written.
"""

import base64
import html
import json
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from portal import APP, csrf_of, declarations, multipart, sign_up_verified
from test_logout import main_sql
from test_lti import CLASS_ID, HIDDEN, Tool, authentication_request, signed_in
from test_review_and_sync import admin, decide, sync  # noqa: F401 - the signed-in platform admin fixture

TOOL_NAME = "Content Picker " + secrets.token_hex(3)
ITEM = {"title": "Fractions workbook", "custom": {"chapter": "3", "level": "core"}}


@pytest.fixture(scope="module")
def tool(stack):
    running = Tool(stack, Path(stack.dir) / "lti-dl-tool")
    yield running
    running.close()


def payload_of(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def teacher_session(stack, demo):
    return signed_in(stack, next(t for t in demo["teachers"] if t["username"] == "teacher1"))


def start_deep_linking(stack, teacher, client_id):
    """The class page's "Add content" pressed on a requests session: the login initiation form's (action, fields)."""
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}"))
    answer = teacher.post(stack.url("app", f"/teacher/classes/{CLASS_ID}/lti/deep-link"), allow_redirects=False,
                          data={"csrf": csrf_of(page.text), "tool": client_id})
    assert answer.status_code == 200, answer.text[:300]
    action = html.unescape(re.search(r'<form id="lti-autosubmit" method="post" action="([^"]+)"', answer.text).group(1))
    return action, {name: html.unescape(value) for name, value in HIDDEN.findall(answer.text)}


def links_of(stack, client_id):
    return main_sql(stack, f"""SELECT l.title, COALESCE(l.target_link_uri, ''), COALESCE(l.custom, '')
                              FROM lti_resource_links l JOIN lti_deployments d ON d.id = l.deployment_pk
                              JOIN oauth_clients c ON c.id = d.client_pk WHERE c.client_id = '{client_id}' ORDER BY l.id""")


@pytest.fixture(scope="module")
def registered(stack, mail_dir, admin, demo, tool):
    """The tool registered with a Deep Linking URL, approved and synced; its deployment made by a first request (which
    the tool's config then names); returns (client_id, deployment_id)."""
    developer, _ = sign_up_verified(stack, mail_dir, "ltidl")
    key = RSAKey.generate_key(2048)
    scopes = ["openid", "profile.read"]
    page = developer.get(stack.url("developers", "/apps/new"))
    assert 'name="lti_deep_linking_url"' in page.text
    created = developer.post(stack.url("developers", "/apps"), allow_redirects=False, files=multipart(
        {**APP, "name": TOOL_NAME, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential",
         "redirect_uris": tool.base_url + "/callback", "scopes": scopes, "lti_tool": "1",
         "lti_login_initiation_url": tool.base_url + "/login", "lti_target_link_uri": tool.base_url + "/launch",
         "lti_redirect_uris": tool.base_url + "/launch", "lti_deep_linking_url": tool.base_url + "/launch",
         "token_endpoint_auth_method": "private_key_jwt",
         "jwks": json.dumps({"keys": [key.as_dict(private=False, kid=key.thumbprint(), use="sig")]})}))
    assert created.status_code == 303, created.text[:300]
    path = created.headers["Location"].split("?")[0]
    page = developer.get(stack.url("developers", path))
    assert tool.base_url + "/launch" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    submitted = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                               allow_redirects=False)
    assert submitted.status_code == 303, submitted.text[:300]
    app_id = int(path.rsplit("/", 1)[1])
    review = admin.get(stack.url("app", f"/platform/apps/{app_id}")).text
    assert f'class="lti-deep-linking-url"><code>{tool.base_url}/launch</code>' in review
    assert decide(stack, admin, app_id, "approve", scopes=scopes).status_code == 303
    assert sync(stack)["status"] == "ok"
    client_id = re.search(r'id="client-id">([^<]+)<', developer.get(stack.url("developers", path + "/credentials")).text).group(1)
    assert main_sql(stack, f"""SELECT t.deep_linking_url FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk
                               WHERE c.client_id = '{client_id}'""") == [[tool.base_url + "/launch"]]

    teacher = teacher_session(stack, demo)
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    assert f"Add content from {TOOL_NAME}" in page
    action, fields = start_deep_linking(stack, teacher, client_id)
    assert action == tool.base_url + "/login"
    assert fields["target_link_uri"] == tool.base_url + "/launch" and fields["lti_message_hint"].startswith("cw_ltidl_")
    [[deployment_id]] = main_sql(stack, f"""SELECT d.deployment_id FROM lti_deployments d JOIN oauth_clients c ON c.id = d.client_pk
                                           WHERE c.client_id = '{client_id}'""")
    assert fields["lti_deployment_id"] == deployment_id
    tool.key = key
    tool.config.write_text(json.dumps({
        "issuer": stack.app_url, "client_id": client_id, "deployment_ids": [deployment_id],
        "key_set": stack.session().get(stack.url("app", "/api/oauth/jwks")).json(),
        "private_key_pem": key.as_pem(private=True).decode(), "public_key_pem": key.as_pem(private=False).decode(),
        "deep_link_items": [{**ITEM, "url": tool.base_url + "/launch"}]}))
    return client_id, deployment_id


@pytest.fixture(scope="module")
def dl_chromium(stack, tool):
    from browser import start_chromium, verified_server_pin

    driver = start_chromium([verified_server_pin(urlsplit(stack.app_url).hostname, stack.https_port, stack.ca_file),
                             verified_server_pin("127.0.0.1", tool.port, stack.ca_file)])
    yield driver
    driver.quit()


def test_a_teacher_adds_a_link_by_deep_linking_and_a_student_launches_it(stack, demo, tool, registered, dl_chromium):
    from browser import Browser
    from selenium.webdriver.support.ui import WebDriverWait

    client_id, deployment_id = registered
    teacher = next(t for t in demo["teachers"] if t["username"] == "teacher1")
    browser = Browser(dl_chromium, stack.app_url)
    browser.reset()
    browser.sign_in(teacher["username"], teacher["password"])
    assert browser.open(f"/teacher/classes/{CLASS_ID}") == 200
    before = len(links_of(stack, client_id))
    browser.find(f'form[action$="/lti/deep-link"]:has(input[value="{client_id}"]) button').click()
    # The tool verified an LtiDeepLinkingRequest and shows its picker.
    WebDriverWait(dl_chromium, 20).until(lambda d: d.current_url.startswith(tool.base_url) and d.find_elements("css selector", "#choose-0"))
    [request] = tool.events("deep_link_request")[-1:]
    assert request["message_type"] == "LtiDeepLinkingRequest" and request["deployment_id"] == deployment_id
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor" in request["roles"]
    assert request["context"]["id"] == str(CLASS_ID) and request["target_link_uri"] == tool.base_url + "/launch"
    settings = request["settings"]
    assert settings["deep_link_return_url"] == stack.app_url + f"/lti/deep-linking/{CLASS_ID}/return"
    assert settings["accept_types"] == ["ltiResourceLink"] and settings["data"].startswith("cw_ltidd_")
    assert "iframe" in settings["accept_presentation_document_targets"] and settings["accept_multiple"] is True
    assert not tool.events("refused"), tool.events("refused")
    # Choosing answers through pylti1p3's output_response_form, back to the class page with a notice.
    browser.find("#choose-0").click()
    WebDriverWait(dl_chromium, 20).until(lambda d: d.current_url.startswith(stack.app_url + f"/teacher/classes/{CLASS_ID}"))
    assert "?added=1" in dl_chromium.current_url
    assert browser.notice() == "1 link was added from the tool."
    links = links_of(stack, client_id)
    assert len(links) == before + 1
    assert links[-1] == [ITEM["title"], tool.base_url + "/launch", "chapter=3&level=core"]
    assert any(b.text == f"Open {ITEM['title']}" for b in browser.find_all("li[data-lti-link] button.lti-launch"))
    # The JWT pylti1p3 produced, posted again, is refused and places nothing.
    [answer] = tool.events("deep_link_response")[-1:]
    assert answer["return_url"] == settings["deep_link_return_url"]
    replay = stack.session().post(answer["return_url"], data={"JWT": answer["jwt"]}, allow_redirects=False)
    assert replay.status_code == 400 and "already answered" in replay.text
    assert links_of(stack, client_id) == links

    pupil = next(p for p in demo["students"] if p["username"] == "student01")
    browser.reset()
    browser.sign_in(pupil["username"], pupil["password"])
    assert browser.open("/student") == 200
    # This run's tool's link (a rerun on the same stack finds earlier runs' links too).
    item = next(li for li in browser.find_all("li[data-lti-link]")
                if TOOL_NAME in li.find_element("css selector", "small").text
                and li.find_element("css selector", "button.lti-launch").text == f"Open {ITEM['title']}")
    button = item.find_element("css selector", "button.lti-launch")
    launches = len(tool.events("launch"))
    button.click()
    WebDriverWait(dl_chromium, 20).until(lambda d: d.current_url.startswith(tool.base_url + "/launch")
                                         and d.find_elements("css selector", "#resource-link"))
    assert browser.text("#resource-link") == ITEM["title"]
    [launch] = tool.events("launch")[launches:]
    assert launch["message_type"] == "LtiResourceLinkRequest" and launch["custom"] == ITEM["custom"]
    assert launch["deployment_id"] == deployment_id and launch["resource_link"]["title"] == ITEM["title"]


def deep_linking_request(stack, demo, tool, client_id):
    """A fresh Deep Linking request launched on a requests session: the id_token's claims (the return URL and data)."""
    teacher = teacher_session(stack, demo)
    _, fields = start_deep_linking(stack, teacher, client_id)
    answer = teacher.get(authentication_request(stack, tool, fields))
    assert answer.status_code == 200 and 'name="id_token"' in answer.text, answer.text[:300]
    claims = payload_of(html.unescape(re.search(r'name="id_token" value="([^"]+)"', answer.text).group(1)))
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingRequest"
    return claims


def response(tool, client_id, request_claims, items, **changes):
    """An LtiDeepLinkingResponse as a tool signs it (with the registered key), with claim changes."""
    now = int(time.time())
    claims = {
        "iss": client_id, "aud": [request_claims["iss"]], "iat": now, "exp": now + 300, "nonce": "n-" + secrets.token_hex(8),
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": request_claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": items,
        "https://purl.imsglobal.org/spec/lti-dl/claim/data":
            request_claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]["data"],
    }
    claims.update(changes)
    return jwt.encode({"alg": "RS256", "kid": tool.key.thumbprint(), "typ": "JWT"}, claims, tool.key)


def test_bad_responses_end_on_a_page_saying_what_is_wrong_and_write_nothing(stack, demo, tool, registered):
    client_id, _ = registered
    claims = deep_linking_request(stack, demo, tool, client_id)
    return_url = claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]["deep_link_return_url"]
    assert return_url == stack.app_url + f"/lti/deep-linking/{CLASS_ID}/return"
    good_item = {"type": "ltiResourceLink", "title": "Decimals drill", "url": tool.base_url + "/launch"}
    http = stack.session()  # the tool's post arrives without the teacher's cookie (SameSite=Lax)
    before = links_of(stack, client_id)

    def refused(token, url=return_url):
        answer = http.post(url, data={"JWT": token}, allow_redirects=False)
        assert answer.status_code == 400, (answer.status_code, answer.text[:300])
        assert links_of(stack, client_id) == before
        return answer.text

    # Tampered: the payload changed after signing, the signature kept.
    token = response(tool, client_id, claims, [good_item])
    head, _, signature = token.split(".")
    changed = payload_of(token)
    changed["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] = [{**good_item, "title": "Forged"}]
    forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).decode().rstrip("=")
    assert "not signed with a key the tool registered" in refused(f"{head}.{forged}.{signature}")
    other_key = RSAKey.generate_key(2048)
    assert "not signed with a key the tool registered" in refused(
        jwt.encode({"alg": "RS256", "kid": tool.key.thumbprint()}, payload_of(response(tool, client_id, claims, [good_item])), other_key))
    # An item type this platform does not place, named on the page.
    text = refused(response(tool, client_id, claims, [good_item, {"type": "link", "url": "https://example.org/"}]))
    assert "content of type “link”" in html.unescape(text)
    # Expired, another class's return URL, another audience, another deployment.
    assert "has expired" in refused(response(tool, client_id, claims, [good_item], exp=int(time.time()) - 120))
    other_class = next(c["id"] for t in demo["teachers"] for c in t["classes"] if c["id"] != CLASS_ID)
    assert "another class" in refused(response(tool, client_id, claims, [good_item]),
                                      url=stack.url("app", f"/lti/deep-linking/{other_class}/return"))
    assert "addressed to another platform" in refused(response(tool, client_id, claims, [good_item], aud=["https://elsewhere.example"]))
    assert "another deployment" in html.unescape(refused(response(
        tool, client_id, claims, [good_item], **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep_other"})))
    assert "does not belong to any content request" in refused(response(
        tool, client_id, claims, [good_item], **{"https://purl.imsglobal.org/spec/lti-dl/claim/data": "cw_ltidd_" + "A" * 43}))

    # Another teacher's browser (their session cookie came along) cannot answer this teacher's request.
    outsider = next(t for t in demo["teachers"] if all(c["id"] != CLASS_ID for c in t["classes"]))
    answer = signed_in(stack, outsider).post(return_url, data={"JWT": response(tool, client_id, claims, [good_item])},
                                             allow_redirects=False)
    assert answer.status_code == 400 and "another teacher" in answer.text and links_of(stack, client_id) == before

    # The request still takes one good answer, once; a replay of it is refused.
    token = response(tool, client_id, claims, [good_item])
    accepted = http.post(return_url, data={"JWT": token}, allow_redirects=False)
    assert accepted.status_code == 303, accepted.text[:300]
    assert accepted.headers["Location"].endswith(f"/teacher/classes/{CLASS_ID}?added=1")
    after = links_of(stack, client_id)
    assert after[:-1] == before and after[-1] == ["Decimals drill", tool.base_url + "/launch", ""]
    before = after
    assert "already answered" in refused(token)
    assert "already answered" in refused(response(tool, client_id, claims, [good_item]))


def test_only_a_teacher_of_the_class_starts_deep_linking(stack, demo, tool, registered):
    client_id, _ = registered
    count = "SELECT COUNT(*) FROM lti_deep_linking_requests"
    [[before]] = main_sql(stack, count)
    path = f"/teacher/classes/{CLASS_ID}/lti/deep-link"
    outsider = signed_in(stack, next(t for t in demo["teachers"] if all(c["id"] != CLASS_ID for c in t["classes"])))
    page = outsider.get(stack.url("app", "/teacher")).text
    assert outsider.post(stack.url("app", path), data={"csrf": csrf_of(page), "tool": client_id},
                         allow_redirects=False).status_code == 404
    pupil = signed_in(stack, next(p for p in demo["students"] if p["username"] == "student01"))
    page = pupil.get(stack.url("app", "/student")).text
    answer = pupil.post(stack.url("app", path), data={"csrf": csrf_of(page), "tool": client_id}, allow_redirects=False)
    assert answer.status_code == 404 and "lti-autosubmit" not in answer.text
    # A tool without a Deep Linking URL (or unknown) is not offered.
    teacher = teacher_session(stack, demo)
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    answer = teacher.post(stack.url("app", path), data={"csrf": csrf_of(page), "tool": "cw_app_nothing"}, allow_redirects=False)
    assert answer.status_code == 400 and "Choose one of the tools your school allows." in answer.text
    assert main_sql(stack, count) == [[before]]
