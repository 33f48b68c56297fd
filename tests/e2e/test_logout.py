"""Logout (issue 20 item 4): OpenID Connect RP-Initiated Logout 1.0 and Back-Channel Logout 1.0, end to end.

A first-party client is registered with `catalystwells client create` and given a post-logout redirect URI and a
back-channel logout URI with `catalystwells client logout`; a third-party app registers the same on the developer
portal's app form, with ES256 ID tokens, and review and sync carry them to main. The back-channel receiver is an HTTPS server on loopback
with a certificate from the test stack's CA (the test stack's `[webhooks]` allows private targets and trusts that CA,
as for webhooks; see test_webhook_delivery.py, whose receiver is reused). Logout tokens are verified with joserfc
against the published JWKS. Chromium drives the RP-initiated flow; nothing listens on the client's loopback URIs, so
its redirects are read from Chromium's log, as in test_oauth.py.
"""
import base64
import hashlib
import os
import re
import secrets
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt
from oauth_client import DemoClient
from portal import APP, csrf_of, declarations, multipart, sign_up_verified
from selenium.common.exceptions import WebDriverException
from test_review_and_sync import admin, decide, new_secret, sync  # noqa: F401 - the signed-in platform admin fixture
from test_webhook_delivery import Receiver, cron_secret, issue_receiver_certificate

REPO = Path(__file__).resolve().parents[2]
REDIRECT_URI = "http://127.0.0.1:8765/callback"
LOGGED_OUT = "http://127.0.0.1:8765/logged-out"
EVENT = "http://schemas.openid.net/event/backchannel-logout"
SCOPE = "openid profile.read offline_access"


def cli(stack, *args):
    """Runs the stack's binary (CW_BIN, else the newest build of this checkout) with the stack's configuration."""
    candidates = [Path(os.environ["CW_BIN"])] if os.environ.get("CW_BIN") else [
        REPO / ".build" / config / "catalystwells" for config in ("debug", "release")]
    binary = max((p for p in candidates if p.exists()), key=lambda p: p.stat().st_mtime)
    done = subprocess.run([str(binary), *args, "--config", str(stack.dir / "catalystwells.conf")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"catalystwells {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def receiver(stack, tmp_path_factory):
    cert, key = issue_receiver_certificate(stack, tmp_path_factory.mktemp("receiver"))
    server = Receiver(cert, key)
    yield server
    server.close()


@pytest.fixture(scope="module")
def client(stack, receiver):
    client_id = "cw-logout-" + secrets.token_hex(4)
    out = cli(stack, "client", "create", "--name", "Logout Test", "--redirect-uri", REDIRECT_URI, "--scope", SCOPE,
              "--client-id", client_id)
    secret = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("client_secret:"))
    cli(stack, "client", "logout", "--client-id", client_id, "--post-logout-redirect-uri", LOGGED_OUT,
        "--backchannel-logout-uri", receiver.url("/ok"), "--backchannel-logout-session-required")
    return DemoClient(client_id, secret, REDIRECT_URI)


@pytest.fixture(scope="module")
def student(demo):
    return next(p for p in demo["students"] if p["username"] == "student09")


def main_sql(stack, statement):
    """Runs SQL on the main database as root over the stack's socket; returns the rows as tab-split lists."""
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "--batch", "--skip-column-names",
         "catalyst_main", "-e", statement], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines()]


def signed_in_tokens(oauth, browser, client, student):
    """Signs `student` in through an authorization request of `client`; returns (tokens, ID-token claims)."""
    flow = oauth.flow(client, SCOPE)
    assert flow.authorize(browser, student), "no redirect back to the client"
    tokens = flow.exchange()
    claims = oauth.verify_id_token(tokens["id_token"], client, flow.nonce)
    return tokens, claims


def open_until_redirect(browser, path):
    """Opens `path` on the app site; returns the redirects that led away (to the unreachable client)."""
    try:
        browser.open(path)
    except WebDriverException as error:
        if "ERR_CONNECTION_REFUSED" not in str(error):
            raise
        browser._read_status()
    return browser.redirects


def session_cookie(browser):
    """The app site's session cookie, whichever page the browser shows (get_cookie sees only the current site's)."""
    cookies = browser.driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
    return next((c["value"] for c in cookies if c["name"] == "__Host-cw_session"), None)


def end_session_path(**parameters):
    return "/logout/oidc?" + urlencode(parameters)


def logout_tokens(stack, oauth, receiver, sid, alg="RS256"):
    """The logout tokens received for `sid`, verified against the JWKS and signed with `alg` (the receiver keeps the
    other tests' tokens too); runs the cron endpoint until one came."""
    keys = oauth.key_set()

    def found():
        with stack.session() as http:
            http.post(stack.url("app", "/internal/cron/backchannel-logout"),
                      headers={"Authorization": "Bearer " + cron_secret(stack)}, timeout=30)
        verified = []
        for _, headers, body in receiver.received("/ok"):
            assert headers["content-type"] == "application/x-www-form-urlencoded"
            token = jwt.decode(parse_qs(body.decode())["logout_token"][0], keys, algorithms=["RS256", "ES256"])
            if token.claims.get("sid") == sid:
                assert token.header["alg"] == alg, token.header
                verified.append(token)
        return verified

    return stack.wait_until(found, timeout=20, interval=0.5, what=f"a logout token for sid {sid}")


def assert_logout_token(token, oauth, client, id_claims):
    assert token.header["typ"] == "logout+jwt" and token.header["kid"], token.header
    claims = token.claims
    assert claims["iss"] == oauth.issuer and claims["aud"] == client.client_id, claims
    assert claims["sub"] == id_claims["sub"] and claims["sid"] == id_claims["sid"], claims
    assert claims["events"] == {EVENT: {}}, claims
    assert "nonce" not in claims and claims["jti"] and claims["exp"] > claims["iat"], claims


def test_discovery_advertises_the_end_session_endpoint_and_back_channel_logout(oauth, stack):
    assert oauth["end_session_endpoint"] == stack.app_url + "/logout/oidc"
    assert oauth["backchannel_logout_supported"] is True
    assert oauth["backchannel_logout_session_supported"] is True
    assert "sid" in oauth["claims_supported"]


def test_a_hint_for_this_session_signs_out_returns_with_state_and_tells_the_app(oauth, browser, client, student, receiver, stack):
    tokens, id_claims = signed_in_tokens(oauth, browser, client, student)
    cookie = session_cookie(browser)
    sid = id_claims["sid"]
    # sid is neither the cookie nor its digest.
    digest = hashlib.sha256(cookie.encode()).digest()
    assert sid not in cookie and sid not in (digest.hex(), base64.urlsafe_b64encode(digest).decode().rstrip("=")), sid
    redirects = open_until_redirect(
        browser, end_session_path(id_token_hint=tokens["id_token"], post_logout_redirect_uri=LOGGED_OUT, state="st-1"))
    assert (303, LOGGED_OUT + "?state=st-1") in redirects, redirects
    assert session_cookie(browser) is None
    browser.open("/account/sessions")
    assert browser.path.startswith("/login"), browser.path
    assert_logout_token(logout_tokens(stack, oauth, receiver, sid)[0], oauth, client, id_claims)


def test_an_unregistered_or_forged_request_is_an_error_page_and_changes_nothing(oauth, browser, client, student, http, stack):
    tokens, _ = signed_in_tokens(oauth, browser, client, student)
    status = browser.open(end_session_path(id_token_hint=tokens["id_token"], post_logout_redirect_uri="https://evil.example/bye",
                                           state="x"))
    assert status == 400 and "not one this app registered" in browser.text("main"), browser.text("main")
    assert not any("evil.example" in (location or "") for _, location in browser.redirects)
    assert browser.open("/account/sessions") == 200 and browser.has("table#sessions"), "still signed in"
    header, payload, signature = tokens["id_token"].split(".")
    forged = ".".join([header, payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB"), signature])
    for query in ({"id_token_hint": forged}, {"id_token_hint": "not-a-jwt"},
                  {"id_token_hint": tokens["id_token"], "client_id": "someone-else"},
                  {"post_logout_redirect_uri": LOGGED_OUT}, {"state": "a", "client_id": [client.client_id, client.client_id]}):
        answer = http.get(stack.url("app", "/logout/oidc"), params=query, timeout=10, allow_redirects=False)
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html"), (query, answer.status_code)
    assert browser.open("/account/sessions") == 200 and browser.has("table#sessions"), "still signed in"


def test_without_a_hint_the_person_confirms_before_the_session_ends(oauth, browser, client, student):
    signed_in_tokens(oauth, browser, client, student)
    browser.open(end_session_path(client_id=client.client_id, post_logout_redirect_uri=LOGGED_OUT, state="st-2"))
    assert browser.has("form#confirm-logout") and "Logout Test" in browser.text("main")
    try:
        browser.submit("form#confirm-logout")
    except WebDriverException as error:
        assert "ERR_CONNECTION_REFUSED" in str(error)
        browser._read_status()
    assert (303, LOGGED_OUT + "?state=st-2") in browser.redirects, browser.redirects
    assert session_cookie(browser) is None


def test_signing_out_of_this_device_revokes_the_apps_tokens_and_tells_them(oauth, browser, client, student, http, stack, receiver):
    tokens, id_claims = signed_in_tokens(oauth, browser, client, student)
    userinfo = lambda: http.get(oauth["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)  # noqa: E731
    assert userinfo().status_code == 200
    browser.open("/account/sessions")
    browser.submit("form#sign-out-device")
    assert browser.path.startswith("/login"), browser.path
    assert userinfo().status_code == 401, "the access token issued through this session is revoked"
    refreshed = http.post(oauth["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                          auth=client.basic, timeout=10)
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant", refreshed.text
    assert_logout_token(logout_tokens(stack, oauth, receiver, id_claims["sid"])[0], oauth, client, id_claims)


def refresh(http, oauth, client, refresh_token):
    answer = http.post(oauth["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                       auth=client.basic, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def run_backchannel_cron(stack):
    with stack.session() as http:
        answer = http.post(stack.url("app", "/internal/cron/backchannel-logout"),
                           headers={"Authorization": "Bearer " + cron_secret(stack)}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_refreshed_id_token_keeps_the_sid_until_the_session_expires_and_the_app_is_told_once(
        oauth, browser, client, student, http, stack, receiver):
    tokens, id_claims = signed_in_tokens(oauth, browser, client, student)
    sid = id_claims["sid"]
    # OIDC Core §12.2 with Back-Channel Logout 1.0 §2.4: the refreshed ID token names the same session.
    refreshed = refresh(http, oauth, client, tokens["refresh_token"])
    assert oauth.verify_id_token(refreshed["id_token"], client, None)["sid"] == sid
    # The session merely expires (its absolute lifetime is over): nobody signs out, the cron finds it.
    digest = hashlib.sha256(session_cookie(browser).encode()).hexdigest()
    main_sql(stack, f"UPDATE sessions SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE token_digest = UNHEX('{digest}')")
    assert run_backchannel_cron(stack)["expired_sessions_ended"] >= 1
    assert main_sql(stack, f"SELECT COUNT(*) FROM sessions WHERE token_digest = UNHEX('{digest}')") == [["0"]]
    assert_logout_token(logout_tokens(stack, oauth, receiver, sid)[0], oauth, client, id_claims)
    # Once: further runs find nothing more to send for it.
    run_backchannel_cron(stack)
    assert len(logout_tokens(stack, oauth, receiver, sid)) == 1
    # The offline_access grant outlives the session (Back-Channel Logout §2.7), but its ID tokens name no session now.
    later = refresh(http, oauth, client, refreshed["refresh_token"])
    claims = oauth.verify_id_token(later["id_token"], client, None)
    assert "sid" not in claims and claims["sub"] == id_claims["sub"], claims
    browser.open("/account/sessions")
    assert browser.path.startswith("/login"), browser.path


def test_an_operator_changes_a_clients_id_token_algorithm_with_client_update(oauth, browser, stack, student):
    client_id = "cw-logout-alg-" + secrets.token_hex(4)
    out = cli(stack, "client", "create", "--name", "Algorithm Change", "--redirect-uri", REDIRECT_URI, "--scope", SCOPE,
              "--client-id", client_id)
    secret = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("client_secret:"))
    changed = cli(stack, "client", "update", "--client-id", client_id, "--id-token-signed-response-alg", "ES256")
    assert '"id_token_signed_response_alg":"ES256"' in changed.replace(" ", ""), changed
    es256 = DemoClient(client_id, secret, REDIRECT_URI)
    flow = oauth.flow(es256, "openid profile.read")
    assert flow.authorize(browser, student), "no redirect back to the client"
    oauth.verify_id_token(flow.exchange()["id_token"], es256, flow.nonce, alg="ES256")
    binary = Path(os.environ["CW_BIN"]) if os.environ.get("CW_BIN") else max(
        (p for p in (REPO / ".build" / c / "catalystwells" for c in ("debug", "release")) if p.exists()), key=lambda p: p.stat().st_mtime)
    for args, message in (
            (["--client-id", client_id, "--id-token-signed-response-alg", "HS256"], "'HS256' is not RS256 or ES256"),
            (["--client-id", "no-such-client", "--id-token-signed-response-alg", "RS256"], "no client has the client_id"),
            (["--client-id", client_id], "nothing to change")):
        done = subprocess.run([str(binary), "client", "update", *args, "--config", str(stack.dir / "catalystwells.conf")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 64 and message in done.stderr, (args, done.returncode, done.stderr)
    assert main_sql(stack, f"SELECT id_token_signed_response_alg FROM oauth_clients WHERE client_id = '{client_id}'") == [["ES256"]]


def test_a_failing_app_gets_its_logout_again_later_and_the_sign_out_is_not_held_up(oauth, browser, stack, receiver, student):
    client_id = "cw-logout-fail-" + secrets.token_hex(4)
    out = cli(stack, "client", "create", "--name", "Failing Logout", "--redirect-uri", REDIRECT_URI, "--scope", SCOPE,
              "--client-id", client_id)
    secret = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("client_secret:"))
    cli(stack, "client", "logout", "--client-id", client_id, "--backchannel-logout-uri", receiver.url("/fail"))
    failing = DemoClient(client_id, secret, REDIRECT_URI)
    signed_in_tokens(oauth, browser, failing, student)
    browser.open("/account/sessions")
    browser.submit("form#signout")
    assert browser.path.startswith("/login?signed_out"), browser.path

    def tried():
        rows = main_sql(stack, f"""SELECT b.attempts, b.last_status, b.next_attempt_at IS NOT NULL, b.delivered_at IS NULL
                                   FROM backchannel_logouts b JOIN oauth_clients c ON c.id = b.client_pk
                                   WHERE c.client_id = '{client_id}'""")
        return rows if rows and rows[0][0] != "0" else None

    rows = stack.wait_until(tried, timeout=20, interval=0.5, what="a first try")
    assert rows == [["1", "500", "1", "1"]], rows
    assert receiver.received("/fail"), "the logout token was posted"


def test_a_portal_app_registers_logout_and_es256_on_its_form_and_sync_carries_them(
        stack, mail_dir, admin, oauth, browser, receiver, student):
    developer, _ = sign_up_verified(stack, mail_dir, "oidclogout")
    scopes = ["openid", "profile.read"]

    def save(**fields):
        page = developer.get(stack.url("developers", "/apps/new"))
        return developer.post(stack.url("developers", "/apps"), allow_redirects=False, files=multipart(
            {**APP, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential",
             "redirect_uris": REDIRECT_URI, "scopes": scopes, **fields}))

    # Clear HTML errors next to the field: a plain-http back-channel URI, an algorithm we do not sign with.
    refused = save(backchannel_logout_uri="http://app.example/bc")
    assert refused.status_code == 422 and 'id="backchannel_logout_uri-error"' in refused.text, refused.status_code
    refused = save(id_token_signed_response_alg="HS256", post_logout_redirect_uris="https://app.example/a#b")
    assert refused.status_code == 422 and "Choose RS256 or ES256." in refused.text, refused.status_code
    assert 'id="post_logout_redirect_uris-error"' in refused.text

    created = save(post_logout_redirect_uris=LOGGED_OUT, backchannel_logout_uri=receiver.url("/ok"),
                   backchannel_logout_session_required="1", id_token_signed_response_alg="ES256")
    assert created.status_code == 303, created.text[:300]
    path = created.headers["Location"].split("?")[0]
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    submitted = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                               allow_redirects=False)
    assert submitted.status_code == 303, submitted.text[:300]
    app_id = int(path.rsplit("/", 1)[1])
    review = admin.get(stack.url("app", f"/platform/apps/{app_id}")).text
    assert LOGGED_OUT in review and receiver.url("/ok") in review and "<code>ES256</code>" in review
    assert decide(stack, admin, app_id, "approve", scopes=scopes).status_code == 303
    assert sync(stack)["status"] == "ok"
    credentials = developer.get(stack.url("developers", path + "/credentials")).text
    client_id = re.search(r'id="client-id">([^<]+)<', credentials).group(1)
    secret = new_secret(stack, developer, path, admin)
    assert sync(stack)["status"] == "ok"
    assert main_sql(stack, f"""SELECT c.id_token_signed_response_alg, l.backchannel_logout_uri, l.backchannel_logout_session_required,
                                      (SELECT GROUP_CONCAT(u.uri) FROM oauth_client_post_logout_redirect_uris u WHERE u.client_pk = c.id)
                               FROM oauth_clients c JOIN oauth_client_logout l ON l.client_pk = c.id
                               WHERE c.client_id = '{client_id}'""") == [["ES256", receiver.url("/ok"), "1", LOGGED_OUT]]

    # The ID token is signed with the current ES256 key, published in the JWKS under its kid.
    client = DemoClient(client_id, secret, REDIRECT_URI)
    flow = oauth.flow(client, "openid profile.read")
    assert flow.authorize(browser, student), "no redirect back to the client"
    tokens = flow.exchange()
    id_claims = oauth.verify_id_token(tokens["id_token"], client, flow.nonce, alg="ES256")
    header = jwt.decode(tokens["id_token"], oauth.key_set(), algorithms=["ES256"]).header
    with stack.session() as http:
        published = {key["kid"]: key for key in http.get(oauth["jwks_uri"], timeout=10).json()["keys"]}
    assert published[header["kid"]]["alg"] == "ES256" and published[header["kid"]]["kty"] == "EC", header

    # RP-initiated logout back to the registered URI; the logout token is ES256 too, with the same kid.
    redirects = open_until_redirect(
        browser, end_session_path(id_token_hint=tokens["id_token"], post_logout_redirect_uri=LOGGED_OUT, state="st-3"))
    assert (303, LOGGED_OUT + "?state=st-3") in redirects, redirects
    token = logout_tokens(stack, oauth, receiver, id_claims["sid"], alg="ES256")[0]
    assert token.header["alg"] == "ES256" and token.header["kid"] == header["kid"], token.header
    assert_logout_token(token, oauth, client, id_claims)

    # The developer sees the delivery on the app's credentials page once sync has carried it over: when, the answer,
    # the tries; never the token.
    def shown():
        sync(stack)
        page = developer.get(stack.url("developers", path + "/credentials")).text
        table = re.search(r'<table id="backchannel-logouts">.*?</table>', page, re.S)
        # The test receiver answers 204, which counts as delivered as 200 does.
        return table.group(0) if table and re.search(r"HTTP 20[04]", table.group(0)) else None

    table = stack.wait_until(shown, timeout=20, interval=0.5, what="the delivery on the credentials page")
    assert "delivered" in table and '<td class="attempts">1</td>' in table, table
    assert "eyJ" not in table, "no token on the page"
