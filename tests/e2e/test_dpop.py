"""DPoP (RFC 9449) as a client library and a resource call see it, through nginx.

Tokens come from Authlib's `OAuth2Session` (client_credentials with client_secret_basic for the confidential demo
client; the authorization code flow with PKCE for the public one, signed in and consenting with `requests` the
way test_education_api.py does); every DPoP proof is built with joserfc. Covered: the server nonce dance at the
token endpoint (`use_dpop_nonce` + `DPoP-Nonce`, the code still usable after it), `token_type` DPoP, `cnf.jkt`
in introspection, the education API and userinfo accepting a bound token only with a fresh proof by its key
(`ath`, `htm`, `htu`) and the server nonce (RFC 9449 §9: `use_dpop_nonce` at the resource, then the retry), replayed
proofs, bound tokens sent as bearer tokens, a public client's bound refresh token refused with another key, RFC 9864's
`Ed25519` algorithm name, `dpop_jkt` (§10) binding a code, pushed or plain, to one key, and a confidential portal
app whose developer ticked "DPoP-bound tokens": reviewed, synced, then refused a token without a proof; a proof whose
nonce is in its last slot answered with the current nonce (§8.2).

Demo users this module owns: student47.
"""
import base64
import configparser
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import subprocess
import time
from pathlib import Path

import pytest
from authlib.integrations.base_client import OAuthError
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey

from two_step import pass_code_step
from oauth_client import REDIRECT_URI, query, single_query
from portal import APP, csrf_of, declarations, multipart, sign_up_verified
from test_review_and_sync import admin, decide, sync  # noqa: F401 - the signed-in platform admin fixture

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def proof(key, method, url, nonce=None, access_token=None, **changes):
    """A DPoP proof (RFC 9449 §4.2) signed by `key` (ES256 for P-256, RFC 9864's Ed25519 for Ed25519); `changes`
    replace or (None) remove claims."""
    alg = "Ed25519" if isinstance(key, OKPKey) else "ES256"
    claims = {"jti": secrets.token_urlsafe(16), "htm": method, "htu": url, "iat": int(time.time())}
    if nonce:
        claims["nonce"] = nonce
    if access_token:
        claims["ath"] = b64url(hashlib.sha256(access_token.encode()).digest())
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    return jwt.encode(header, claims, key, algorithms=[alg])


def assert_error(response, status, error):
    assert response.status_code == status, f"{response.status_code} {response.text[:300]}"
    assert response.json()["error"] == error, response.text
    return response


def token_with_nonce(oauth_session, url, key, **fetch):
    """The token request as a DPoP client makes it: without a nonce first, then again with the one the server
    sent (RFC 9449 §8). Returns the token dict; the first answer must be 400 use_dpop_nonce."""
    with pytest.raises(OAuthError) as refused:
        oauth_session.fetch_token(url, headers={"DPoP": proof(key, "POST", url)}, **fetch)
    assert refused.value.error == "use_dpop_nonce", refused.value
    first = oauth_session.token_responses[-1]
    assert first.status_code == 400 and first.headers.get("DPoP-Nonce"), dict(first.headers)
    nonce = first.headers["DPoP-Nonce"]
    token = oauth_session.fetch_token(url, headers={"DPoP": proof(key, "POST", url, nonce=nonce)}, **fetch)
    assert oauth_session.token_responses[-1].headers.get("DPoP-Nonce"), "a DPoP token answer carries the next nonce"
    return token, nonce


def resource_nonce(http, method, url, access, key):
    """The resource's nonce as a client learns it (RFC 9449 §9): a proof without one is 401 use_dpop_nonce with a
    DPoP challenge and a DPoP-Nonce header."""
    first = http.request(method, url, timeout=10, headers={
        "Authorization": f"DPoP {access}", "DPoP": proof(key, method, url, access_token=access)})
    assert_error(first, 401, "use_dpop_nonce")
    assert first.headers["WWW-Authenticate"].startswith('DPoP realm="catalystwells", algs="ES256 RS256 EdDSA Ed25519", '
                                                        'error="use_dpop_nonce"'), first.headers
    return first.headers["DPoP-Nonce"]


def test_discovery_lists_the_dpop_algorithms(oauth):
    assert oauth["dpop_signing_alg_values_supported"] == ["ES256", "RS256", "EdDSA", "Ed25519"]


def demo_school(stack):
    config = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#",))
    config.read(stack.dir / "catalystwells.conf")
    database = config.get("database", "main_database", fallback="catalyst_main")
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B", database],
        input="SELECT id FROM schools WHERE sourced_id = 'demo-school'", capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[0])


def test_an_app_token_bound_with_dpop_is_usable_only_with_fresh_proofs_by_its_key(stack, oauth, confidential_client):
    key = ECKey.generate_key("P-256")
    token_url = oauth["token_endpoint"]
    session = oauth.session(confidential_client, scope="school.read")
    token, nonce = token_with_nonce(session, token_url, key, grant_type="client_credentials")
    assert token["token_type"] == "DPoP", token
    access = token["access_token"]

    # Introspection names the key (RFC 9449 §6.2).
    with stack.session() as http:
        info = http.post(oauth["introspection_endpoint"], auth=confidential_client.basic, data={"token": access}, timeout=10).json()
    assert info["active"] is True and info["token_type"] == "DPoP", info
    assert info["cnf"] == {"jkt": key.thumbprint()}, info

    me = stack.url("app", "/api/v1/me")
    schools = stack.url("app", f"/api/v1/schools/{demo_school(stack)}")
    with stack.session() as http:
        def call(url, headers):
            return http.get(url, headers=headers, timeout=10)

        nonce = resource_nonce(http, "GET", schools, access, key)
        good = proof(key, "GET", schools, access_token=access, nonce=nonce)
        answer = call(schools, {"Authorization": f"DPoP {access}", "DPoP": good})
        assert answer.status_code == 200, f"{answer.status_code} {answer.text[:300]}"
        # The same proof again is a replay (RFC 9449 §11.1).
        replay = assert_error(call(schools, {"Authorization": f"DPoP {access}", "DPoP": good}), 401, "invalid_dpop_proof")
        assert replay.headers["WWW-Authenticate"].startswith("DPoP "), replay.headers
        assert 'algs="ES256 RS256 EdDSA Ed25519"' in replay.headers["WWW-Authenticate"]
        # A proof without ath, for another method, for another URL, or by another key.
        for bad in (proof(key, "GET", schools, nonce=nonce), proof(key, "POST", schools, access_token=access, nonce=nonce),
                    proof(key, "GET", me, access_token=access, nonce=nonce)):
            assert_error(call(schools, {"Authorization": f"DPoP {access}", "DPoP": bad}), 401, "invalid_dpop_proof")
        stranger = ECKey.generate_key("P-256")
        other = call(schools, {"Authorization": f"DPoP {access}", "DPoP": proof(stranger, "GET", schools, access_token=access, nonce=nonce)})
        assert_error(other, 401, "invalid_token")
        assert other.headers["WWW-Authenticate"].startswith("DPoP "), other.headers
        # A bound token sent as a bearer token is not a token at all (RFC 9449 §7.2), and DPoP needs its proof.
        assert_error(call(schools, {"Authorization": f"Bearer {access}"}), 401, "invalid_token")
        assert_error(call(schools, {"Authorization": f"DPoP {access}"}), 401, "invalid_dpop_proof")

    # A token request with a stale or made-up nonce is asked again; a bad proof is invalid_dpop_proof.
    with stack.session() as http:
        stale = http.post(token_url, auth=confidential_client.basic, timeout=10, data={"grant_type": "client_credentials"},
                          headers={"DPoP": proof(key, "POST", token_url, nonce="made-up")})
        assert_error(stale, 400, "use_dpop_nonce")
        assert stale.headers.get("DPoP-Nonce")
        wrong = http.post(token_url, auth=confidential_client.basic, timeout=10, data={"grant_type": "client_credentials"},
                          headers={"DPoP": proof(key, "POST", token_url + "x", nonce=stale.headers["DPoP-Nonce"])})
        assert_error(wrong, 400, "invalid_dpop_proof")


def server_nonce(stack, slot):
    """The server's DPoP nonce of a 120 s slot, as DPoPNonce computes it: HMAC-SHA256 of "dpop-nonce" and the slot
    (8 bytes, big-endian) under HKDF-SHA256(oauth.key, info "catalystwells dpop nonce v1"), first 24 bytes, base64url."""
    secrets_dir = Path(os.environ.get("CW_SECRETS_DIR") or stack.dir / "secrets")
    secret = bytes.fromhex((secrets_dir / "oauth.key").read_text().strip())
    derived = hmac.new(hmac.new(b"\0" * 32, secret, hashlib.sha256).digest(), b"catalystwells dpop nonce v1\x01", hashlib.sha256).digest()
    return b64url(hmac.new(derived, b"dpop-nonce" + slot.to_bytes(8, "big", signed=True), hashlib.sha256).digest()[:24])


def test_a_resource_hands_out_the_next_nonce_when_the_proofs_nonce_is_in_its_last_slot(stack, oauth, confidential_client):
    """RFC 9449 §8.2: a nonce from the previous 120 s slot is still accepted, and the answer carries the current one, so
    the client never meets use_dpop_nonce while it keeps the newest nonce; a nonce of the current slot gets none."""
    key = ECKey.generate_key("P-256")
    session = oauth.session(confidential_client, scope="school.read")
    access = token_with_nonce(session, oauth["token_endpoint"], key, grant_type="client_credentials")[0]["access_token"]
    schools = stack.url("app", f"/api/v1/schools/{demo_school(stack)}")
    if 120 - time.time() % 120 < 5:
        time.sleep(6)  # away from a slot boundary
    slot = int(time.time() // 120)
    with stack.session() as http:
        def call(nonce):
            return http.get(schools, timeout=10, headers={
                "Authorization": f"DPoP {access}", "DPoP": proof(key, "GET", schools, access_token=access, nonce=nonce)})

        assert resource_nonce(http, "GET", schools, access, key) == server_nonce(stack, slot), "the test computes the server's nonce"
        current = call(server_nonce(stack, slot))
        assert current.status_code == 200 and "DPoP-Nonce" not in current.headers, dict(current.headers)
        late = call(server_nonce(stack, slot - 1))
        assert late.status_code == 200, late.text[:300]
        assert late.headers.get("DPoP-Nonce") == server_nonce(stack, slot), dict(late.headers)
        assert_error(call(server_nonce(stack, slot - 2)), 401, "use_dpop_nonce")


def signed_in(stack, who):
    http = stack.session()
    token = CSRF_FIELD.search(http.get(stack.url("app", "/login"), timeout=10).text).group(1)
    response = http.post(stack.url("app", "/login"), allow_redirects=False, timeout=10,
                         data={"csrf": token, "identifier": who["username"], "password": who["password"]})
    response = pass_code_step(stack, http, response, who["username"])
    assert response.status_code == 303, f"sign-in as {who['username']}: {response.status_code}"
    return http


def test_a_public_clients_tokens_are_bound_and_its_refresh_token_needs_the_same_key(stack, demo, oauth, public_client):
    who = next(p for p in demo["students"] if p["username"] == "student47")
    http = signed_in(stack, who)
    flow = oauth.flow(public_client, "openid profile.read offline_access")
    response = http.get(flow.url, allow_redirects=False, timeout=10)
    if response.status_code == 200 and 'id="consent-form"' in response.text:
        form = response.text.split('id="consent-form"', 1)[1].split("</form>", 1)[0]
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        response = http.post(stack.url("app", "/authsso"), data=dict(fields, decision="approve"), allow_redirects=False, timeout=10)
    assert response.status_code == 303, response.text[:300]
    flow.callback = response.headers["Location"]
    assert "code" in query(flow.callback)

    key = OKPKey.generate_key("Ed25519")
    token_url = oauth["token_endpoint"]
    # The nonce round trip leaves the code usable: the proof is checked before the code is looked at.
    token, nonce = token_with_nonce(
        flow.oauth, token_url, key, authorization_response=flow.callback, code_verifier=flow.verifier)
    assert token["token_type"] == "DPoP" and token["refresh_token"], token
    access = token["access_token"]

    userinfo = oauth["userinfo_endpoint"]
    with stack.session() as s:
        # The token endpoint's nonce is the resources' too (one stateless nonce), and so is a fresh one.
        assert resource_nonce(s, "GET", userinfo, access, key)
        info = s.get(userinfo, timeout=10, headers={
            "Authorization": f"DPoP {access}", "DPoP": proof(key, "GET", userinfo, access_token=access, nonce=nonce)})
        assert info.status_code == 200, info.text[:300]
        assert info.json()["sub"] == str(who["id"])
        assert_error(s.get(userinfo, headers={"Authorization": f"Bearer {access}"}, timeout=10), 401, "invalid_token")

    # The refresh token is bound too (a public client's, RFC 9449 §5): another key gets invalid_grant and the
    # token stays usable for its own key.
    stranger = ECKey.generate_key("P-256")
    with stack.session() as s:
        refused = s.post(token_url, timeout=10, headers={"DPoP": proof(stranger, "POST", token_url, nonce=nonce)},
                         data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
                               "client_id": public_client.client_id})
        assert_error(refused, 400, "invalid_grant")
        bare = s.post(token_url, timeout=10, data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
                                                   "client_id": public_client.client_id})
        assert_error(bare, 400, "invalid_grant")
        nonce = refused.headers.get("DPoP-Nonce") or nonce
        renewed = s.post(token_url, timeout=10, headers={"DPoP": proof(key, "POST", token_url, nonce=nonce)},
                         data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
                               "client_id": public_client.client_id})
        assert renewed.status_code == 200, renewed.text[:300]
        assert renewed.json()["token_type"] == "DPoP"


def code_for(http, stack, response):
    """The code of an authorization answer, approving the consent page when one is shown."""
    if response.status_code == 200 and 'id="consent-form"' in response.text:
        form = response.text.split('id="consent-form"', 1)[1].split("</form>", 1)[0]
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        response = http.post(stack.url("app", "/authsso"), data=dict(fields, decision="approve"), allow_redirects=False, timeout=10)
    assert response.status_code == 303, response.text[:300]
    return response.headers["Location"]


def test_dpop_jkt_binds_the_code_to_one_key_pushed_or_plain(stack, demo, oauth, public_client):
    who = next(p for p in demo["students"] if p["username"] == "student47")
    http = signed_in(stack, who)
    key, stranger = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    token_url = oauth["token_endpoint"]

    # Pushed (RFC 9126) with dpop_jkt: a proof by another key gets invalid_grant, and the code is spent.
    verifier = secrets.token_urlsafe(48)
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    with stack.session() as s:
        pushed = s.post(oauth["pushed_authorization_request_endpoint"], timeout=10, data={
            "response_type": "code", "client_id": public_client.client_id, "redirect_uri": public_client.redirect_uri,
            "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256", "dpop_jkt": key.thumbprint()})
        assert pushed.status_code == 201, pushed.text[:300]
        malformed = s.post(oauth["pushed_authorization_request_endpoint"], timeout=10, data={
            "response_type": "code", "client_id": public_client.client_id, "redirect_uri": public_client.redirect_uri,
            "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256", "dpop_jkt": "not-a-thumbprint"})
        assert_error(malformed, 400, "invalid_request")
        # A DPoP proof with the push binds the code the same way (§10.1), after the nonce round trip.
        par_url = oauth["pushed_authorization_request_endpoint"]
        plain = {"response_type": "code", "client_id": public_client.client_id, "redirect_uri": public_client.redirect_uri,
                 "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256"}
        asked = assert_error(s.post(par_url, data=plain, headers={"DPoP": proof(key, "POST", par_url)}, timeout=10),
                             400, "use_dpop_nonce")
        with_proof = s.post(par_url, data=plain, timeout=10,
                            headers={"DPoP": proof(key, "POST", par_url, nonce=asked.headers["DPoP-Nonce"])})
        assert with_proof.status_code == 201, with_proof.text[:300]
        other = s.post(par_url, data=dict(plain, dpop_jkt=stranger.thumbprint()), timeout=10,
                       headers={"DPoP": proof(key, "POST", par_url, nonce=asked.headers["DPoP-Nonce"])})
        assert_error(other, 400, "invalid_dpop_proof")
    answer = http.get(stack.url("app", "/authsso"), allow_redirects=False, timeout=10,
                      params={"client_id": public_client.client_id, "request_uri": pushed.json()["request_uri"]})
    code = single_query(code_for(http, stack, answer))["code"]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": public_client.redirect_uri,
                "client_id": public_client.client_id, "code_verifier": verifier}
    with stack.session() as s:
        first = s.post(token_url, data=exchange, headers={"DPoP": proof(stranger, "POST", token_url)}, timeout=10)
        nonce = assert_error(first, 400, "use_dpop_nonce").headers["DPoP-Nonce"]
        refused = s.post(token_url, data=exchange, headers={"DPoP": proof(stranger, "POST", token_url, nonce=nonce)}, timeout=10)
        assert_error(refused, 400, "invalid_grant")
        spent = s.post(token_url, data=exchange, headers={"DPoP": proof(key, "POST", token_url, nonce=nonce)}, timeout=10)
        assert_error(spent, 400, "invalid_grant")

    # A plain authorization request with dpop_jkt: without a proof invalid_dpop_proof; the flow again with the key's
    # proof gets a token bound to it.
    flow = oauth.flow(public_client, "openid", dpop_jkt=key.thumbprint())
    flow.callback = code_for(http, stack, http.get(flow.url, allow_redirects=False, timeout=10))
    with stack.session() as s:
        bare = s.post(token_url, timeout=10, data={
            "grant_type": "authorization_code", "code": single_query(flow.callback)["code"], "redirect_uri": public_client.redirect_uri,
            "client_id": public_client.client_id, "code_verifier": flow.verifier})
        assert_error(bare, 400, "invalid_dpop_proof")
    flow = oauth.flow(public_client, "openid", dpop_jkt=key.thumbprint())
    flow.callback = code_for(http, stack, http.get(flow.url, allow_redirects=False, timeout=10))
    token = flow.oauth.fetch_token(token_url, authorization_response=flow.callback, code_verifier=flow.verifier,
                                   headers={"DPoP": proof(key, "POST", token_url, nonce=nonce)})
    assert token["token_type"] == "DPoP", token
    access, userinfo = token["access_token"], oauth["userinfo_endpoint"]
    with stack.session() as s:
        info = s.get(userinfo, timeout=10, headers={
            "Authorization": f"DPoP {access}", "DPoP": proof(key, "GET", userinfo, access_token=access, nonce=nonce)})
        assert info.status_code == 200, info.text[:300]


def test_a_confidential_portal_app_can_require_dpop_bound_tokens(stack, mail_dir, admin, oauth):
    developer, _ = sign_up_verified(stack, mail_dir, "dpopapp")
    scopes = ["openid", "profile.read"]
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    page = developer.get(stack.url("developers", "/apps/new"))
    created = developer.post(stack.url("developers", "/apps"), allow_redirects=False, files=multipart(
        {**APP, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential", "redirect_uris": REDIRECT_URI,
         "scopes": scopes, "token_endpoint_auth_method": "private_key_jwt",
         "jwks": json.dumps({"keys": [key.as_dict(private=False, kid="k1", use="sig")]}), "dpop_bound_access_tokens": "1"}))
    assert created.status_code == 303, created.text[:300]
    path = created.headers["Location"].split("?")[0]
    app_id = int(path.rsplit("/", 1)[1])
    page = developer.get(stack.url("developers", path))
    assert 'name="dpop_bound_access_tokens" value="1" checked' in developer.get(stack.url("developers", path + "/edit")).text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    submitted = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                               allow_redirects=False)
    assert submitted.status_code == 303, submitted.text[:300]
    review = admin.get(stack.url("app", f"/platform/apps/{app_id}"), timeout=10).text
    assert "<dt>DPoP-bound tokens</dt><dd>required</dd>" in review
    assert decide(stack, admin, app_id, "approve", scopes=scopes).status_code == 303
    assert sync(stack)["status"] == "ok"
    credentials = developer.get(stack.url("developers", path + "/credentials")).text
    assert 'id="dpop-requirement">required' in credentials
    client_id = re.search(r'id="client-id">([^<]+)<', credentials).group(1)

    token_url = oauth["token_endpoint"]

    def token_request(headers):
        fields = {"grant_type": "client_credentials", "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                  "client_assertion": private_key_jwt_sign(key, client_id=client_id, token_endpoint=token_url,
                                                           claims={"exp": int(time.time()) + 60}, header={"kid": "k1"})}
        with stack.session() as http:
            return http.post(token_url, data=fields, headers=headers, timeout=10)

    # The synced client's token requests need a proof: without one invalid_dpop_proof (with the nonce to use).
    bare = assert_error(token_request({}), 400, "invalid_dpop_proof")
    assert bare.headers.get("DPoP-Nonce")
    dpop_key = ECKey.generate_key("P-256")
    # With a proof and the nonce the DPoP check passes (the grant itself decides the rest: this app was granted no
    # app-level scope, so client_credentials may still be refused for that, never for DPoP).
    answer = token_request({"DPoP": proof(dpop_key, "POST", token_url, nonce=bare.headers["DPoP-Nonce"])})
    if answer.status_code == 200:
        assert answer.json()["token_type"] == "DPoP", answer.text
    else:
        assert answer.json()["error"] not in ("invalid_dpop_proof", "use_dpop_nonce"), answer.text
