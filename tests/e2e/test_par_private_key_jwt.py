"""Pushed authorization requests (RFC 9126) and private_key_jwt client authentication (RFC 7523, OIDC Core §9),
through nginx.

Clients are registered with `catalystwells client create --jwks-file` / `--jwks-uri` (one must also use PAR,
`--require-par`), and once through the developer portal's app form, review and sync. Tokens come from Authlib's
`OAuth2Session` with its `PrivateKeyJWT` method; single assertions (replays, wrong audience, wrong key, long exp) are
signed with Authlib's `private_key_jwt_sign`. A `jwks_uri` is served by a small HTTPS server on 127.0.0.1 with a leaf
of the dev CA. The authorization step of the PAR round trip is taken with `requests` the way test_dpop.py does (sign
in, consent form, 303 with the code).

Demo users this module owns: student58.
"""
import configparser
import html
import http.server
import json
import ssl
import threading
import os
import re
import secrets
import subprocess
import time
from pathlib import Path

import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.jwk import ECKey, RSAKey

from oauth_client import REDIRECT_URI, query
from portal import APP, csrf_of, declarations, multipart, sign_up_verified
from test_review_and_sync import admin, decide, sync  # noqa: F401 - the signed-in platform admin fixture
from test_webhook_delivery import issue_receiver_certificate
from two_step import pass_code_step

REPO = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def binary():
    return os.environ.get("CW_BIN") or str(REPO / ".build" / os.environ.get("CW_BUILD_CONFIG", "release") / "catalystwells")


def register(stack, tmp_path_factory, key, *extra, jwks_uri=None):
    client_id = "pkjwt-" + secrets.token_hex(6)
    if jwks_uri:
        keys = ["--jwks-uri", jwks_uri]
    else:
        jwks = tmp_path_factory.mktemp("jwks") / "jwks.json"
        jwks.write_text(json.dumps({"keys": [key.as_dict(private=False, kid="k1", use="sig")]}))
        keys = ["--jwks-file", str(jwks)]
    done = subprocess.run(
        [binary(), "client", "create", "--config", str(stack.dir / "catalystwells.conf"), "--name", "Key App",
         "--client-id", client_id, "--redirect-uri", REDIRECT_URI, "--scope", "openid profile.read school.read",
         *keys, *extra], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "no secret" in done.stdout and "client_secret:" not in done.stdout, done.stdout
    return client_id


@pytest.fixture(scope="module")
def rsa_key():
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture(scope="module")
def key_client(stack, tmp_path_factory, rsa_key):
    return register(stack, tmp_path_factory, rsa_key)


@pytest.fixture(scope="module")
def par_client(stack, tmp_path_factory, rsa_key):
    return register(stack, tmp_path_factory, rsa_key, "--require-par")


def assertion(key, client_id, audience, lifetime=60, kid="k1", **claims):
    claims.setdefault("exp", int(time.time()) + lifetime)
    return private_key_jwt_sign(key, client_id=client_id, token_endpoint=audience, claims=claims, header={"kid": kid})


def assertion_fields(key, client_id, audience, **claims):
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion(key, client_id, audience, **claims)}


class KeyServer:
    """The client's jwks_uri: an HTTPS server on 127.0.0.1 (a leaf of the dev CA) serving `keys`, counting GETs."""

    def __init__(self, cert, key):
        self.keys, self.fetches = [], 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                owner.fetches += 1
                body = json.dumps({"keys": owner.keys}).encode()
                self.send_response(200 if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/jwks.json"


@pytest.fixture(scope="module")
def key_server(stack, tmp_path_factory):
    cert, key = issue_receiver_certificate(stack, tmp_path_factory.mktemp("jwks-server"))
    server = KeyServer(cert, key)
    yield server
    server.server.shutdown()
    server.server.server_close()


def session_for(stack, client_id, key, token_url, **kwargs):
    """Authlib's own private_key_jwt: a fresh, short assertion per request (claims are copied per call)."""
    class ShortPrivateKeyJWT(PrivateKeyJWT):
        def sign(self, auth, token_endpoint):
            return private_key_jwt_sign(auth.client_secret, client_id=auth.client_id, token_endpoint=token_endpoint,
                                        claims={"exp": int(time.time()) + 60}, header={"kid": "k1"}, alg=self.alg)

    session = OAuth2Session(client_id, key, token_endpoint_auth_method="private_key_jwt",
                            revocation_endpoint_auth_method="private_key_jwt", **kwargs)
    session.register_client_auth_method(ShortPrivateKeyJWT(token_url))
    session.trust_env = False
    session.verify = stack.ca_file
    return session


def assert_error(response, status, error):
    assert response.status_code == status, f"{response.status_code} {response.text[:300]}"
    assert response.json()["error"] == error, response.text
    return response


def pushed_rows(stack):
    config = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#",))
    config.read(stack.dir / "catalystwells.conf")
    database = config.get("database", "main_database", fallback="catalyst_main")
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B", database],
        input="SELECT COUNT(*) FROM oauth_pushed_requests", capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[0])


def test_discovery_offers_par_and_private_key_jwt(oauth):
    assert oauth["pushed_authorization_request_endpoint"].endswith("/api/oauth/par")
    assert oauth["require_pushed_authorization_requests"] is False
    assert "private_key_jwt" in oauth["token_endpoint_auth_methods_supported"]
    assert "private_key_jwt" in oauth["introspection_endpoint_auth_methods_supported"]
    assert oauth["token_endpoint_auth_signing_alg_values_supported"] == ["RS256", "PS256", "ES256"]


def test_authlib_authenticates_with_its_key_at_token_introspection_and_revocation(stack, oauth, key_client, rsa_key):
    token_url = oauth["token_endpoint"]
    session = session_for(stack, key_client, rsa_key, token_url, scope="school.read")
    token = session.fetch_token(token_url, grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["access_token"], token
    info = session.introspect_token(oauth["introspection_endpoint"], token=token["access_token"]).json()
    assert info["active"] is True and info["client_id"] == key_client, info
    revoked = session.revoke_token(oauth["revocation_endpoint"], token=token["access_token"])
    assert revoked.status_code == 200, revoked.text
    info = session.introspect_token(oauth["introspection_endpoint"], token=token["access_token"]).json()
    assert info == {"active": False}, info


def test_keys_come_from_the_jwks_uri_and_a_new_kid_fetches_them_again(stack, tmp_path_factory, oauth, key_server):
    first, second = RSAKey.generate_key(2048), ECKey.generate_key("P-256")
    key_server.keys = [first.as_dict(private=False, kid="k1", use="sig")]
    client_id = register(stack, tmp_path_factory, first, jwks_uri=key_server.url)
    token_url = oauth["token_endpoint"]
    grant = {"grant_type": "client_credentials", "scope": "school.read"}
    with stack.session() as http:
        def post(key, kid, alg="RS256"):
            signed = private_key_jwt_sign(key, client_id=client_id, token_endpoint=token_url, alg=alg,
                                          claims={"exp": int(time.time()) + 60}, header={"kid": kid})
            return http.post(token_url, data=dict(grant, client_assertion_type=ASSERTION_TYPE, client_assertion=signed),
                             timeout=10)

        for _ in range(3):
            assert post(first, "k1").status_code == 200
        assert 1 <= key_server.fetches <= 3
        # The client rotates: an assertion naming the new kid makes the server fetch the set again.
        key_server.keys = [second.as_dict(private=False, kid="k2", use="sig")]
        answer = post(second, "k2", alg="ES256")
        assert answer.status_code == 200, answer.text
        # An unknown kid is refused; the old key is gone from the set the server now holds.
        assert_error(post(first, "k9"), 401, "invalid_client")


def test_bad_assertions_are_invalid_client(stack, oauth, key_client, rsa_key):
    token_url = oauth["token_endpoint"]
    grant = {"grant_type": "client_credentials", "scope": "school.read"}
    with stack.session() as http:
        def post(fields):
            return http.post(token_url, data=dict(grant, **fields), timeout=10)

        once = assertion_fields(rsa_key, key_client, token_url)
        assert post(once).status_code == 200
        # The same jti again (RFC 7523 §3 item 7).
        assert_error(post(once), 401, "invalid_client")
        # Another audience, a key the client never registered, Authlib's default hour-long exp, alg none.
        assert_error(post(assertion_fields(rsa_key, key_client, "https://elsewhere.example/token")), 401, "invalid_client")
        stranger = RSAKey.generate_key(2048)
        assert_error(post(assertion_fields(stranger, key_client, token_url)), 401, "invalid_client")
        assert_error(post(assertion_fields(rsa_key, key_client, token_url, lifetime=3600)), 401, "invalid_client")
        ec = ECKey.generate_key("P-256")
        signed_by_ec = private_key_jwt_sign(ec, client_id=key_client, token_endpoint=token_url, alg="ES256",
                                            claims={"exp": int(time.time()) + 60}, header={"kid": "k1"})
        assert_error(post({"client_assertion_type": ASSERTION_TYPE, "client_assertion": signed_by_ec}), 401, "invalid_client")
        # The issuer is an accepted audience too.
        assert post(assertion_fields(rsa_key, key_client, oauth["issuer"])).status_code == 200
        # A secret does not authenticate a client registered for keys; two methods at once are invalid_request.
        assert_error(post({"client_id": key_client, "client_secret": "cw_cs_guess"}), 401, "invalid_client")
        both = dict(assertion_fields(rsa_key, key_client, token_url), client_secret="cw_cs_guess")
        assert_error(post(both), 400, "invalid_request")


def signed_in(stack, demo, username):
    who = next(p for p in demo["students"] if p["username"] == username)
    http = stack.session()
    token = CSRF_FIELD.search(http.get(stack.url("app", "/login"), timeout=10).text).group(1)
    response = http.post(stack.url("app", "/login"), allow_redirects=False, timeout=10,
                         data={"csrf": token, "identifier": who["username"], "password": who["password"]})
    response = pass_code_step(stack, http, response, who["username"])
    assert response.status_code == 303, f"sign-in as {username}: {response.status_code}"
    return http


def push(stack, oauth, client_id, key, changes=None):
    verifier = secrets.token_urlsafe(48)
    body = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "scope": "openid profile.read",
            "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
            "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
    body.update(changes or {})
    body.update(assertion_fields(key, client_id, oauth["token_endpoint"]))
    with stack.session() as http:
        response = http.post(oauth["pushed_authorization_request_endpoint"], data=body, timeout=10)
    return response, verifier, body


def authorize(http, stack, client_id, request_uri):
    url = stack.url("app", "/authsso")
    response = http.get(url, params={"client_id": client_id, "request_uri": request_uri}, allow_redirects=False, timeout=10)
    if response.status_code == 200 and 'id="consent-form"' in response.text:
        form = response.text.split('id="consent-form"', 1)[1].split("</form>", 1)[0]
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        # The consent form carries the reference, not the request (RFC 9126 §4).
        assert "request_uri" in fields and "redirect_uri" not in fields, fields
        response = http.post(url, data=dict(fields, decision="approve"), allow_redirects=False, timeout=10)
    return response


def test_a_pushed_request_is_used_once_by_its_own_client(stack, demo, oauth, key_client, par_client, rsa_key):
    pushed, verifier, body = push(stack, oauth, par_client, rsa_key)
    assert pushed.status_code == 201, pushed.text
    answer = pushed.json()
    assert answer["expires_in"] == 60 and answer["request_uri"].startswith("urn:ietf:params:oauth:request_uri:"), answer
    assert pushed.headers["Cache-Control"] == "no-store"

    http = signed_in(stack, demo, "student58")
    # Another client presenting the reference: a page, and the request stays usable by its own client (RFC 9126 §7.3).
    stolen = http.get(stack.url("app", "/authsso"), params={"client_id": key_client, "request_uri": answer["request_uri"]},
                      allow_redirects=False, timeout=10)
    assert stolen.status_code == 400 and "expired or was already used" in stolen.text, stolen.status_code
    # The client that must use PAR is refused a plain request.
    plain = http.get(stack.url("app", "/authsso"), allow_redirects=False, timeout=10,
                     params={k: v for k, v in body.items() if not k.startswith("client_assertion")})
    assert plain.status_code == 400 and "pushed authorization request" in plain.text, plain.status_code

    done = authorize(http, stack, par_client, answer["request_uri"])
    assert done.status_code == 303, done.text[:300]
    callback = done.headers["Location"]
    params = query(callback)
    assert params["state"] == [body["state"]] and params["iss"] == [oauth["issuer"]], params

    token_url = oauth["token_endpoint"]
    session = session_for(stack, par_client, rsa_key, token_url, redirect_uri=REDIRECT_URI, state=body["state"])
    token = session.fetch_token(token_url, authorization_response=callback, code_verifier=verifier)
    assert token["access_token"] and token["id_token"], token

    # Used twice: the page, no second code.
    again = authorize(http, stack, par_client, answer["request_uri"])
    assert again.status_code == 400 and "expired or was already used" in again.text, again.status_code
    # A made-up reference is the same page.
    made_up = authorize(http, stack, par_client, "urn:ietf:params:oauth:request_uri:" + secrets.token_urlsafe(32))
    assert made_up.status_code == 400


def test_a_pushed_request_survives_the_sign_in_detour(stack, demo, oauth, key_client, rsa_key):
    pushed, _, body = push(stack, oauth, key_client, rsa_key)
    assert pushed.status_code == 201, pushed.text
    request_uri = pushed.json()["request_uri"]
    who = next(p for p in demo["students"] if p["username"] == "student58")
    with stack.session() as http:
        start = http.get(stack.url("app", "/authsso"), params={"client_id": key_client, "request_uri": request_uri},
                         allow_redirects=False, timeout=10)
        assert start.status_code == 303 and start.headers["Location"].startswith("/login?"), start.status_code
        login = http.get(stack.url("app", start.headers["Location"]), timeout=10)
        back = http.post(stack.url("app", "/login"), allow_redirects=False, timeout=10, data={
            "csrf": CSRF_FIELD.search(login.text).group(1), "identifier": who["username"], "password": who["password"],
            "next": query(start.headers["Location"])["next"][0]})
        back = pass_code_step(stack, http, back, who["username"])
        assert back.status_code == 303 and back.headers["Location"].startswith("/authsso?"), back.headers.get("Location")
        # The way back carries only the reference and the client, never the request's parameters.
        assert "redirect_uri" not in back.headers["Location"] and "request_uri" in back.headers["Location"]
        done = http.get(stack.url("app", back.headers["Location"]), allow_redirects=False, timeout=10)
        if done.status_code == 200 and 'id="consent-form"' in done.text:
            form = done.text.split('id="consent-form"', 1)[1].split("</form>", 1)[0]
            fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
            done = http.post(stack.url("app", "/authsso"), data=dict(fields, decision="approve"), allow_redirects=False,
                             timeout=10)
        assert done.status_code == 303 and query(done.headers["Location"])["state"] == [body["state"]], done.text[:300]


def test_a_bad_push_is_refused_and_stores_nothing(stack, oauth, key_client, rsa_key):
    before = pushed_rows(stack)
    cases = [
        ({"redirect_uri": "https://evil.example/cb"}, 400, "invalid_request"),
        ({"code_challenge_method": "plain"}, 400, "invalid_request"),
        ({"scope": "openid root.everything"}, 400, "invalid_scope"),
        ({"request_uri": "urn:ietf:params:oauth:request_uri:abc"}, 400, "invalid_request"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
    ]
    for changes, status, error in cases:
        response, _, _ = push(stack, oauth, key_client, rsa_key, changes)
        assert_error(response, status, error)
    with stack.session() as http:
        anonymous = http.post(oauth["pushed_authorization_request_endpoint"], timeout=10,
                              data={"response_type": "code", "client_id": key_client, "redirect_uri": REDIRECT_URI})
        assert_error(anonymous, 401, "invalid_client")
    assert pushed_rows(stack) == before


def test_a_developer_registers_keys_on_the_app_form_and_sync_carries_them(stack, mail_dir, admin, oauth, rsa_key):
    developer, _ = sign_up_verified(stack, mail_dir, "pkjwt")
    scopes = ["openid", "profile.read"]

    def save(headers=None, **auth):
        page = developer.get(stack.url("developers", "/apps/new"))
        return developer.post(stack.url("developers", "/apps"), allow_redirects=False, headers=headers, files=multipart(
            {**APP, **declarations(scopes), "csrf": csrf_of(page.text), "client_type": "confidential",
             "redirect_uris": REDIRECT_URI, "scopes": scopes, **auth}))

    # Clear HTML errors: a private key pasted, no keys at all, a plain-http jwks_uri.
    private = json.dumps({"keys": [rsa_key.as_dict(private=True)]})
    refused = save(token_endpoint_auth_method="private_key_jwt", jwks=private)
    assert refused.status_code == 422 and "private or symmetric key" in refused.text, refused.status_code
    assert 'id="jwks-error"' in refused.text
    refused = save(token_endpoint_auth_method="private_key_jwt")
    assert refused.status_code == 422 and "needs a JWK Set or a jwks_uri" in refused.text
    refused = save(token_endpoint_auth_method="private_key_jwt", jwks_uri="http://keys.example/jwks.json")
    assert refused.status_code == 422 and 'id="jwks_uri-error"' in refused.text
    # The key set's problem is in the page's language; its JOSE names stay as written.
    refused = save(headers={"Accept-Language": "es"}, token_endpoint_auth_method="private_key_jwt", jwks=private)
    assert refused.status_code == 422 and '<html lang="es"' in refused.text
    assert "contiene una clave privada o simétrica; publica solo claves públicas." in refused.text

    public_set = json.dumps({"keys": [rsa_key.as_dict(private=False, kid="k1", use="sig")]})
    created = save(token_endpoint_auth_method="private_key_jwt", jwks=public_set, require_par="1")
    assert created.status_code == 303, created.text[:300]
    path = created.headers["Location"].split("?")[0]
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    submitted = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                               allow_redirects=False)
    assert submitted.status_code == 303, submitted.text[:300]
    # The reviewer sees the keys the app will sign with.
    review = admin.get(stack.url("app", f"/platform/apps/{path.rsplit('/', 1)[1]}"), timeout=10).text
    assert "private_key_jwt</code>, 1 registered key (kid: k1)" in review and "required" in review
    approved = decide(stack, admin, int(path.rsplit("/", 1)[1]), "approve", scopes=scopes)
    assert approved.status_code == 303, approved.text[:300]
    assert sync(stack)["status"] == "ok"
    credentials = developer.get(stack.url("developers", path + "/credentials")).text
    client_id = re.search(r'id="client-id">([^<]+)<', credentials).group(1)
    assert "private_key_jwt" in credentials and 'id="par-requirement">required' in credentials

    # The synced client pushes with its key; a plain authorization request is refused (PAR required).
    pushed, _, body = push(stack, oauth, client_id, rsa_key)
    assert pushed.status_code == 201, pushed.text
    with stack.session() as http:
        plain = http.get(stack.url("app", "/authsso"), allow_redirects=False, timeout=10,
                         params={k: v for k, v in body.items() if not k.startswith("client_assertion")})
        assert plain.status_code == 400

