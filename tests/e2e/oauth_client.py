"""The client side of the OAuth 2.0 / OpenID Connect tests: what a third-party app does, with real libraries.

- `DemoClient`: the demo clients `demo load` registers, read from demo.json's `oauth_clients` section (the ids
  below are only the fallback for a demo.json written before that section existed).
- `Provider`: the authorization server as a client discovers it (`/.well-known/openid-configuration`), Authlib
  `OAuth2Session`s configured for a demo client (PKCE S256, the dev CA, no proxy or CA variables from the
  environment), and ID token verification with joserfc against the published JWKS.
- `Flow`: one authorization request (PKCE verifier, nonce, state) and the browser steps a user takes through
  it: sign in when asked, answer the consent page, and the redirect back to the client.

Nothing listens on the demo redirect URI (`http://127.0.0.1:8765/callback`). The client's answer is the
`Location` of the server's last redirect, read from Chromium's performance log (`Browser.redirects`): that is
exactly what the server sent (status and URL), before Chromium fails to reach the loopback port and shows its
error page.
"""
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet
from selenium.common.exceptions import WebDriverException

REDIRECT_URI = "http://127.0.0.1:8765/callback"
# Used only when demo.json has no `oauth_clients` section (a stack seeded before the demo clients existed).
FALLBACK_CLIENTS = {
    "confidential": {"client_id": "demo-confidential", "client_secret": "cw_cs_demo-confidential-secret-not-for-production",
                     "redirect_uri": REDIRECT_URI},
    "public": {"client_id": "demo-public", "redirect_uri": REDIRECT_URI},
}
FULL_SCOPE = "openid profile.read offline_access student.grades.read"


@dataclass(frozen=True)
class DemoClient:
    client_id: str
    client_secret: str | None
    redirect_uri: str

    @property
    def auth_method(self):
        return "client_secret_basic" if self.client_secret else "none"

    @property
    def basic(self):
        """requests' `auth=` for client_secret_basic."""
        return (self.client_id, self.client_secret)


def demo_client(demo, kind):
    """`kind` is "confidential" or "public"."""
    entry = (demo.get("oauth_clients") or FALLBACK_CLIENTS)[kind]
    return DemoClient(entry["client_id"], entry.get("client_secret"), entry.get("redirect_uri", REDIRECT_URI))


def query(url):
    """The query of a URL as {name: [values]}, blank values kept."""
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def single_query(url):
    """The query of a URL as {name: value}; fails when a name appears twice."""
    values = query(url)
    repeated = [name for name, found in values.items() if len(found) != 1]
    assert not repeated, f"{repeated} repeated in {url}"
    return {name: found[0] for name, found in values.items()}


def same_endpoint(url, redirect_uri):
    """Whether `url` is `redirect_uri` with a query added (scheme, host, port and path equal)."""
    a, b = urlsplit(url), urlsplit(redirect_uri)
    return (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path)


class Provider:
    """The authorization server, found through discovery like a client library would."""

    def __init__(self, stack):
        self.stack = stack
        with stack.session() as http:
            response = http.get(stack.url("app", "/.well-known/openid-configuration"), timeout=10)
        assert response.status_code == 200, f"discovery answered {response.status_code}: {response.text[:300]}"
        self.metadata = response.json()
        self.issuer = self.metadata["issuer"]

    def __getitem__(self, name):
        return self.metadata[name]

    def session(self, client, scope=None, redirect_uri=None):
        """An Authlib session for `client`: PKCE S256, client_secret_basic or none, TLS checked against the dev CA."""
        oauth = OAuth2Session(
            client.client_id, client.client_secret, scope=scope, redirect_uri=redirect_uri or client.redirect_uri,
            token_endpoint_auth_method=client.auth_method, revocation_endpoint_auth_method=client.auth_method,
            code_challenge_method="S256")
        # REQUESTS_CA_BUNDLE or proxy variables would replace the dev CA (requests reads them when trust_env).
        oauth.trust_env = False
        oauth.verify = self.stack.ca_file
        # The raw token responses, newest last, for the headers a token dict does not keep.
        oauth.token_responses = []
        for hook in ("access_token_response", "refresh_token_response"):
            oauth.register_compliance_hook(hook, lambda response: oauth.token_responses.append(response) or response)
        return oauth

    def flow(self, client, scope, **parameters):
        """A new authorization request for `client`; `parameters` go into the authorization URL."""
        return Flow(self, client, scope, parameters)

    # ID tokens ------------------------------------------------------------------------------------------------

    def key_set(self):
        with self.stack.session() as http:
            response = http.get(self["jwks_uri"], timeout=10)
        assert response.status_code == 200, f"JWKS answered {response.status_code}"
        return KeySet.import_key_set(response.json())

    def verify_id_token(self, id_token, client, nonce, signed_in_after=None, alg="RS256"):
        """Verifies signature (by `kid`, `alg`: the client's id_token_signed_response_alg) and claims (OIDC Core
        §3.1.3.7); returns the claims.

        `nonce` None means the token must carry none (a refreshed ID token, OIDC Core §12.2).
        """
        keys = self.key_set()
        token = jwt.decode(id_token, keys, algorithms=self["id_token_signing_alg_values_supported"])
        assert token.header.get("alg") == alg, token.header
        assert token.header.get("kid"), f"ID token header without kid: {token.header}"
        essential = {"essential": True}
        rules = {"iss": {"essential": True, "value": self.issuer}, "sub": essential,
                 "aud": {"essential": True, "value": client.client_id}, "exp": essential, "iat": essential}
        if nonce is not None:
            rules["nonce"] = {"essential": True, "value": nonce}
            rules["auth_time"] = essential
        jwt.JWTClaimsRegistry(leeway=5, **rules).validate(token.claims)
        claims = token.claims
        now = time.time()
        assert claims["iat"] <= now + 5 and claims["iat"] >= now - 120, f"iat {claims['iat']} is not now ({now:.0f})"
        assert claims["exp"] > claims["iat"], claims
        if nonce is None:
            assert "nonce" not in claims, f"a refreshed ID token carries a nonce: {claims}"
        if "auth_time" in claims:
            assert isinstance(claims["auth_time"], int) and claims["auth_time"] <= claims["iat"], claims
            if signed_in_after is not None:
                assert claims["auth_time"] >= int(signed_in_after) - 1, (claims["auth_time"], signed_in_after)
        if "amr" in claims:
            amr = claims["amr"]
            assert isinstance(amr, list) and amr and all(isinstance(m, str) for m in amr), f"amr is not strings: {claims}"
        if isinstance(claims["aud"], list):
            assert claims.get("azp") == client.client_id, "several audiences need azp (OIDC Core §2)"
        return claims


class Flow:
    """One authorization request: the URL Authlib builds (state, S256 challenge, nonce) and its answer."""

    def __init__(self, provider, client, scope, parameters):
        self.provider = provider
        self.client = client
        self.scope = scope
        redirect_uri = parameters.pop("redirect_uri", client.redirect_uri)
        self.oauth = provider.session(client, scope, redirect_uri)
        # pkce=False: no challenge from Authlib (to send none, or a hand-made one in `parameters`).
        self.verifier = secrets.token_urlsafe(48) if parameters.pop("pkce", True) else None
        self.nonce = parameters.pop("nonce", secrets.token_urlsafe(16))
        arguments = dict(nonce=self.nonce, **parameters) if self.nonce else dict(parameters)
        self.url, self.state = self.oauth.create_authorization_url(
            provider["authorization_endpoint"], code_verifier=self.verifier, **arguments)
        self.oauth.state = self.state
        self.callback = None  # the client's redirect, once the server answered
        self.callback_status = None

    @property
    def challenge(self):
        return create_s256_code_challenge(self.verifier)

    @property
    def path(self):
        """The authorization URL relative to the app site (what `Browser.open` takes)."""
        base = self.provider.stack.app_url
        assert self.url.startswith(base + "/"), self.url
        return self.url[len(base):]

    # Browser steps --------------------------------------------------------------------------------------------

    def open(self, browser, person=None):
        """Opens the authorization URL; signs in as `person` when the sign-in form appears. Returns True when
        the consent page is shown, False when the server already redirected back to the client."""
        try:
            browser.open(self.path)
        except WebDriverException as error:
            # A GET that ends at the (unreachable) redirect URI makes driver.get raise net::ERR_CONNECTION_REFUSED;
            # the redirects that led there are still in the performance log.
            if "ERR_CONNECTION_REFUSED" not in str(error):
                raise
            browser._read_status()
        if self._caught(browser):
            return False
        if browser.has("form#signin"):
            assert person is not None, f"sign-in asked for at {browser.path}"
            browser.submit("form#signin", {"identifier": person["username"], "password": person["password"]})
            if self._caught(browser):
                return False
        assert browser.has("form#consent-form"), (
            f"neither the consent page nor a redirect to the client: {browser.status} {browser.path}: "
            f"{browser.text('main') if browser.has('main') else browser.driver.page_source[:500]}")
        return True

    def answer(self, browser, approve=True):
        """Clicks Allow or Deny on the consent page; returns the client's redirect URL."""
        browser.submit("form#consent-form", button="#approve" if approve else "#deny")
        assert self._caught(browser), f"no redirect to the client after the consent POST: {browser.redirects}"
        return self.callback

    def authorize(self, browser, person=None):
        """Opens the request, signs in if asked, approves if asked; returns the client's redirect URL."""
        if self.open(browser, person):
            return self.answer(browser)
        return self.callback

    def _caught(self, browser):
        """Records the redirect to the client's redirect URI, if the last navigation ended in one."""
        redirect_uri = self.oauth.redirect_uri
        for status, location in browser.redirects:
            if location and same_endpoint(location, redirect_uri):
                self.callback_status, self.callback = status, location
                return True
        return False

    # Back channel ---------------------------------------------------------------------------------------------

    def response(self):
        """The authorization response's parameters (each exactly once)."""
        assert self.callback, "the server has not redirected back yet"
        return single_query(self.callback)

    def exchange(self, **extra):
        """The token request through Authlib: checks `state`, sends the code, the verifier, redirect_uri."""
        if self.verifier:
            extra.setdefault("code_verifier", self.verifier)
        return self.oauth.fetch_token(
            self.provider["token_endpoint"], authorization_response=self.callback, **extra)
