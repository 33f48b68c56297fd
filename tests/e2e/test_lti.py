"""LTI 1.3 with CatalystWells as the platform (issue 19 item 2), through nginx and both pools.

Slice 1, tool registration: a developer marks an app as an LTI tool on the portal form (login initiation URL, target
link URI, launch redirect URIs; its keys are the private_key_jwt registration), the form refuses bad addresses next to
their fields, submission asks for what a tool needs, the review page shows the registration, and sync carries it into
main's lti_tools after approval. The LTI service scopes are offered by discovery like every registry scope.
"""

import json
import re

from joserfc.jwk import RSAKey
from portal import APP, csrf_of, declarations, multipart, sign_up_verified
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
