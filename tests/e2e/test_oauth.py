"""The OAuth 2.0 / OpenID Connect provider as third-party apps and their users meet it, through nginx.

The apps are the demo clients `demo load` registers (demo.json's `oauth_clients`), driven by a real client
library: Authlib's `OAuth2Session` (PKCE S256) builds authorization URLs, checks `state`, exchanges codes,
refreshes, revokes and introspects; joserfc verifies ID tokens against the published JWKS. The user's side,
sign-in and the consent page, happens in headless Chromium. Rules that need exact statuses and headers send
their requests with `requests` directly.

Each test that signs in owns its demo user, so the tests run in any order and again on the same stack, next
to test_school_accounts.py (which owns student01-05, student60, parent01, parent40, teacher1, teacher3):

    student06  confidential client: full cycle        student07  public client: full cycle
    student08  disconnects the app                    student09  loopback redirect on another port
    student10  code replay                            student11  parallel refresh race
    student12  refresh token reuse after the grace    student13  odd state, iss, 303
    student14  denies                                 student15  prompt=none without consent
    student16  remembered consent, new scope          student17  asks for a teacher scope
    student18  code_verifier without a challenge      student19  refresh with fewer scopes
    student20  prompt=login                           parent02   asks only for scopes no parent grants
"""
import base64
import configparser
import re
import threading
import time

import pytest
from authlib.integrations.base_client import OAuthError

from oauth_client import FULL_SCOPE, query, single_query

# RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
DESCRIPTION = re.compile(r'[\x20\x21\x23-\x5b\x5d-\x7e]+')
PAGE_TITLE = "This app's sign-in link is not valid"
STUDENT_CLAIMS = {"sub", "name", "given_name", "family_name", "preferred_username", "role", "school_id"}


def person(demo, group, username):
    return next(p for p in demo[group] if p["username"] == username)


def refresh_grace_seconds(stack):
    """oauth.refresh_reuse_grace_seconds of the test stack (10 unless its configuration says otherwise)."""
    config = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#",))
    config.read(stack.dir / "catalystwells.conf")
    return int(config.get("oauth", "refresh_reuse_grace_seconds", fallback="10"))


# Checking answers -----------------------------------------------------------------------------------------------


def assert_no_store(response):
    assert "no-store" in response.headers.get("Cache-Control", ""), dict(response.headers)


def assert_oauth_error(response, status, error):
    """An RFC 6749 §5.2 error: the status, a JSON body with `error` and a well-formed `error_description`,
    never cached."""
    assert response.status_code == status, f"{response.status_code} {response.text[:300]}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), dict(response.headers)
    body = response.json()
    assert body.get("error") == error, body
    assert DESCRIPTION.fullmatch(body.get("error_description", "")), body
    assert_no_store(response)
    return body


def assert_token_response(response, token, scope, refresh=True):
    """A successful RFC 6749 §5.1 token response with DESIGN §5's opaque, prefixed, 256-bit tokens."""
    assert response.status_code == 200, response.text
    assert_no_store(response)
    assert token["token_type"] == "Bearer"
    assert token["scope"] == scope
    assert isinstance(token["expires_in"], int) and 0 < token["expires_in"] <= 3600, token
    assert re.fullmatch(r"cw_at_[A-Za-z0-9_-]{43,}", token["access_token"]), token["access_token"]
    if refresh:
        assert re.fullmatch(r"cw_rt_[A-Za-z0-9_-]{43,}", token["refresh_token"]), token["refresh_token"]
    else:
        assert "refresh_token" not in token, token


def assert_error_redirect(flow, error):
    """The client got `error` at its redirect URI, with its `state` untouched and the issuer (RFC 9207)."""
    response = flow.response()
    assert response.get("error") == error, flow.callback
    assert DESCRIPTION.fullmatch(response.get("error_description", "")), flow.callback
    assert response.get("state") == flow.state, flow.callback
    assert response.get("iss") == flow.provider.issuer, flow.callback
    assert "code" not in response, flow.callback


def assert_error_page(response):
    """An authorization request the server cannot trust: an HTML page with 400, never a redirect."""
    assert response.status_code == 400, f"{response.status_code} Location: {response.headers.get('Location')}"
    assert "Location" not in response.headers, response.headers["Location"]
    assert response.headers.get("Content-Type", "").startswith("text/html"), dict(response.headers)
    assert PAGE_TITLE in response.text.replace("&#39;", "'").replace("&apos;", "'"), response.text[:500]


def authorize_without_browser(http, flow):
    """GET the authorization URL with no session; returns the response, redirects not followed."""
    return http.get(flow.url, allow_redirects=False, timeout=10)


def caught_redirect(flow, response):
    """Records a server redirect to the client (from `requests`) on the flow."""
    assert response.status_code == 303, f"{response.status_code} {response.text[:300]}"
    flow.callback_status, flow.callback = response.status_code, response.headers["Location"]
    return flow.response()


# Back-channel calls ---------------------------------------------------------------------------------------------


def introspect(http, oauth, client, token):
    response = http.post(oauth["introspection_endpoint"], data={"token": token}, auth=client.basic, timeout=10)
    assert response.status_code == 200, response.text
    assert_no_store(response)
    return response.json()


def userinfo(http, oauth, access_token):
    return http.get(oauth["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"}, timeout=10)


def refresh(http, oauth, client, refresh_token):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if client.client_secret:
        return http.post(oauth["token_endpoint"], data=data, auth=client.basic, timeout=10)
    return http.post(oauth["token_endpoint"], data=dict(data, client_id=client.client_id), timeout=10)


def assert_dead(http, oauth, confidential_client, client, token):
    """Every token of `token` (a token response) no longer works."""
    if client == confidential_client:
        assert introspect(http, oauth, client, token["access_token"]) == {"active": False}
        assert introspect(http, oauth, client, token["refresh_token"]) == {"active": False}
    assert userinfo(http, oauth, token["access_token"]).status_code == 401
    assert_oauth_error(refresh(http, oauth, client, token["refresh_token"]), 400, "invalid_grant")


# The user's side ------------------------------------------------------------------------------------------------


def sign_in_without_connected_app(browser, who, client):
    """Signs in (through /login) and disconnects `client` if an earlier run connected it, so the consent page
    will be shown again."""
    status = browser.sign_in(who["username"], who["password"], path="/login?next=/account/apps")
    assert (status, browser.path) == (200, "/account/apps"), browser.text("main")
    form = f"#connected-apps li[data-client-id='{client.client_id}'] form"
    if browser.has(form):
        assert browser.submit(form) == 200
        assert not browser.has(form)


def code_and_tokens(browser, oauth, client, who, scope=FULL_SCOPE, **parameters):
    """One authorization through the browser (signing in if asked) and the code exchange by Authlib."""
    flow = oauth.flow(client, scope, **parameters)
    flow.authorize(browser, who)
    return flow, flow.exchange()


# Discovery ------------------------------------------------------------------------------------------------------


def test_both_discovery_documents_name_the_app_url_as_issuer_and_every_advertised_endpoint_answers(stack, http):
    documents = {}
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
        response = http.get(stack.url("app", path), timeout=10)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.headers.get("Access-Control-Allow-Origin") == "*"
        documents[path] = response.json()
    openid, oauth = documents.values()
    assert openid == oauth, "the two discovery documents disagree"
    assert openid["issuer"] == stack.app_url

    assert openid["response_types_supported"] == ["code"]
    assert openid["code_challenge_methods_supported"] == ["S256"]
    assert set(openid["grant_types_supported"]) == {"authorization_code", "refresh_token", "client_credentials"}
    assert openid["authorization_response_iss_parameter_supported"] is True
    assert "RS256" in openid["id_token_signing_alg_values_supported"]
    assert {"auth_time", "amr", "nonce"} <= set(openid["claims_supported"])
    assert {"openid", "profile.read", "offline_access", "student.grades.read", "teacher.grades.write",
            "school.read"} <= set(openid["scopes_supported"])

    # Every advertised endpoint is on the issuer and answers a bare request (an error is fine, not a 404
    # or a server error): the authorization endpoint with its error page, the JSON ones with RFC errors.
    expected = {"authorization_endpoint": ("GET", 400), "token_endpoint": ("POST", 400),
                "userinfo_endpoint": ("GET", 401), "jwks_uri": ("GET", 200), "revocation_endpoint": ("POST", 400),
                "introspection_endpoint": ("POST", 400), "end_session_endpoint": ("GET", 200),
                "pushed_authorization_request_endpoint": ("POST", 400)}
    advertised = {name: url for name, url in openid.items() if name.endswith("_endpoint") or name.endswith("_uri")}
    assert set(advertised) == set(expected), f"unexpected endpoints advertised: {set(advertised) ^ set(expected)}"
    for name, url in advertised.items():
        method, status = expected[name]
        assert url.startswith(stack.app_url + "/"), f"{name} {url} is not on the issuer"
        response = http.request(method, url, allow_redirects=False, timeout=10)
        assert response.status_code == status, f"{method} {name} {url}: {response.status_code} {response.text[:200]}"

    keys = http.get(openid["jwks_uri"], timeout=10).json()["keys"]
    assert keys and all(key.get("kid") and key.get("use") == "sig" for key in keys), keys
    assert {"RS256", "ES256"} <= {key.get("alg") for key in keys}
    assert not any(private in key for key in keys for private in ("d", "p", "q", "dp", "dq", "qi")), "private key material"


# Full cycles ----------------------------------------------------------------------------------------------------


def check_consent_page(browser, http, oauth, client, who, scopes):
    card = http.get(oauth.issuer + "/api/oauth/app-info", params={"client_id": client.client_id}, timeout=10)
    assert card.status_code == 200, card.text
    card = card.json()
    assert browser.text("#app-name") == card["name"]
    assert browser.has("#verified-badge") == card["verified"]
    assert browser.attributes("#requested-scopes li[data-scope]", "data-scope") == scopes.split()
    assert browser.text("#consent-user") == who["name"]
    assert browser.has("#not-you") and browser.has("#approve") and browser.has("#deny")


def test_the_confidential_demo_client_completes_code_with_pkce_refresh_revoke_and_introspection(
        stack, demo, browser, http, oauth, confidential_client):
    client, me = confidential_client, person(demo, "students", "student06")
    signed_in_at = time.time()
    sign_in_without_connected_app(browser, me, client)

    flow = oauth.flow(client, FULL_SCOPE)
    assert flow.open(browser), "the consent page was not shown after disconnecting the app"
    check_consent_page(browser, http, oauth, client, me, FULL_SCOPE)
    assert browser.has("#verified-badge"), "the confidential demo client is verified"
    flow.answer(browser)
    assert flow.callback_status == 303
    response = flow.response()
    assert set(response) == {"code", "state", "iss"} and response["iss"] == oauth.issuer
    assert response["code"].startswith("cw_ac_")

    token = flow.exchange()
    assert_token_response(flow.oauth.token_responses[-1], token, FULL_SCOPE)
    claims = oauth.verify_id_token(token["id_token"], client, flow.nonce, signed_in_after=signed_in_at)
    assert claims["sub"] == str(me["id"])
    assert claims["amr"] == ["pwd"], "signed in with a password (RFC 8176 §2), carried from the session by the code"

    # userinfo: the claims of profile.read (no email: profile.email was not asked for).
    info = flow.oauth.get(oauth["userinfo_endpoint"], timeout=10)
    assert info.status_code == 200, info.text
    assert_no_store(info)
    info = info.json()
    assert set(info) == STUDENT_CLAIMS, info
    assert (info["sub"], info["name"], info["preferred_username"], info["role"]) == (
        str(me["id"]), me["name"], me["username"], "student")

    # Introspection by the client that owns the tokens.
    active = flow.oauth.introspect_token(oauth["introspection_endpoint"], token=token["access_token"]).json()
    assert active["active"] is True and active["client_id"] == client.client_id, active
    assert (active["scope"], active["sub"], active["iss"], active["token_type"]) == (
        FULL_SCOPE, str(me["id"]), oauth.issuer, "Bearer")
    assert active["exp"] > time.time()

    # Refresh rotates: new pair, and the spent refresh token is refused.
    old = dict(token)
    new = flow.oauth.refresh_token(oauth["token_endpoint"])
    assert_token_response(flow.oauth.token_responses[-1], new, FULL_SCOPE)
    assert new["access_token"] != old["access_token"] and new["refresh_token"] != old["refresh_token"]
    refreshed = oauth.verify_id_token(new["id_token"], client, nonce=None)
    assert (refreshed["sub"], refreshed["aud"]) == (claims["sub"], claims["aud"])
    if "auth_time" in refreshed:
        assert refreshed["auth_time"] == claims["auth_time"], "OIDC Core §12.2: auth_time of the original sign-in"
    if "amr" in refreshed:
        assert refreshed["amr"] == claims["amr"], "a refreshed ID token may only repeat the original sign-in's methods"
    # The same refresh sent again within the grace window (as after a lost answer) gets that same pair again,
    # as long as the new refresh token is unused; the spent token itself stays inactive.
    retried = flow.oauth.refresh_token(oauth["token_endpoint"], refresh_token=old["refresh_token"])
    assert (retried["access_token"], retried["refresh_token"]) == (new["access_token"], new["refresh_token"])
    assert introspect(http, oauth, client, old["refresh_token"]) == {"active": False}
    assert flow.oauth.get(oauth["userinfo_endpoint"], timeout=10).status_code == 200, "the new access token works"

    # Revoking the access token ends it at once; revoking the refresh token ends the grant.
    revoked = flow.oauth.revoke_token(oauth["revocation_endpoint"], token=new["access_token"],
                                      token_type_hint="access_token")
    assert revoked.status_code == 200, revoked.text
    assert introspect(http, oauth, client, new["access_token"]) == {"active": False}
    assert userinfo(http, oauth, new["access_token"]).status_code == 401
    revoked = flow.oauth.revoke_token(oauth["revocation_endpoint"], token=new["refresh_token"],
                                      token_type_hint="refresh_token")
    assert revoked.status_code == 200, revoked.text
    assert introspect(http, oauth, client, new["refresh_token"]) == {"active": False}
    assert_oauth_error(refresh(http, oauth, client, new["refresh_token"]), 400, "invalid_grant")


def test_the_public_demo_client_completes_code_with_pkce_refresh_and_revocation_without_a_secret(
        stack, demo, browser, http, oauth, confidential_client, public_client):
    client, me = public_client, person(demo, "students", "student07")
    sign_in_without_connected_app(browser, me, client)

    flow = oauth.flow(client, FULL_SCOPE)
    assert flow.open(browser), "the consent page was not shown after disconnecting the app"
    check_consent_page(browser, http, oauth, client, me, FULL_SCOPE)
    assert not browser.has("#verified-badge"), "the public demo client is not verified"
    flow.answer(browser)
    token = flow.exchange()
    assert_token_response(flow.oauth.token_responses[-1], token, FULL_SCOPE)
    sent = flow.oauth.token_responses[-1].request
    assert "Authorization" not in sent.headers and "client_secret" not in sent.body, "a public client sends no secret"
    assert "client_id=demo-public" in sent.body and "code_verifier=" in sent.body
    claims = oauth.verify_id_token(token["id_token"], client, flow.nonce)
    assert claims["sub"] == str(me["id"])
    assert claims["amr"] == ["pwd"]
    info = flow.oauth.get(oauth["userinfo_endpoint"], timeout=10).json()
    assert set(info) == STUDENT_CLAIMS and info["sub"] == str(me["id"]), info

    # Introspection needs an authenticated confidential client; another client's token is inactive to it.
    refused = flow.oauth.introspect_token(oauth["introspection_endpoint"], token=token["access_token"])
    assert_oauth_error(refused, 401, "invalid_client")
    assert introspect(http, oauth, confidential_client, token["access_token"]) == {"active": False}

    old = dict(token)
    new = flow.oauth.refresh_token(oauth["token_endpoint"])
    assert_token_response(flow.oauth.token_responses[-1], new, FULL_SCOPE)
    assert new["refresh_token"] != old["refresh_token"]
    # A public client proves nothing but its client_id: the spent token is refused at once, even within the
    # grace window (only a confidential client's retry gets its pair again).
    with pytest.raises(OAuthError) as spent:
        flow.oauth.refresh_token(oauth["token_endpoint"], refresh_token=old["refresh_token"])
    assert spent.value.error == "invalid_grant"

    # A public client revokes its own tokens by client_id (RFC 7009 §2.1); the refresh token ends the grant.
    revoked = flow.oauth.revoke_token(oauth["revocation_endpoint"], token=new["refresh_token"])
    assert revoked.status_code == 200, revoked.text
    assert userinfo(http, oauth, new["access_token"]).status_code == 401
    assert_oauth_error(refresh(http, oauth, client, new["refresh_token"]), 400, "invalid_grant")


def test_disconnecting_an_app_on_the_connected_apps_page_ends_every_token_at_once(
        stack, demo, browser, http, oauth, confidential_client):
    client, me = confidential_client, person(demo, "students", "student08")
    sign_in_without_connected_app(browser, me, client)
    first, first_token = code_and_tokens(browser, oauth, client, me)
    # The consent is remembered: a second app session skips the page, and both hold live tokens.
    second = oauth.flow(client, FULL_SCOPE)
    assert not second.open(browser), "a remembered consent showed the consent page again"
    second_token = second.exchange()
    for token in (first_token, second_token):
        assert introspect(http, oauth, client, token["access_token"])["active"] is True

    assert browser.open("/account/apps") == 200
    entry = f"#connected-apps li[data-client-id='{client.client_id}']"
    assert browser.has(entry)
    listed = browser.text(entry)
    assert "CatalystWells Demo App" in listed and "See your grades" in listed, listed
    assert browser.submit(f"{entry} form") == 200
    assert browser.path == "/account/apps?revoked=1"
    assert browser.notice() == "The app was disconnected and its access ended."
    assert not browser.has(entry)

    for token in (first_token, second_token):
        assert_dead(http, oauth, confidential_client, client, token)
        response = userinfo(http, oauth, token["access_token"])
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer ")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


# client_credentials ---------------------------------------------------------------------------------------------


def test_client_credentials_gives_the_confidential_client_an_app_token_with_school_read(http, oauth, confidential_client):
    app = oauth.session(confidential_client, scope="school.read")
    token = app.fetch_token(oauth["token_endpoint"], grant_type="client_credentials")
    assert_token_response(app.token_responses[-1], token, "school.read", refresh=False)
    active = introspect(http, oauth, confidential_client, token["access_token"])
    assert (active["active"], active["scope"], active["client_id"]) == (True, "school.read", confidential_client.client_id)
    assert "sub" not in active, "an app token belongs to no user"
    # No user behind it, so there is nobody for userinfo to describe.
    assert_oauth_error(userinfo(http, oauth, token["access_token"]), 401, "invalid_token")


def test_client_credentials_is_refused_to_the_public_client(http, oauth, public_client):
    response = http.post(oauth["token_endpoint"], data={
        "grant_type": "client_credentials", "client_id": public_client.client_id, "scope": "school.read"}, timeout=10)
    assert_oauth_error(response, 400, "unauthorized_client")


@pytest.mark.parametrize("scope", ["openid", "student.grades.read", "school.read profile.read", "offline_access"])
def test_client_credentials_refuses_scopes_that_belong_to_a_user(http, oauth, confidential_client, scope):
    response = http.post(oauth["token_endpoint"], data={"grant_type": "client_credentials", "scope": scope},
                         auth=confidential_client.basic, timeout=10)
    assert_oauth_error(response, 400, "invalid_scope")


# Client and redirect URI come first -----------------------------------------------------------------------------


def test_an_unknown_or_missing_client_id_gets_an_html_error_page_never_a_redirect(http, browser, oauth, confidential_client):
    flow = oauth.flow(confidential_client, FULL_SCOPE)
    for bad in ("no-such-client", "", "demo-confidential\x01"):
        assert_error_page(http.get(oauth["authorization_endpoint"], allow_redirects=False, timeout=10, params={
            "response_type": "code", "client_id": bad, "redirect_uri": confidential_client.redirect_uri,
            "scope": "openid", "state": "s", "code_challenge": flow.challenge, "code_challenge_method": "S256"}))
    assert_error_page(http.get(flow.url.replace("client_id=demo-confidential", "client_id=demo-confidentia"),
                               allow_redirects=False, timeout=10))
    assert_error_page(http.get(flow.url.replace("client_id=demo-confidential&", ""), allow_redirects=False, timeout=10))

    # What the user sees: the page, with the status, and nothing followed to the redirect URI.
    assert browser.open(flow.path.replace("client_id=demo-confidential", "client_id=no-such-client")) == 400
    assert browser.redirects == []
    assert browser.text("h1") == PAGE_TITLE


@pytest.mark.parametrize("redirect_uri", [
    "http://127.0.0.1:8765/other",
    "http://127.0.0.1:8765/callback/",
    "http://127.0.0.1:8765/callback?next=x",
    "http://127.0.0.1:8765/callback#fragment",
    "https://127.0.0.1:8765/callback",
    "http://localhost:8765/callback",
    "http://[::1]:8765/callback",
    "http://127.0.0.1.evil.example:8765/callback",
    "https://evil.example/callback",
])
def test_an_unregistered_redirect_uri_gets_an_html_error_page_never_a_redirect(http, oauth, confidential_client, redirect_uri):
    flow = oauth.flow(confidential_client, FULL_SCOPE, redirect_uri=redirect_uri)
    assert_error_page(authorize_without_browser(http, flow))


def test_a_loopback_redirect_uri_may_use_another_port(demo, browser, oauth, confidential_client):
    me = person(demo, "students", "student09")
    flow = oauth.flow(confidential_client, "openid profile.read", redirect_uri="http://127.0.0.1:49152/callback")
    callback = flow.authorize(browser, me)
    assert callback.startswith("http://127.0.0.1:49152/callback?"), callback
    token = flow.exchange()
    assert token["scope"] == "openid profile.read"


# PKCE -----------------------------------------------------------------------------------------------------------


def test_a_public_client_without_pkce_is_sent_back_with_invalid_request(http, oauth, public_client):
    flow = oauth.flow(public_client, FULL_SCOPE, pkce=False)
    assert "code_challenge" not in flow.url
    caught_redirect(flow, authorize_without_browser(http, flow))
    assert_error_redirect(flow, "invalid_request")


@pytest.mark.parametrize("kind", ["public", "confidential"])
def test_the_plain_pkce_method_is_refused(http, oauth, demo, kind):
    from oauth_client import demo_client

    verifier = "plain-verifier-" + "x" * 40
    for method in ("plain", None):  # no method means plain (RFC 7636 §4.3)
        extra = {"code_challenge": verifier} | ({"code_challenge_method": method} if method else {})
        flow = oauth.flow(demo_client(demo, kind), FULL_SCOPE, pkce=False, **extra)
        caught_redirect(flow, authorize_without_browser(http, flow))
        assert_error_redirect(flow, "invalid_request")


def test_a_confidential_client_without_pkce_is_sent_back_with_invalid_request(http, oauth, confidential_client):
    # OAuth 2.1: PKCE from every client, so a code without a challenge (and so the downgrade of sending a verifier
    # for it) can no longer be issued at all.
    flow = oauth.flow(confidential_client, "openid profile.read", pkce=False)
    assert "code_challenge" not in flow.url
    caught_redirect(flow, authorize_without_browser(http, flow))
    assert_error_redirect(flow, "invalid_request")


# Codes and refresh tokens ---------------------------------------------------------------------------------------


def test_a_replayed_code_is_refused_and_the_tokens_from_its_first_exchange_stop_working(
        demo, browser, http, oauth, confidential_client):
    client, me = confidential_client, person(demo, "students", "student10")
    flow, token = code_and_tokens(browser, oauth, client, me)
    assert introspect(http, oauth, client, token["access_token"])["active"] is True

    with pytest.raises(OAuthError) as replay:
        flow.exchange()
    assert replay.value.error == "invalid_grant"
    assert_oauth_error(flow.oauth.token_responses[-1], 400, "invalid_grant")
    assert_dead(http, oauth, confidential_client, client, token)


def test_parallel_refreshes_of_one_token_leave_one_pair_and_one_live_refresh_token(
        stack, demo, browser, http, oauth, confidential_client):
    client, me = confidential_client, person(demo, "students", "student11")
    _, token = code_and_tokens(browser, oauth, client, me)
    racers = 8
    start = threading.Barrier(racers)
    answers = [None] * racers

    def race(index):
        with stack.session() as own:
            own.get(oauth["jwks_uri"], timeout=10)  # connect first, so the refreshes leave together
            start.wait()
            response = refresh(own, oauth, client, token["refresh_token"])
            answers[index] = (response.status_code, response.json() if response.headers.get(
                "Content-Type", "").startswith("application/json") else response.text[:200])

    threads = [threading.Thread(target=race, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(status for status, _ in answers)
    assert all(status < 500 for status in statuses), answers
    winners = [body for status, body in answers if status == 200]
    # One rotation: every request that succeeded got its pair (the same refresh token sent again within the grace
    # window is answered with the pair it already produced); any other answer is invalid_grant.
    assert winners and len({(body["access_token"], body["refresh_token"]) for body in winners}) == 1, answers
    assert all(status == 400 and body["error"] == "invalid_grant" for status, body in answers if status != 200), answers

    # One live family: the winner's pair works, the raced token does not.
    winner = winners[0]
    assert introspect(http, oauth, client, token["refresh_token"]) == {"active": False}
    assert introspect(http, oauth, client, winner["refresh_token"])["active"] is True
    assert introspect(http, oauth, client, winner["access_token"])["active"] is True
    again = refresh(http, oauth, client, winner["refresh_token"])
    assert again.status_code == 200, again.text
    assert introspect(http, oauth, client, again.json()["refresh_token"])["active"] is True


def test_reusing_a_rotated_refresh_token_after_the_grace_window_revokes_the_whole_grant(
        stack, demo, browser, http, oauth, confidential_client):
    client, me = confidential_client, person(demo, "students", "student12")
    _, token = code_and_tokens(browser, oauth, client, me)
    rotated = refresh(http, oauth, client, token["refresh_token"])
    rotated_at = time.monotonic()
    assert rotated.status_code == 200, rotated.text
    current = rotated.json()

    time.sleep(max(0.0, rotated_at + refresh_grace_seconds(stack) + 1 - time.monotonic()))
    assert_oauth_error(refresh(http, oauth, client, token["refresh_token"]), 400, "invalid_grant")
    # The stolen-token signal ends the grant: the current pair dies too.
    assert_dead(http, oauth, confidential_client, client, current)


def test_a_refresh_asking_for_fewer_scopes_gets_an_access_token_limited_to_them(
        demo, browser, http, oauth, confidential_client):
    client, me = confidential_client, person(demo, "students", "student19")
    _, token = code_and_tokens(browser, oauth, client, me)
    response = http.post(oauth["token_endpoint"], auth=client.basic, timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"], "scope": "openid"})
    assert response.status_code == 200, response.text
    narrowed = response.json()
    # RFC 6749 §6 and §5.1: the new access token has the scope asked for, and the response says so.
    assert narrowed["scope"] == "openid", narrowed["scope"]
    assert introspect(http, oauth, client, narrowed["access_token"])["scope"] == "openid"
    assert set(userinfo(http, oauth, narrowed["access_token"]).json()) == {"sub"}
    # "the refresh token scope MUST be identical to that of the refresh token included by the client".
    assert introspect(http, oauth, client, narrowed["refresh_token"])["scope"] == FULL_SCOPE
    # Asking for a scope that was never granted is refused, and leaves the token usable.
    assert_oauth_error(http.post(oauth["token_endpoint"], auth=client.basic, timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": narrowed["refresh_token"],
        "scope": "openid profile.email"}), 400, "invalid_scope")
    assert introspect(http, oauth, client, narrowed["refresh_token"])["active"] is True


# The authorization response -------------------------------------------------------------------------------------


def test_state_comes_back_untouched_with_iss_in_a_303_from_the_consent_post(demo, browser, oauth, confidential_client):
    me = person(demo, "students", "student13")
    state = "a b+c/d?e=f&g=%41%zz;h#i~é✓'\"<>\\ end"
    flow = oauth.flow(confidential_client, "openid profile.read", state=state, prompt="consent")
    assert flow.state == state
    assert flow.open(browser, me), "prompt=consent must show the consent page"
    assert [status for status, _ in browser.redirects] == [303] and browser.path.startswith("/authsso?")
    flow.answer(browser)
    assert flow.callback_status == 303
    response = flow.response()
    assert response["state"] == state
    assert response["iss"] == oauth.issuer
    token = flow.exchange()  # Authlib compares state too
    assert token["scope"] == "openid profile.read"


def test_deny_sends_the_user_back_with_access_denied(demo, browser, oauth, confidential_client):
    me = person(demo, "students", "student14")
    flow = oauth.flow(confidential_client, FULL_SCOPE, prompt="consent")
    assert flow.open(browser, me)
    flow.answer(browser, approve=False)
    assert flow.callback_status == 303
    assert_error_redirect(flow, "access_denied")


def test_prompt_none_without_a_session_answers_login_required(http, oauth, confidential_client):
    flow = oauth.flow(confidential_client, FULL_SCOPE, prompt="none")
    caught_redirect(flow, authorize_without_browser(http, flow))
    assert_error_redirect(flow, "login_required")


def test_prompt_none_without_consent_answers_consent_required(demo, browser, oauth, confidential_client):
    me = person(demo, "students", "student15")
    sign_in_without_connected_app(browser, me, confidential_client)
    flow = oauth.flow(confidential_client, FULL_SCOPE, prompt="none")
    assert not flow.open(browser), "prompt=none showed a page"
    assert_error_redirect(flow, "consent_required")


def test_prompt_login_asks_a_signed_in_user_to_sign_in_again(demo, browser, oauth, confidential_client):
    me = person(demo, "students", "student20")
    sign_in_without_connected_app(browser, me, confidential_client)
    time.sleep(1.1)  # auth_time has whole seconds: make the second sign-in's time tell apart from the first
    signed_in_again_at = time.time()
    flow = oauth.flow(confidential_client, "openid profile.read", prompt="login")
    browser.open(flow.path)
    assert browser.has("form#signin"), f"prompt=login did not ask to sign in: {browser.path}"
    browser.submit("form#signin", {"identifier": me["username"], "password": me["password"]})
    assert browser.has("form#consent-form"), browser.path
    flow.answer(browser)
    token = flow.exchange()
    claims = oauth.verify_id_token(token["id_token"], confidential_client, flow.nonce)
    assert claims["auth_time"] >= int(signed_in_again_at), "auth_time is not the new sign-in"


def test_a_remembered_consent_skips_the_page_and_a_new_scope_asks_again(demo, browser, oauth, confidential_client):
    me = person(demo, "students", "student16")
    sign_in_without_connected_app(browser, me, confidential_client)
    first = oauth.flow(confidential_client, "openid profile.read")
    assert first.open(browser), "no consent page for a new app"
    first.answer(browser)
    assert "code" in first.response()

    again = oauth.flow(confidential_client, "openid profile.read")
    assert not again.open(browser), "the remembered consent was asked for again"
    assert again.callback_status == 303 and "code" in again.response()
    assert again.exchange()["scope"] == "openid profile.read"

    fewer = oauth.flow(confidential_client, "profile.read", prompt="none")
    assert not fewer.open(browser) and "code" in fewer.response(), "a subset of the consent asked again"

    more = oauth.flow(confidential_client, "openid profile.read student.classes.read")
    assert more.open(browser), "a new scope did not ask again"
    assert browser.attributes("#requested-scopes li[data-scope]", "data-scope") == [
        "openid", "profile.read", "student.classes.read"]
    more.answer(browser)
    assert more.exchange()["scope"] == "openid profile.read student.classes.read"


# Scopes and roles -----------------------------------------------------------------------------------------------


def test_a_student_is_offered_and_granted_only_the_scopes_a_student_can_grant(demo, browser, oauth, confidential_client):
    me = person(demo, "students", "student17")
    flow = oauth.flow(confidential_client, "openid teacher.grades.write profile.read student.grades.read "
                      "parent.grades.read admin.users.read", prompt="consent")
    assert flow.open(browser, me)
    assert browser.attributes("#requested-scopes li[data-scope]", "data-scope") == [
        "openid", "profile.read", "student.grades.read"]
    assert "Enter and change grades" not in browser.text("#consent")
    flow.answer(browser)
    token = flow.exchange()
    assert token["scope"] == "openid profile.read student.grades.read"


def test_a_parent_asking_only_for_scopes_no_parent_can_grant_gets_access_denied(demo, browser, oauth, confidential_client):
    me = person(demo, "parents", "parent02")
    flow = oauth.flow(confidential_client, "student.grades.read teacher.grades.write admin.school.read")
    assert not flow.open(browser, me), "a consent page with nothing to grant was shown"
    assert_error_redirect(flow, "access_denied")


# Token endpoint errors ------------------------------------------------------------------------------------------


def test_token_endpoint_errors_are_rfc_json_that_is_never_cached(http, oauth, confidential_client):
    endpoint, basic = oauth["token_endpoint"], confidential_client.basic
    cases = [
        ({}, basic, 400, "invalid_request"),
        ({"grant_type": "password", "username": "student01", "password": "x"}, basic, 400, "unsupported_grant_type"),
        ({"grant_type": "implicit"}, basic, 400, "unsupported_grant_type"),
        ({"grant_type": "authorization_code"}, basic, 400, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "cw_ac_" + "A" * 43,
          "redirect_uri": confidential_client.redirect_uri, "code_verifier": "v" * 43}, basic, 400, "invalid_grant"),
        ({"grant_type": "authorization_code", "code": "not-a-code", "redirect_uri": confidential_client.redirect_uri},
         basic, 400, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "cw_rt_" + "A" * 43}, basic, 400, "invalid_grant"),
        ({"grant_type": "client_credentials", "scope": "no.such.scope"}, basic, 400, "invalid_scope"),
        ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": "no-such-client", "client_secret": "x"}, None, 401,
         "invalid_client"),
    ]
    for data, auth, status, error in cases:
        response = http.post(endpoint, data=data, auth=auth, timeout=10)
        assert_oauth_error(response, status, error)
        assert response.headers.get("Pragma") in (None, "no-cache")

    # The body must be a form (RFC 6749 §3.2).
    response = http.post(endpoint, json={"grant_type": "client_credentials"}, auth=basic, timeout=10)
    assert_oauth_error(response, 400, "invalid_request")


def test_basic_authentication_and_client_secret_post_together_are_invalid_request(http, oauth, confidential_client):
    response = http.post(oauth["token_endpoint"], auth=confidential_client.basic, timeout=10, data={
        "grant_type": "client_credentials", "client_id": confidential_client.client_id,
        "client_secret": confidential_client.client_secret})
    assert_oauth_error(response, 400, "invalid_request")


def test_a_wrong_client_secret_is_401_invalid_client_with_www_authenticate_basic(http, oauth, confidential_client):
    wrong = confidential_client.client_secret + "x"
    response = http.post(oauth["token_endpoint"], data={"grant_type": "client_credentials"},
                         auth=(confidential_client.client_id, wrong), timeout=10)
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers.get("WWW-Authenticate", "").startswith("Basic "), dict(response.headers)
    # The same by client_secret_post (no header to answer, so no challenge is required).
    response = http.post(oauth["token_endpoint"], timeout=10, data={
        "grant_type": "client_credentials", "client_id": confidential_client.client_id, "client_secret": wrong})
    assert_oauth_error(response, 401, "invalid_client")
    # And a malformed Basic header.
    response = http.post(oauth["token_endpoint"], data={"grant_type": "client_credentials"}, timeout=10,
                         headers={"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()})
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers.get("WWW-Authenticate", "").startswith("Basic ")


def test_userinfo_without_a_token_is_401_with_a_bearer_challenge(http, oauth):
    for method in ("GET", "POST"):
        response = http.request(method, oauth["userinfo_endpoint"], timeout=10)
        assert response.status_code == 401, response.text
        challenge = response.headers.get("WWW-Authenticate", "")
        assert challenge.startswith("Bearer "), dict(response.headers)
        assert "error=" not in challenge, "RFC 6750 §3.1: no error code when the request had no token"
    response = userinfo(http, oauth, "cw_at_" + "A" * 43)
    assert_oauth_error(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_duplicated_parameter_is_invalid_request(http, oauth, confidential_client):
    response = http.post(oauth["token_endpoint"], auth=confidential_client.basic, timeout=10,
                         data=[("grant_type", "client_credentials"), ("grant_type", "client_credentials")])
    assert_oauth_error(response, 400, "invalid_request")
    response = http.post(oauth["token_endpoint"], auth=confidential_client.basic, timeout=10,
                         data=[("grant_type", "client_credentials"), ("scope", "school.read"), ("scope", "school.read")])
    assert_oauth_error(response, 400, "invalid_request")

    # At the authorization endpoint: a repeated scope goes back to the client; a repeated client_id or
    # redirect_uri cannot be trusted to go anywhere, so it is a page.
    flow = oauth.flow(confidential_client, FULL_SCOPE)
    caught_redirect(flow, http.get(flow.url + "&scope=openid", allow_redirects=False, timeout=10))
    assert_error_redirect(flow, "invalid_request")
    for name in ("client_id", "redirect_uri"):
        value = query(flow.url)[name][0]
        assert_error_page(http.get(flow.url, params={name: value}, allow_redirects=False, timeout=10))
    assert single_query(flow.url)["client_id"] == confidential_client.client_id
