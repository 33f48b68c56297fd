"""NRPS 2.0 paging and filters (issue 19): `limit`, `page` and the `Link: <…>; rel="next"` header, `role` and `rlid`.

A tool is registered with the memberships scope, approved, synced and placed by teacher1 in their class (61 members in
the demo roster). pylti1p3's own NRPS client (its private_key_jwt assertion for a client_credentials token) reads the
class in pages of 25 (few calls: the app's API bucket holds 60), following the `next` links (it lower-cases them, so
the filters must survive that), with and without a role filter and a resource link. Each page's members, and only they, are on the data-access log. Bad parameters are a 400 with the JSON
error and log nothing; a context role no member holds is an empty page; the developers docs describe it all.
"""

import json
import math
import re
import secrets

import pytest
from joserfc.jwk import RSAKey
from portal import APP, csrf_of, declarations, multipart, sign_up_verified
from test_logout import main_sql
from test_lti import CLASS_ID, MEMBERSHIPS, TOOL, signed_in
from test_review_and_sync import admin, decide, sync  # noqa: F401 - the signed-in platform admin fixture

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TOOL_NAME = "Roster Lab " + secrets.token_hex(3)
OPERATION = "lti.nrps.contextMemberships"


@pytest.fixture(scope="module")
def placed(stack, mail_dir, admin, demo):
    """The tool registered with the memberships scope, approved, synced and placed by teacher1; returns
    (client_id, link_id, key)."""
    developer, _ = sign_up_verified(stack, mail_dir, "ltinrps")
    key = RSAKey.generate_key(2048)
    scopes = ["openid", "profile.read", MEMBERSHIPS]
    page = developer.get(stack.url("developers", "/apps/new"))
    created = developer.post(stack.url("developers", "/apps"), allow_redirects=False, files=multipart(
        {**APP, **TOOL, "name": TOOL_NAME, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential",
         "redirect_uris": "http://127.0.0.1:5999/callback", "scopes": scopes, "token_endpoint_auth_method": "private_key_jwt",
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
                          data={"csrf": csrf_of(page.text), "tool": client_id, "title": "Roster check"})
    assert answer.status_code == 303, answer.text[:300]
    page = teacher.get(stack.url("app", f"/teacher/classes/{CLASS_ID}")).text
    link_id = re.search(r'<li data-lti-link="([^"]+)">(?:(?!</li>).)*<small class="muted">' + TOOL_NAME + '</small>', page,
                        re.S).group(1)
    return client_id, link_id, key


def nrps(stack, client_id, key, url):
    """pylti1p3's NRPS client for this tool, reading `url` (the launch claim's, here with a query added)."""
    from pylti1p3.names_roles import NamesRolesProvisioningService
    from pylti1p3.registration import Registration
    from pylti1p3.service_connector import ServiceConnector

    registration = (Registration().set_issuer(stack.app_url).set_client_id(client_id)
                    .set_auth_token_url(stack.url("app", "/api/oauth/token"))
                    .set_tool_private_key(key.as_pem(private=True).decode())
                    .set_tool_public_key(key.as_pem(private=False).decode()))
    return NamesRolesProvisioningService(ServiceConnector(registration, stack.session()), {"context_memberships_url": url})


def token(stack, client_id, key):
    from test_par_private_key_jwt import assertion_fields

    url = stack.url("app", "/api/oauth/token")
    issued = stack.session().post(url, data={"grant_type": "client_credentials", "scope": MEMBERSHIPS,
                                             **assertion_fields(key, client_id, url, kid=key.thumbprint())})
    assert issued.status_code == 200, issued.text
    return {"Authorization": "Bearer " + issued.json()["access_token"]}


def logged(stack, client_id):
    """(rows, calls, people) of this tool's NRPS reads on the data-access log."""
    [row] = main_sql(stack, f"""SELECT COUNT(*), COALESCE(SUM(first_of_call), 0), COUNT(subject_user_id) FROM data_access_log
                               WHERE client_id = '{client_id}' AND operation = '{OPERATION}'""")
    return tuple(int(n) for n in row)


def members_url(stack):
    return stack.url("app", f"/api/lti/contexts/{CLASS_ID}/memberships")


def test_pylti1p3_follows_the_next_links_through_every_page(stack, placed):
    client_id, _, key = placed
    http, bearer = stack.session(), token(stack, client_id, key)
    whole = http.get(members_url(stack), headers=bearer)
    assert whole.status_code == 200 and "Link" not in whole.headers, whole.text
    everyone = [m["user_id"] for m in whole.json()["members"]]
    assert len(everyone) > 50 and len(set(everyone)) == len(everyone)
    before = logged(stack, client_id)
    paged = nrps(stack, client_id, key, members_url(stack) + "?limit=25").get_members()
    assert [m["user_id"] for m in paged] == everyone
    # Each page logged its own members, once each, in one call per page.
    after = logged(stack, client_id)
    assert tuple(a - b for a, b in zip(after, before)) == (len(everyone), math.ceil(len(everyone) / 25), len(everyone))


def test_the_link_header_keeps_the_query_and_the_last_page_has_none(stack, placed):
    client_id, _, key = placed
    http, bearer = stack.session(), token(stack, client_id, key)
    first = http.get(members_url(stack), headers=bearer, params={"limit": "25", "role": "Learner"})
    assert first.status_code == 200 and first.headers["Content-Type"].startswith(
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"), first.text
    assert len(first.json()["members"]) == 25
    following = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)
    assert following.startswith(members_url(stack) + "?") and "limit=25" in following and "role=Learner" in following
    assert following.endswith("page=2")
    seen, url = [], members_url(stack) + "?limit=25&role=Learner"
    while url:
        answer = http.get(url, headers=bearer)
        assert answer.status_code == 200, answer.text
        seen += answer.json()["members"]
        url = re.fullmatch(r'<([^>]+)>; rel="next"', answer.headers["Link"]).group(1) if "Link" in answer.headers else None
    whole = http.get(members_url(stack), headers=bearer).json()["members"]
    assert seen == [m for m in whole if LIS + "Learner" in m["roles"]]
    past = http.get(members_url(stack), headers=bearer, params={"limit": "1", "page": str(len(whole) + 5)})
    assert past.status_code == 200 and past.json()["members"] == [] and "Link" not in past.headers


def test_role_filters_by_uri_or_short_name_and_a_role_no_one_holds_is_empty(stack, demo, placed):
    client_id, _, key = placed
    learners = nrps(stack, client_id, key, members_url(stack) + "?limit=25&role=" + LIS.replace("#", "%23") + "Learner").get_members()
    assert learners and all(LIS + "Learner" in m["roles"] and LIS + "Instructor" not in m["roles"] for m in learners)
    short = nrps(stack, client_id, key, members_url(stack) + "?role=Learner").get_members()
    assert [m["user_id"] for m in short] == [m["user_id"] for m in learners]
    teachers = nrps(stack, client_id, key, members_url(stack) + "?role=Instructor").get_members()
    teacher = next(t for t in demo["teachers"] if t["username"] == "teacher1")
    assert teacher["name"] in [m["name"] for m in teachers] and all(LIS + "Instructor" in m["roles"] for m in teachers)
    http, bearer = stack.session(), token(stack, client_id, key)
    before = logged(stack, client_id)
    for role in ["Mentor", LIS + "ContentDeveloper", "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"]:
        answer = http.get(members_url(stack), headers=bearer, params={"role": role})
        assert answer.status_code == 200 and answer.json()["members"] == [] and "Link" not in answer.headers, (role, answer.text)
    # An empty answer is one logged call with no person in it.
    after = logged(stack, client_id)
    assert tuple(a - b for a, b in zip(after, before)) == (3, 3, 0)


def test_rlid_names_a_placement_of_the_tool_in_the_class(stack, placed):
    client_id, link_id, key = placed
    everyone = nrps(stack, client_id, key, members_url(stack)).get_members()
    # Every member may open the placement; pylti1p3 adds rlid, and lower-cases it in the next links it follows.
    linked = nrps(stack, client_id, key, members_url(stack) + "?limit=25").get_members(resource_link_id=link_id)
    assert [m["user_id"] for m in linked] == [m["user_id"] for m in everyone]
    http, bearer = stack.session(), token(stack, client_id, key)
    unknown = http.get(members_url(stack), headers=bearer, params={"rlid": "rl_" + secrets.token_urlsafe(32)})
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_request" and "members" not in unknown.text


@pytest.mark.parametrize("query", [
    {"limit": "0"}, {"limit": "-3"}, {"limit": "ten"}, {"limit": ""}, {"page": "0"}, {"page": "2.5"}, {"page": "99999999"},
    {"page": "%00"}, {"role": "Wizard"}, {"role": "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"},
    {"role": ""}, {"rlid": ""},
])
def test_a_bad_parameter_is_a_400_with_the_json_error_and_logs_nothing(stack, placed, query):
    client_id, _, key = placed
    http, bearer = stack.session(), token(stack, client_id, key)
    before = logged(stack, client_id)
    answer = http.get(members_url(stack), headers=bearer, params=query)
    assert answer.status_code == 400, (query, answer.status_code, answer.text)
    body = answer.json()
    assert body["error"] == "invalid_request" and body["error_description"] and "members" not in body
    assert logged(stack, client_id) == before


def test_a_repeated_parameter_is_a_400(stack, placed):
    client_id, _, key = placed
    answer = stack.session().get(members_url(stack) + "?limit=1&limit=2", headers=token(stack, client_id, key))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request", answer.text


def test_the_developers_docs_describe_paging_filters_and_deep_linking(stack):
    http = stack.session()
    english = http.get(stack.url("developers", "/docs/lti")).text
    assert 'rel="next"' in english and LIS + "Learner" in english and "LtiDeepLinkingResponse" in english
    assert "Deep Linking 2.0: register a Deep Linking URL" in english
    for language, phrase in [("es", "Filtra con"), ("fr", "Filtrez avec"), ("ar", "الربط العميق 2.0")]:
        page = http.get(stack.url("developers", "/docs/lti"), headers={"Accept-Language": language}).text
        assert phrase in page, language
