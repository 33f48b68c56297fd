#!/usr/bin/env python3
"""An upstream OpenID provider that is not ours: the school's "own accounts" for development and tests.

CatalystWells signs people in with their school's Google Workspace or Microsoft Entra ID accounts (upstream
OpenID Connect providers). This program stands in for those providers on a developer's machine and in the
end-to-end tests. It is deliberately built on another implementation than ours: Authlib's server classes
(Flask's `AuthorizationServer`, the authorization-code grant with `CodeChallenge(required=True)` and
`OpenIDCode`), joserfc for signing, so our client side is checked against somebody else's reading of the specs.

What it serves, over HTTPS on 127.0.0.1 (a threaded werkzeug server; the certificate is issued at start from
the dev stack's CA, `--ca-cert`/`--ca-key`):

    /<realm>/.well-known/openid-configuration   discovery (issuer = https://127.0.0.1:<port>/<realm>)
    /<realm>/jwks                               the realm's public keys (RS256, each with a kid)
    /<realm>/authorize                          an HTML form: account, password, "Sign in" and "Deny"
    /<realm>/token                              the code exchange (PKCE S256 required, nonce required)
    /<realm>/userinfo                           the account's claims for a bearer access token

A realm is one issuer. Its name may contain slashes, so that Microsoft's shape works: realm `<tid>/v2.0` is
Entra-shaped (ID tokens carry `tid` and `oid`), realm `google` (or any realm configured with kind "google") is
Google-shaped (`hd`, `email_verified`); every other realm is a generic provider.

Accounts, clients and realms come from a JSON file at start (`--config`, see `load_config`) and from a control
API that answers on loopback only (`/_control/...`, see `control_*` below). The control API also queues
misbehaviours for the attack tests, each applied to the next request of its kind:

    id_token stage   wrong_iss wrong_aud wrong_nonce alg_none hs256_public_key expired iat_future other_tid
                     other_hd email_unverified rotated_key unpublished_key bad_signature
    token stage      token_error (400 invalid_grant)   token_slow (answers after `seconds`, default 15)
    authorize stage  authorize_error (redirects back with error=access_denied, or `error`/`error_description`)

Bad tokens are forged by hand (base64url and hmac), since no library signs `alg: none` or an HMAC keyed with a
public key. The token endpoint's own time is kept per code (`GET /_control/timings?code=`) and sent as the
`X-Token-Endpoint-Ms` response header, so a benchmark can subtract it from our callback's time.

    provider.py --port 9443 --ca-cert ca.pem --ca-key ca.key --state-dir DIR [--config FILE]
                [--pid-file FILE] [--ready-file FILE]
"""
import argparse
import base64
import collections
import datetime
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import os
import re
import secrets
import ssl
import sys
import threading
import time
import uuid
from pathlib import Path

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import AccessDeniedError, InvalidRequestError, OAuth2Error
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask, Response, g, jsonify, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

log = logging.getLogger("upstream-idp")

CODE_SECONDS = 600
ACCESS_TOKEN_SECONDS = 3600
ID_TOKEN_SECONDS = 600
REALM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)*$")
ENTRA_REALM = re.compile(r"^([A-Za-z0-9-]+)/v2\.0$")

STAGES = {
    "authorize": {"authorize_error"},
    "token": {"token_error", "token_slow"},
    "id_token": {"wrong_iss", "wrong_aud", "wrong_nonce", "alg_none", "hs256_public_key", "expired", "iat_future",
                 "other_tid", "other_hd", "email_unverified", "rotated_key", "unpublished_key", "bad_signature"},
}
STAGE_OF = {mode: stage for stage, modes in STAGES.items() for mode in modes}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_signing_key():
    """A fresh RSA key with a thumbprint kid (what Google and Microsoft publish: RS256, `use: sig`)."""
    return RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)


# ----------------------------------------------------------------------------- state

class Realm:
    """One issuer: its keys, accounts, queued misbehaviours and counters."""

    def __init__(self, name, kind=None, auth_methods=None):
        self.name = name
        tenant = ENTRA_REALM.match(name)
        self.kind = kind or ("entra" if tenant else "google" if name == "google" else "generic")
        self.tenant = tenant.group(1) if tenant else None
        self.auth_methods = list(auth_methods or ["client_secret_basic", "client_secret_post"])
        self.signing_key = new_signing_key()
        self.published = [self.signing_key]
        self.accounts = {}
        self.modes = collections.defaultdict(collections.deque)
        self.stats = collections.Counter()

    def issuer(self, base_url):
        return f"{base_url}/{self.name}"

    def take_mode(self, stage):
        queue = self.modes[stage]
        if not queue:
            return None
        mode = queue[0]
        mode["count"] -= 1
        if mode["count"] <= 0:
            queue.popleft()
        return dict(mode)

    def jwks(self):
        return {"keys": [dict(key.as_dict(private=False), use="sig", alg="RS256") for key in self.published]}


class Client:
    """An OAuth client registered at the provider (Authlib's ClientMixin)."""

    def __init__(self, client_id, client_secret, redirect_uris, realms=None):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris)
        self.realms = set(realms) if realms else None  # None: every realm

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope):
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(self.client_secret.encode(), (client_secret or "").encode())

    def check_endpoint_auth_method(self, method, endpoint):
        if endpoint != "token":
            return True
        realm = getattr(g, "realm", None)
        return realm is not None and method in realm.auth_methods

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code:
    """An issued authorization code (Authlib's AuthorizationCodeMixin and the OIDC extras)."""

    def __init__(self, code, realm, client_id, redirect_uri, scope, nonce, challenge, method, username):
        self.code = code
        self.realm = realm
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.nonce = nonce
        self.code_challenge = challenge
        self.code_challenge_method = method
        self.username = username
        self.auth_time = int(time.time())
        self.expires = time.time() + CODE_SECONDS

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return ["pwd"]


class State:
    """Everything the provider knows, behind one lock (the server is threaded)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.realms = {}
        self.clients = {}
        self.codes = {}
        self.used_nonces = set()
        self.tokens = {}
        self.timings = collections.OrderedDict()  # code -> token endpoint milliseconds, newest last
        self.base_url = None

    def realm(self, name, create=False, kind=None, auth_methods=None):
        with self.lock:
            found = self.realms.get(name)
            if found is None and create:
                if not REALM_NAME.match(name) or name.startswith("_") or name.split("/")[-1] in ("authorize", "token"):
                    raise ValueError(f"realm name {name!r} is not allowed")
                found = self.realms[name] = Realm(name, kind, auth_methods)
            elif found is not None:
                if kind:
                    found.kind = kind
                if auth_methods:
                    found.auth_methods = list(auth_methods)
            return found

    def add_account(self, realm_name, account):
        if not account.get("username") or not account.get("password"):
            raise ValueError("an account needs a username and a password")
        with self.lock:
            realm = self.realm(realm_name, create=True)
            entry = dict(account)
            # A stable subject per realm and username, like a real provider's account id.
            digest = hashlib.sha256(f"{realm_name}\n{entry['username']}".encode()).digest()
            entry.setdefault("sub", str(int.from_bytes(digest[:8], "big")) if realm.kind == "google" else b64url(digest[:18]))
            if realm.kind == "entra":
                entry.setdefault("oid", str(uuid.UUID(bytes=digest[:16])))
            realm.accounts[entry["username"]] = entry

    def add_client(self, entry):
        secret = entry.get("client_secret")
        if secret is None and entry.get("client_secret_file"):
            secret = Path(entry["client_secret_file"]).read_text().strip()
        if not entry.get("client_id") or not secret or not entry.get("redirect_uris"):
            raise ValueError("a client needs client_id, client_secret (or client_secret_file) and redirect_uris")
        with self.lock:
            self.clients[entry["client_id"]] = Client(entry["client_id"], secret, entry["redirect_uris"], entry.get("realms"))

    def record_timing(self, code, milliseconds):
        with self.lock:
            self.timings[code] = milliseconds
            while len(self.timings) > 10000:
                self.timings.popitem(last=False)


STATE = State()


def load_config(path):
    """The start-up file: {"realms": {name: {"kind": ..., "token_endpoint_auth_methods": [...]}},
    "clients": [{"client_id", "client_secret" or "client_secret_file", "redirect_uris", "realms"?}],
    "accounts": [{"realm", "username", "password", "email", "email_verified"?, "name", "given_name",
    "family_name", "preferred_username"?, "hd"?, "tid"?, "oid"?, "claims": {extra claims}?}]}."""
    document = json.loads(Path(path).read_text())
    for name, settings in (document.get("realms") or {}).items():
        STATE.realm(name, create=True, kind=settings.get("kind"), auth_methods=settings.get("token_endpoint_auth_methods"))
    for entry in document.get("clients") or []:
        STATE.add_client(entry)
    for entry in document.get("accounts") or []:
        entry = dict(entry)
        STATE.add_account(entry.pop("realm"), entry)


# ----------------------------------------------------------------------------- claims and forged tokens

def account_claims(realm, account, scope):
    """The claims the realm's kind says about an account (OIDC Core §5.1; Google's hd; Entra's tid and oid)."""
    scopes = set((scope or "").split())
    claims = UserInfo(sub=account["sub"])
    if "email" in scopes and account.get("email"):
        claims["email"] = account["email"]
        if realm.kind != "entra" or "email_verified" in account:
            claims["email_verified"] = bool(account.get("email_verified", True))
    if "profile" in scopes:
        for name in ("name", "given_name", "family_name"):
            if account.get(name):
                claims[name] = account[name]
        claims["preferred_username"] = account.get("preferred_username") or account.get("email") or account["username"]
    if realm.kind == "google":
        domain = account.get("hd")
        if domain is None and account.get("email", "").count("@") == 1:
            domain = account["email"].split("@")[1]
        if domain and domain != "gmail.com":
            claims["hd"] = domain
    if realm.kind == "entra":
        claims["tid"] = account.get("tid") or realm.tenant
        claims["oid"] = account["oid"]
        claims["ver"] = "2.0"
    claims.update(account.get("claims") or {})
    return claims


def sign_rs256(key, claims):
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": key.kid}, claims, key)


def forge(header, claims, sign):
    """A compact JWS with any header; `sign(signing_input) -> bytes`."""
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")).encode())
    return signing_input + "." + b64url(sign(signing_input.encode("ascii")))


def misbehave(realm, claims, mode):
    """The ID token for `claims`, spoiled as `mode` says (None: an honest RS256 token)."""
    name = mode["mode"] if mode else None
    now = int(time.time())
    if name == "wrong_iss":
        claims["iss"] = claims["iss"] + "-elsewhere"
    elif name == "wrong_aud":
        claims["aud"] = "another-application"
        claims.pop("azp", None)
    elif name == "wrong_nonce":
        claims["nonce"] = secrets.token_urlsafe(16)
    elif name == "expired":
        claims.update(iat=now - 3600, auth_time=now - 3600, exp=now - 600)
    elif name == "iat_future":
        claims.update(iat=now + 3600, auth_time=now + 3600, exp=now + 7200)
    elif name == "other_tid":
        claims["tid"] = mode.get("tid") or str(uuid.uuid4())
    elif name == "other_hd":
        claims["hd"] = mode.get("hd") or "elsewhere.example.net"
    elif name == "email_unverified":
        claims["email_verified"] = False
    elif name == "rotated_key":
        # A new key, published next to the old one, signs from now on (a provider's routine rotation).
        with STATE.lock:
            realm.signing_key = new_signing_key()
            realm.published.append(realm.signing_key)
    elif name == "alg_none":
        return forge({"alg": "none", "typ": "JWT"}, claims, lambda _: b"")
    elif name == "hs256_public_key":
        # The classic key-confusion attack: the public key's PEM bytes as an HMAC secret.
        secret = realm.signing_key.as_pem(private=False)
        return forge({"alg": "HS256", "typ": "JWT", "kid": realm.signing_key.kid}, claims,
                     lambda data: hmac.new(secret, data, hashlib.sha256).digest())
    elif name == "unpublished_key":
        return sign_rs256(new_signing_key(), claims)
    elif name == "bad_signature":
        head, payload, signature = sign_rs256(realm.signing_key, claims).split(".")
        raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
        raw[len(raw) // 2] ^= 0x55
        return f"{head}.{payload}.{b64url(bytes(raw))}"
    return sign_rs256(realm.signing_key, claims)


class RealmOpenIDCode(OpenIDCode):
    """OpenIDCode for the realm of the request (`g.realm`): its issuer, its key, its kind's claims."""

    def exists_nonce(self, nonce, request):
        with STATE.lock:
            return (request.payload.client_id, nonce) in STATE.used_nonces

    def resolve_client_private_key(self, client):
        return g.realm.signing_key

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": g.realm.signing_key.kid}

    def get_client_claims(self, client):
        now = int(time.time())
        return {"iss": g.realm.issuer(STATE.base_url), "aud": client.get_client_id(), "iat": now, "exp": now + ID_TOKEN_SECONDS}

    def generate_user_info(self, user, scope):
        return account_claims(g.realm, user, scope)

    def encode_id_token(self, token, request):
        claims = self.get_compatible_claims(request)
        if request.authorization_code:
            claims.update(self.get_authorization_code_claims(request.authorization_code))
        claims["at_hash"] = create_half_hash(token["access_token"], "RS256").decode()
        claims.update(self.generate_user_info(request.user, token["scope"]))
        return misbehave(g.realm, dict(claims), g.realm.take_mode("id_token"))


class S256Only(CodeChallenge):
    """PKCE is required of every client here, confidential ones too, and only S256 (RFC 7636 §4.2; RFC 9700
    §2.1.1): a client that leaves it out is told so instead of being let through."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        with STATE.lock:
            STATE.codes[code] = Code(code, g.realm.name, request.client.get_client_id(), request.payload.redirect_uri,
                                     request.payload.scope, data.get("nonce"), data.get("code_challenge"),
                                     data.get("code_challenge_method"), request.user["username"])
            if data.get("nonce"):
                STATE.used_nonces.add((request.client.get_client_id(), data.get("nonce")))

    def query_authorization_code(self, code, client):
        with STATE.lock:
            found = STATE.codes.get(code)
        if found and found.client_id == client.get_client_id() and found.realm == g.realm.name and found.expires > time.time():
            return found
        return None

    def delete_authorization_code(self, authorization_code):
        with STATE.lock:
            STATE.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return g.realm.accounts.get(authorization_code.username)


def save_token(token, request):
    with STATE.lock:
        STATE.tokens[token["access_token"]] = (g.realm.name, request.user["username"], token.get("scope"),
                                               time.time() + ACCESS_TOKEN_SECONDS)


def query_client(client_id):
    with STATE.lock:
        client = STATE.clients.get(client_id)
    realm = getattr(g, "realm", None)
    if client and client.realms is not None and (realm is None or realm.name not in client.realms):
        return None
    return client


# ----------------------------------------------------------------------------- the web application

app = Flask(__name__)
app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": ACCESS_TOKEN_SECONDS}
server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
server.register_grant(CodeGrant, [S256Only(required=True), RealmOpenIDCode(require_nonce=True)])


def realm_or_404(name):
    realm = STATE.realm(name)
    if realm is None:
        return None
    g.realm = realm
    return realm


def page(title, body, status=200):
    document = (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html.escape(title) + "</title>"
        "<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}label{display:block;margin:.8rem 0}"
        "input{display:block;width:100%;padding:.4rem}button{margin:.8rem .5rem 0 0;padding:.4rem 1rem}"
        ".error{color:#a00}</style></head><body><main>" + body + "</main></body></html>")
    return Response(document, status=status, content_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def not_found():
    return page("Not found", "<h1>No such realm</h1>", 404)


@app.get("/<path:realm_name>/.well-known/openid-configuration")
def discovery(realm_name):
    realm = realm_or_404(realm_name)
    if realm is None:
        return not_found()
    realm.stats["discovery"] += 1
    issuer = realm.issuer(STATE.base_url)
    return jsonify({
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise" if realm.kind == "entra" else "public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": realm.auth_methods,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified",
                             "name", "given_name", "family_name", "preferred_username"]
        + {"google": ["hd"], "entra": ["tid", "oid"]}.get(realm.kind, []),
    })


@app.get("/<path:realm_name>/jwks")
def jwks(realm_name):
    realm = realm_or_404(realm_name)
    if realm is None:
        return not_found()
    with STATE.lock:
        realm.stats["jwks"] += 1
        return jsonify(realm.jwks())


def sign_in_form(realm, hint="", problem=None, status=200):
    action = html.escape(request.full_path if request.query_string else request.path)
    error = f'<p class="error" role="alert">{html.escape(problem)}</p>' if problem else ""
    return page(f"Sign in to {realm.name}", f"""<h1>Sign in to {html.escape(realm.name)}</h1>
<p>An upstream test provider (not CatalystWells).</p>{error}
<form id="upstream-signin" method="post" action="{action}">
<label>Account <input name="username" autocomplete="username" value="{html.escape(hint)}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit" name="action" value="sign-in" id="sign-in">Sign in</button>
<button type="submit" name="action" value="deny" id="deny" formnovalidate>Deny</button>
</form>""", status)


@app.route("/<path:realm_name>/authorize", methods=["GET", "POST"])
def authorize(realm_name):
    realm = realm_or_404(realm_name)
    if realm is None:
        return not_found()
    realm.stats["authorize"] += 1
    try:
        grant = server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        if error.redirect_uri:
            return server.handle_error_response(None, error)
        return page("Bad request", f'<h1>This request cannot be answered</h1><p class="error">'
                                   f"{html.escape(error.error)}: {html.escape(error.description or '')}</p>", 400)
    if request.method == "GET":
        mode = realm.take_mode("authorize")
        if mode:
            refusal = AccessDeniedError(description=mode.get("error_description", "The provider refused this sign-in."),
                                        redirect_uri=grant.redirect_uri, state=grant.request.payload.state)
            refusal.error = mode.get("error", "access_denied")
            return server.handle_error_response(grant.request, refusal)
        return sign_in_form(realm, request.args.get("login_hint", ""))
    if request.form.get("action") == "deny":
        refusal = AccessDeniedError(description="The account holder chose Deny.", redirect_uri=grant.redirect_uri,
                                    state=grant.request.payload.state)
        return server.handle_error_response(grant.request, refusal)
    username = request.form.get("username", "").strip()
    with STATE.lock:
        account = realm.accounts.get(username)
    if account is None or not hmac.compare_digest(account["password"].encode(), request.form.get("password", "").encode()):
        return sign_in_form(realm, username, "That account and password do not match.", 401)
    return server.create_authorization_response(grant=grant, grant_user=account)


@app.post("/<path:realm_name>/token")
def token(realm_name):
    started = time.perf_counter()
    realm = realm_or_404(realm_name)
    if realm is None:
        return not_found()
    realm.stats["token"] += 1
    mode = realm.take_mode("token")
    if mode and mode["mode"] == "token_slow":
        time.sleep(float(mode.get("seconds", 15)))
    if mode and mode["mode"] == "token_error":
        response = jsonify({"error": "invalid_grant", "error_description": "The code was refused (test mode token_error)."})
        response.status_code = 400
    else:
        response = server.create_token_response()
    milliseconds = (time.perf_counter() - started) * 1000
    if request.form.get("code"):
        STATE.record_timing(request.form["code"], milliseconds)
    response.headers["X-Token-Endpoint-Ms"] = f"{milliseconds:.3f}"
    return response


@app.route("/<path:realm_name>/userinfo", methods=["GET", "POST"])
def userinfo(realm_name):
    realm = realm_or_404(realm_name)
    if realm is None:
        return not_found()
    header = request.headers.get("Authorization", "")
    with STATE.lock:
        found = STATE.tokens.get(header[7:]) if header.startswith("Bearer ") else None
    if not found or found[0] != realm.name or found[3] < time.time():
        return Response("", 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    account = realm.accounts.get(found[1])
    return jsonify(account_claims(realm, account, found[2]))


# ----------------------------------------------------------------------------- the control API (loopback only)

@app.before_request
def loopback_control_only():
    if request.path.startswith("/_control/"):
        try:
            loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return jsonify({"error": "the control API answers on loopback only"}), 403
    return None


def control_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValueError("send a JSON object")
    return body


@app.errorhandler(ValueError)
def bad_control_request(error):
    return jsonify({"error": str(error)}), 400


@app.get("/_control/health")
def control_health():
    return jsonify({"ok": True, "base_url": STATE.base_url, "realms": sorted(STATE.realms)})


@app.post("/_control/realms")
def control_realms():
    """{"name": realm, "kind": "generic"|"google"|"entra"?, "token_endpoint_auth_methods": [...]?}"""
    body = control_body()
    realm = STATE.realm(body["name"], create=True, kind=body.get("kind"), auth_methods=body.get("token_endpoint_auth_methods"))
    return jsonify({"issuer": realm.issuer(STATE.base_url), "kind": realm.kind})


@app.post("/_control/accounts")
def control_accounts():
    """{"realm": r, "accounts": [account, ...]} or {"realm": r, ...one account}; adds or replaces by username."""
    body = control_body()
    realm = body.pop("realm")
    accounts = body.pop("accounts", None) or [body]
    for account in accounts:
        STATE.add_account(realm, account)
    found = STATE.realm(realm)
    return jsonify({"realm": realm, "accounts": {a["username"]: {"sub": a["sub"], "oid": a.get("oid")}
                                                 for a in found.accounts.values()}})


@app.post("/_control/clients")
def control_clients():
    """{"client_id", "client_secret" or "client_secret_file", "redirect_uris": [...], "realms": [...]?}"""
    STATE.add_client(control_body())
    return jsonify({"ok": True})


@app.post("/_control/mode")
def control_mode():
    """{"realm": r, "mode": name, "count": 1, ...parameters}: queued for the next `count` requests of its stage."""
    body = control_body()
    realm = STATE.realm(body.get("realm", ""))
    if realm is None:
        raise ValueError(f"no realm {body.get('realm')!r}")
    mode = body.get("mode")
    if mode not in STAGE_OF:
        raise ValueError(f"unknown mode {mode!r}; known: {', '.join(sorted(STAGE_OF))}")
    entry = dict(body, count=int(body.get("count", 1)))
    entry.pop("realm")
    with STATE.lock:
        realm.modes[STAGE_OF[mode]].append(entry)
    return jsonify({"queued": mode, "stage": STAGE_OF[mode]})


@app.post("/_control/reset")
def control_reset():
    """{"realm": r?}: forgets queued misbehaviours and counters (of one realm, or of all)."""
    body = request.get_json(silent=True) or {}
    with STATE.lock:
        for name, realm in STATE.realms.items():
            if body.get("realm") in (None, name):
                realm.modes.clear()
                realm.stats.clear()
    return jsonify({"ok": True})


@app.get("/_control/stats")
def control_stats():
    realm = STATE.realm(request.args.get("realm", ""))
    if realm is None:
        raise ValueError("no such realm")
    with STATE.lock:
        return jsonify({"counts": dict(realm.stats), "published_kids": [k.kid for k in realm.published],
                        "signing_kid": realm.signing_key.kid,
                        "queued": {stage: [m["mode"] for m in queue] for stage, queue in realm.modes.items() if queue}})


@app.get("/_control/timings")
def control_timings():
    """{"token_endpoint_ms": x} for `?code=`, or the last `?last=N` timings."""
    with STATE.lock:
        if request.args.get("code"):
            found = STATE.timings.get(request.args["code"])
            return (jsonify({"token_endpoint_ms": found}), 200) if found is not None else (jsonify({"error": "unknown code"}), 404)
        last = int(request.args.get("last", "100"))
        return jsonify({"token_endpoint_ms": list(STATE.timings.values())[-last:]})


# ----------------------------------------------------------------------------- TLS and start-up

def issue_certificate(ca_cert_path, ca_key_path, folder):
    """A leaf for 127.0.0.1 and localhost from the dev CA. The CA is name-constrained to localhost and 127/8 and
    OpenSSL checks a host-like CN against the DNS constraint too, so the CN is a localhost name."""
    ca_cert = x509.load_pem_x509_certificate(Path(ca_cert_path).read_bytes())
    ca_key = serialization.load_pem_private_key(Path(ca_key_path).read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "upstream-idp.localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "tls.pem", folder / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert_path, key_path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9443, help="TLS port; 0 picks a free one (default 9443)")
    parser.add_argument("--ca-cert", required=True, help="the dev CA's certificate (PEM)")
    parser.add_argument("--ca-key", required=True, help="the dev CA's private key (PEM)")
    parser.add_argument("--state-dir", required=True, help="folder for the issued TLS certificate and key")
    parser.add_argument("--config", help="JSON file with realms, clients and accounts (see load_config)")
    parser.add_argument("--pid-file", help="write the process id here")
    parser.add_argument("--ready-file", help="write the base URL here once listening")
    arguments = parser.parse_args()
    if not ipaddress.ip_address(arguments.host).is_loopback:
        parser.error("--host must be a loopback address: this provider is for development and tests only")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    cert, key = issue_certificate(arguments.ca_cert, arguments.ca_key, Path(arguments.state_dir))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    httpd = make_server(arguments.host, arguments.port, app, threaded=True, ssl_context=context)
    STATE.base_url = f"https://{arguments.host}:{httpd.server_port}"
    if arguments.config:
        load_config(arguments.config)
    if arguments.pid_file:
        Path(arguments.pid_file).write_text(f"{os.getpid()}\n")
    if arguments.ready_file:
        Path(arguments.ready_file).write_text(STATE.base_url + "\n")
    log.info("listening on %s (realms: %s)", STATE.base_url, ", ".join(sorted(STATE.realms)) or "none yet")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
