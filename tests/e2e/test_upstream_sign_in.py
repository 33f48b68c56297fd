"""Sign-in with the school's own accounts (issue 14), end to end: through nginx, the real product and an upstream
OpenID provider that is not ours (deploy/dev/upstream-idp/provider.py, Authlib), started for this module on a free
port with a certificate from the stack's dev CA.

The product is configured the way an operator does it, with `catalystwells upstream add/remove/policy/domains`
(issue 14's product contract is what these tests hold it to). Every provider this module
registers has a slug with the module's random prefix and is removed at the end, with the policy and the
home-realm domains put back, so the module runs again on the same stack and leaves the demo school as it was.

The provider misbehaves on request (a queued switch spoils the next ID token, token response or authorization
answer): each refusal must show its page (status, heading, message), set no session cookie and create no link
(`upstream_links`, read as root over the stack's MariaDB socket) and no person.

Demo people used here (nobody else's tests use them): student41-student50, the school admin.
"""
import os
import re
import secrets
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from upstream_idp import (CALLBACK_PATH, SESSION_COOKIE, TICKET_COOKIE, UpstreamIdP, Visitor, all_links_count, cli,
                          links_of, main_sql, secret_file, text_of, users_count)

PREFIX = "e2e" + secrets.token_hex(3)  # slugs, realms' client and accounts of this run
TENANT = str(uuid.uuid4())  # the Entra tenant the school accepts
DEMO_DOMAIN = "demo.example.org"
NO_PERSON = "Your school has no person with this account. Ask your school to add you."
EXPIRED = "This sign-in has expired or was already used. Start again."
OTHER_BROWSER = "This sign-in did not start in this browser. Start again."
UNREACHABLE = "The provider could not be reached or refused the code: "
SIGNED_IN_AS = re.compile(r'id="signed-in-as"[^>]*>(.*?)</', re.S)
CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
UPSTREAM_PASSWORD = "upstream-" + secrets.token_hex(6)


def student(demo, number):
    return next(p for p in demo["students"] if p["username"] == f"student{number}")


# ----------------------------------------------------------------------------- fixtures

class Providers:
    """The providers this module registers for the demo school (slug = PREFIX-key), and their cleanup."""

    def __init__(self, stack, idp, folder):
        self.stack, self.idp, self.folder = stack, idp, folder
        self.client_id = f"catalystwells-{PREFIX}"
        self.secret = secrets.token_urlsafe(24)
        idp.add_client(self.client_id, self.secret, [stack.app_url + CALLBACK_PATH])
        self.secret_path = secret_file(folder, self.secret)
        self.names = {}
        self.schools = set()

    def slug(self, key):
        return f"{PREFIX}-{key}"

    def name(self, key):
        return self.names[key]

    def add(self, key, name, kind, *options, school="demo-school"):
        slug = self.slug(key)
        cli(self.stack, "upstream", "add", "--school", school, "--slug", slug, "--name", name, "--kind", kind,
            "--client-id", self.client_id, "--client-secret-file", str(self.secret_path), *options)
        self.names[key] = name
        self.schools.add(school)
        return slug

    def remove_all(self):
        for key in list(self.names):
            cli(self.stack, "upstream", "remove", "--slug", self.slug(key), check=False)
        for school in self.schools:
            cli(self.stack, "upstream", "domains", "--school", school, "--set", "", check=False)
        cli(self.stack, "upstream", "policy", "--school", "demo-school", "--password-roles",
            "student,teacher,parent,school_admin", check=False)


@pytest.fixture(scope="module")
def idp(stack, tmp_path_factory):
    provider = UpstreamIdP(stack, tmp_path_factory.mktemp("upstream-idp"))
    for realm, kind in (("acme", None), ("rotate", None), ("google", "google"), (f"{TENANT}/v2.0", "entra")):
        provider.add_realm(realm, kind)
    yield provider
    provider.close()


@pytest.fixture(scope="module")
def providers(stack, demo, idp, tmp_path_factory):
    """Generic providers over realm "acme" with each linking rule, one over realm "rotate", the Google and Entra
    presets pointed at the test provider (`--authority`), and a disabled one."""
    registry = Providers(stack, idp, tmp_path_factory.mktemp("upstream-secrets"))
    try:
        acme = ("--issuer", idp.issuer("acme"))
        registry.add("acme", f"Acme Accounts {PREFIX}", "generic", *acme)
        registry.add("kid", f"Acme Keys {PREFIX}", "generic", *acme)
        registry.add("sid", f"Acme by sourcedId {PREFIX}", "generic", *acme, "--link", "sourced-id", "--link-claim", "employee_id")
        registry.add("uname", f"Acme by username {PREFIX}", "generic", *acme, "--link", "username", "--link-claim", "preferred_username")
        registry.add("jit", f"Acme with new students {PREFIX}", "generic", *acme, "--jit-students")
        registry.add("off", f"Acme switched off {PREFIX}", "generic", *acme, "--disabled")
        registry.add("rotate", f"Rotating Keys {PREFIX}", "generic", "--issuer", idp.issuer("rotate"))
        registry.add("google", f"Google {PREFIX}", "google", "--authority", idp.issuer("google"), "--domain", DEMO_DOMAIN)
        registry.add("entra", f"Microsoft {PREFIX}", "entra", "--authority", idp.base_url, "--tenant", TENANT,
                     "--link", "sourced-id", "--link-claim", "employee_id")
        # The rotation test (the module's last) needs our side to hold the "rotate" realm's keys for over a minute.
        me = student(demo, 44)
        registry.rotate_account = account(idp, "rotate", me)["username"]
        first = Visitor(stack)
        answer = first.sign_in(registry.slug("rotate"), registry.rotate_account, UPSTREAM_PASSWORD)
        assert (answer.status, answer.location) == (303, "/student"), f"first sign-in through rotate: {answer.status} {answer.error}"
        registry.rotate_keys_fetched_at = time.monotonic()
        yield registry
    finally:
        registry.remove_all()


@pytest.fixture(autouse=True)
def fresh_provider(request):
    """No misbehaviour queued by an earlier test survives into the next one."""
    if "idp" in request.fixturenames:
        request.getfixturevalue("idp").reset()


@pytest.fixture(scope="module")
def demo_idp_url():
    """The demo provider `deploy/dev/stack up` started (CW_IDP_URL from `deploy/dev/stack env`)."""
    url = os.environ.get("CW_IDP_URL")
    if not url:
        raise RuntimeError("CW_IDP_URL not set: run the end-to-end tests through `make test` (deploy/dev/stack env)")
    return url


@pytest.fixture(scope="module")
def chromium(stack, idp, demo_idp_url):
    """This module's Chromium accepts the app's certificate and both providers' (each checked against the dev CA
    first, see browser.py): the pages of the sign-in are on three servers."""
    from browser import start_chromium, verified_server_pin

    pins = [verified_server_pin(urlsplit(stack.app_url).hostname, stack.https_port, stack.ca_file),
            verified_server_pin("127.0.0.1", idp.port, stack.ca_file),
            verified_server_pin("127.0.0.1", urlsplit(demo_idp_url).port, stack.ca_file)]
    driver = start_chromium(pins)
    yield driver
    driver.quit()


# ----------------------------------------------------------------------------- helpers

def account(idp, realm, person=None, username=None, **claims):
    """An account at the provider; by default the roster person's email, verified. Returns its subject details."""
    username = username or (person["email"] if person else f"{PREFIX}-{secrets.token_hex(3)}@elsewhere.example.net")
    if person:
        claims.setdefault("email", person["email"])
        claims.setdefault("name", person["name"])
    claims.setdefault("email", username)
    details = idp.add_account(realm, username, UPSTREAM_PASSWORD, **claims)
    details["username"] = username
    return details


def signed_in_as(visitor, home):
    page = visitor.get(visitor.app(home))
    assert page.status == 200, f"GET {home} answered {page.status}"
    found = SIGNED_IN_AS.search(page.body)
    return text_of(found.group(1)) if found else None


def assert_signed_in(answer, visitor, person, home="/student"):
    assert (answer.status, answer.location) == (303, home), f"{answer.status} {answer.location}: {answer.error or answer.body[:400]}"
    assert answer.sets_cookie(SESSION_COOKIE), answer.set_cookies
    assert signed_in_as(visitor, home) == f"{person['name']} · Student"


def assert_refused(answer, visitor, status, message, provider_name):
    """The refusal page of the contract: status, heading, message; no session cookie."""
    assert answer.status == status, f"answered {answer.status} {answer.location}: {answer.error or answer.body[:400]}"
    assert answer.h1 == f"Sign-in with {provider_name} did not work", answer.h1
    assert answer.error == message
    assert not answer.sets_cookie(SESSION_COOKIE), answer.set_cookies
    assert not visitor.has_session()


def password_sign_in(stack, who, password):
    """POST /login as a browser would (form cookie and csrf first); returns the Visitor and the answer."""
    visitor = Visitor(stack)
    page = visitor.get(visitor.app("/login"))
    csrf = CSRF_FIELD.search(page.body).group(1)
    return visitor, visitor.post(visitor.app("/login"), {"csrf": csrf, "identifier": who, "password": password})


def roster_import(stack, folder, school, users, orgs=None):
    """A OneRoster set through `catalystwells roster import`: users.csv as a delta (or both files bulk for a new
    school); `users` are rows (sourcedId, status, role, username, given, family, email)."""
    folder.mkdir(parents=True, exist_ok=True)
    mode = "bulk" if orgs else "delta"
    (folder / "manifest.csv").write_text(
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,absent\n"
        "file.classes,absent\nfile.courses,absent\nfile.enrollments,absent\n"
        f"file.orgs,{'bulk' if orgs else 'absent'}\nfile.users,{mode}\n")
    if orgs:
        (folder / "orgs.csv").write_text("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
                                         + "".join(f"{o},,,{name},school,,\n" for o, name in orgs))
    lines = ["sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName,email"]
    for sourced_id, status, role, username, given, family, email in users:
        lines.append(f"{sourced_id},{status},2026-11-01T08:00:00Z,true,{school},{role},{username},{given},{family},{email}")
    (folder / "users.csv").write_text("\n".join(lines) + "\n")
    cli(stack, "roster", "import", str(folder), "--school", school)


# ----------------------------------------------------------------------------- Chromium: the whole journey

def test_an_oauth_request_started_signed_out_resumes_after_signing_in_with_the_school_account(
        stack, demo, idp, providers, browser, oauth, confidential_client):
    """A third-party app sends a signed-out student to our authorization endpoint; the student finds their school by
    email (home-realm discovery), continues with the school's provider, and comes back to exactly the request the
    password form would have resumed (303 to the same `next`); the app's ID token says amr ["fed"]."""
    me = student(demo, 41)
    details = account(idp, "acme", me)
    cli(stack, "upstream", "domains", "--school", "demo-school", "--set", DEMO_DOMAIN)
    flow = oauth.flow(confidential_client, "openid profile.read")
    started = time.time()

    browser.open(flow.path)
    assert browser.status == 200 and browser.has("form#signin"), browser.path
    resume = browser.value("form#signin input[name=next]")
    assert resume.startswith("/authsso?"), resume

    # Home-realm discovery: the demo school has several providers, so its sign-in page with all of them.
    browser.submit("form[action='/login/school']", {"email": me["email"]})
    assert browser.status == 200
    assert urlsplit(browser.path).path == "/login"
    assert parse_qs(urlsplit(browser.path).query) == {"school": ["demo-school"], "next": [resume]}
    link = f"a.button.upstream[href^='/login/upstream/{providers.slug('acme')}?']"
    assert browser.text(link) == f"Continue with {providers.name('acme')}"

    browser.follow(link)
    assert browser.driver.current_url.startswith(idp.issuer("acme") + "/authorize?"), browser.driver.current_url
    browser.submit("form#upstream-signin", {"username": details["username"], "password": UPSTREAM_PASSWORD}, button="#sign-in")
    callback = [location for status, location in browser.redirects if urlsplit(location).path == CALLBACK_PATH]
    assert callback, browser.redirects
    # Exactly what the password form does: one 303 to the request being resumed.
    ours = [(status, location) for status, location in browser.redirects if urlsplit(location).path != CALLBACK_PATH]
    assert ours[0] == (303, resume), browser.redirects

    if not flow._caught(browser):
        assert browser.has("form#consent-form"), browser.text("main")
        flow.answer(browser)
    token = flow.exchange()
    claims = oauth.verify_id_token(token["id_token"], confidential_client, flow.nonce, signed_in_after=started)
    assert claims["amr"] == ["fed"]
    assert links_of(stack, providers.slug("acme")).get(details["sub"]) == me["id"]


def test_the_demo_workspace_button_signs_a_demo_student_in(stack, demo, browser, demo_idp_url):
    """What `make dev` offers: the demo school's sign-in link shows "Continue with Demo Workspace", and the demo
    provider (started and registered by deploy/dev/stack) signs a demo student in with their email and the demo
    password."""
    me = student(demo, 42)
    assert browser.open("/login?school=demo-school") == 200
    link = "a.button.upstream[href^='/login/upstream/demo-workspace']"
    assert browser.text(link) == "Continue with Demo Workspace"
    browser.follow(link)
    assert browser.driver.current_url.startswith(demo_idp_url + "/demo/authorize?"), browser.driver.current_url
    status = browser.submit("form#upstream-signin", {"username": me["email"], "password": demo["password"]}, button="#sign-in")
    assert (status, browser.path) == (200, "/student"), browser.text("main")
    assert browser.text("#signed-in-as") == f"{me['name']} · Student"


# ----------------------------------------------------------------------------- refusals

ID_TOKEN_REFUSALS = [
    # (mode, provider key, realm, message)
    ("wrong_iss", "acme", "acme", "The answer came from another issuer than the one configured."),
    ("wrong_aud", "acme", "acme", "The answer was meant for another application."),
    ("wrong_nonce", "acme", "acme", "The answer does not belong to this sign-in (nonce); start again."),
    ("alg_none", "acme", "acme", "The provider signed its answer with none, which is not accepted (RS256 or ES256 only)."),
    ("hs256_public_key", "acme", "acme",
     "The provider signed its answer with HS256, which is not accepted (RS256 or ES256 only)."),
    ("expired", "acme", "acme", "The provider's answer has expired; try again."),
    ("iat_future", "acme", "acme", "The provider's answer is dated in the future; check the server clocks."),
    ("bad_signature", "acme", "acme", "The provider's answer has a signature that does not verify."),
    ("unpublished_key", "kid", "acme", "The provider's answer was signed with a key it does not publish."),
    ("other_hd", "google", "google", "This account is not in one of the school's domains."),
    ("email_unverified", "google", "google", "The provider has not verified this account's email address."),
    ("other_tid", "entra", f"{TENANT}/v2.0", "This account is not in the school's Microsoft tenant."),
]


@pytest.mark.parametrize("mode,key,realm,message", ID_TOKEN_REFUSALS, ids=[case[0] for case in ID_TOKEN_REFUSALS])
def test_a_spoiled_id_token_is_refused_with_its_page_and_nothing_is_created(stack, demo, idp, providers, mode, key, realm, message):
    """The provider answers the code exchange with an ID token that is wrong in one way; without the spoiling
    the same account would sign in (a roster person matches), so the refusal is the ID token check's. The
    status is 400 (the provider's answer is at fault, not its reachability: the contract gives 502 only to the
    token request's failures)."""
    me = student(demo, 43)
    details = account(idp, realm, me, claims={"employee_id": me["sourced_id"]})
    links, users = all_links_count(stack), users_count(stack)
    idp.misbehave(realm, mode)

    visitor = Visitor(stack)
    answer = visitor.sign_in(providers.slug(key), details["username"], UPSTREAM_PASSWORD)

    assert_refused(answer, visitor, 400, message, providers.name(key))
    assert (all_links_count(stack), users_count(stack)) == (links, users)
    assert idp.stats(realm).get("queued", {}) == {}, "the misbehaviour was not used: the refusal has another cause"


def test_a_token_endpoint_error_is_a_502(stack, demo, idp, providers):
    """The provider refuses the code (400 invalid_grant): the 502 page, no session, no link."""
    me = student(demo, 43)
    details = account(idp, "acme", me)
    links = all_links_count(stack)
    idp.misbehave("acme", "token_error")
    visitor = Visitor(stack)
    answer = visitor.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD)
    assert answer.status == 502, answer.body[:400]
    assert answer.h1 == f"Sign-in with {providers.name('acme')} did not work"
    assert answer.error.startswith(UNREACHABLE), answer.error
    assert not answer.sets_cookie(SESSION_COOKIE) and not visitor.has_session()
    assert all_links_count(stack) == links


def test_a_token_endpoint_slower_than_ten_seconds_is_given_up_after_ten(stack, demo, idp, providers):
    """The provider takes 15 s to answer the code exchange: our side stops waiting at 10 s (the contract's
    outbound timeout) and shows the 502 page, so a hung provider cannot hold a worker thread for long."""
    me = student(demo, 43)
    details = account(idp, "acme", me)
    idp.misbehave("acme", "token_slow", seconds=15)
    visitor = Visitor(stack)
    started = visitor.start(providers.slug("acme"))
    redirect = visitor.at_provider(started.location, details["username"], UPSTREAM_PASSWORD)
    before = time.monotonic()
    answer = visitor.callback(redirect.location)
    elapsed = time.monotonic() - before
    assert answer.status == 502, answer.body[:400]
    assert answer.error.startswith(UNREACHABLE), answer.error
    assert 9.5 <= elapsed <= 13.5, f"gave up after {elapsed:.1f} s"
    assert not visitor.has_session()


@pytest.mark.parametrize("how", ["deny button", "provider refuses at once"])
def test_the_providers_error_answer_is_shown_escaped(stack, demo, idp, providers, how):
    """`error=access_denied` from the provider (the person pressed Deny, or the provider refused by itself): 400
    with the provider's words, escaped."""
    me = student(demo, 43)
    details = account(idp, "acme", me)
    visitor = Visitor(stack)
    if how == "deny button":
        answer = visitor.sign_in(providers.slug("acme"), details["username"], "", deny=True)
        expected = "The provider answered: access_denied: The account holder chose Deny."
    else:
        idp.misbehave("acme", "authorize_error", error_description="<b>Blocked</b> by policy")
        answer = visitor.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD)
        expected = "The provider answered: access_denied: <b>Blocked</b> by policy"
        assert "<b>Blocked</b>" not in answer.body
    assert_refused(answer, visitor, 400, expected, providers.name("acme"))


def test_a_replayed_or_foreign_callback_is_refused(stack, demo, idp, providers):
    """The callback works once. Its replay (same URL and the same ticket cookie, even copied to another browser),
    a callback without the ticket cookie, and one whose state is not the ticket's are refused without a session."""
    me = student(demo, 44)
    details = account(idp, "acme", me)
    visitor = Visitor(stack)
    started = visitor.start(providers.slug("acme"))
    ticket = visitor.cookie(TICKET_COOKIE)
    redirect = visitor.at_provider(started.location, details["username"], UPSTREAM_PASSWORD)
    assert_signed_in(visitor.callback(redirect.location), visitor, me)

    # The same browser again.
    again = visitor.get(redirect.location)
    assert (again.status, again.error) == (400, EXPIRED)
    assert not again.sets_cookie(SESSION_COOKIE)
    # No ticket at all.
    stranger = Visitor(stack)
    answer = stranger.get(redirect.location)
    assert (answer.status, answer.error) == (400, EXPIRED)
    assert not stranger.has_session()

    # A ticket of this browser, but the state of another sign-in.
    other = Visitor(stack)
    other.start(providers.slug("acme"))
    code = parse_qs(urlsplit(redirect.location).query)["code"][0]
    forged = other.get(other.app(f"{CALLBACK_PATH}?code={code}&state={secrets.token_urlsafe(16)}"))
    assert_refused(forged, other, 400, OTHER_BROWSER, providers.name("acme"))

    # Someone who copied the URL and the ticket cookie: the ticket's second use (the contract: 400, "expired or
    # was already used"), whatever the provider says about its code.
    thief = Visitor(stack)
    thief.http.cookies.set(TICKET_COOKIE, ticket, domain=urlsplit(stack.app_url).hostname, path="/")
    replayed = thief.get(redirect.location)
    assert not replayed.sets_cookie(SESSION_COOKIE) and not thief.has_session()
    assert (replayed.status, replayed.error) == (400, EXPIRED), (replayed.status, replayed.error)


# ----------------------------------------------------------------------------- linking

def test_the_first_sign_in_links_by_verified_email_and_later_ones_use_the_link(stack, demo, idp, providers):
    """Email rule: the verified email equals the roster person's. The link (provider, sub) is stored; when the
    upstream account's email changes later, the link still signs the same person in."""
    me = student(demo, 45)
    details = account(idp, "acme", me)
    visitor = Visitor(stack)
    assert_signed_in(visitor.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD), visitor, me)
    assert links_of(stack, providers.slug("acme"))[details["sub"]] == me["id"]

    idp.add_account("acme", details["username"], UPSTREAM_PASSWORD, email=f"renamed-{PREFIX}@elsewhere.example.net",
                    name=me["name"])
    later = Visitor(stack)
    assert_signed_in(later.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD), later, me)


def test_an_unverified_email_does_not_link(stack, demo, idp, providers):
    """Email rule on a generic provider: the contract links by *verified* email, so an address the provider has not
    verified matches nobody (403, the no-such-person page, nothing created)."""
    me = student(demo, 46)
    details = account(idp, "acme", me, email_verified=False)
    links, users = all_links_count(stack), users_count(stack)
    visitor = Visitor(stack)
    answer = visitor.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD)
    assert_refused(answer, visitor, 403, NO_PERSON, providers.name("acme"))
    assert (all_links_count(stack), users_count(stack)) == (links, users)


def test_a_claim_equal_to_the_roster_sourced_id_links(stack, demo, idp, providers):
    """sourced-id rule: the provider's `employee_id` claim equals the person's roster sourcedId (the email is
    somebody else's address, so the email cannot be what matched)."""
    me = student(demo, 46)
    details = account(idp, "acme", me, username=f"{PREFIX}-sid@elsewhere.example.net",
                      email=f"{PREFIX}-sid@elsewhere.example.net", claims={"employee_id": me["sourced_id"]})
    visitor = Visitor(stack)
    assert_signed_in(visitor.sign_in(providers.slug("sid"), details["username"], UPSTREAM_PASSWORD), visitor, me)
    assert links_of(stack, providers.slug("sid")) == {details["sub"]: me["id"]}


def test_a_claim_equal_to_the_roster_username_links(stack, demo, idp, providers):
    """username rule: `preferred_username` equals the person's roster username."""
    me = student(demo, 47)
    details = account(idp, "acme", me, username=f"{PREFIX}-un@elsewhere.example.net",
                      email=f"{PREFIX}-un@elsewhere.example.net", preferred_username=me["username"])
    visitor = Visitor(stack)
    assert_signed_in(visitor.sign_in(providers.slug("uname"), details["username"], UPSTREAM_PASSWORD), visitor, me)
    assert links_of(stack, providers.slug("uname")) == {details["sub"]: me["id"]}


def test_an_account_that_matches_nobody_is_refused_and_nothing_is_created(stack, idp, providers):
    details = account(idp, "acme")
    links, users = all_links_count(stack), users_count(stack)
    visitor = Visitor(stack)
    answer = visitor.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD)
    assert_refused(answer, visitor, 403, NO_PERSON, providers.name("acme"))
    assert (all_links_count(stack), users_count(stack)) == (links, users)


def test_jit_students_creates_a_student_in_the_school(stack, idp, providers):
    """--jit-students: an account that matches nobody becomes a new student of the provider's school, linked."""
    details = account(idp, "acme", given_name="Jitka", family_name="Newcomer", name="Jitka Newcomer")
    users = users_count(stack)
    visitor = Visitor(stack)
    answer = visitor.sign_in(providers.slug("jit"), details["username"], UPSTREAM_PASSWORD)
    assert (answer.status, answer.location) == (303, "/student"), answer.error or answer.body[:400]
    assert answer.sets_cookie(SESSION_COOKIE)
    assert users_count(stack) == users + 1
    [user_id] = links_of(stack, providers.slug("jit")).values()
    [[role, school, active]] = main_sql(stack, "SELECT u.role, s.sourced_id, u.active FROM users u JOIN schools s ON s.id = u.school_id "
                                               f"WHERE u.id = {user_id}")
    assert (role, school, active) == ("student", "demo-school", "1")


def test_a_linked_person_deactivated_by_the_roster_is_refused(stack, idp, providers, tmp_path):
    """A roster delta marks a linked person tobedeleted: the link no longer signs them in (403, no session)."""
    token = secrets.token_hex(3)
    email = f"e2e-leaver-{token}@{DEMO_DOMAIN}"
    sourced_id = f"e2e-leaver-{token}"
    row = [sourced_id, "active", "student", f"e2e-leaver-{token}", "Lee", "Leaver", email]
    roster_import(stack, tmp_path / "join", "demo-school", [row])
    person = {"name": "Lee Leaver", "email": email}
    details = account(idp, "acme", person)
    visitor = Visitor(stack)
    assert_signed_in(visitor.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD), visitor, person)

    roster_import(stack, tmp_path / "leave", "demo-school", [[sourced_id, "tobedeleted"] + row[2:]])
    assert main_sql(stack, f"SELECT active FROM users WHERE sourced_id = '{sourced_id}'") == [["0"]]
    later = Visitor(stack)
    answer = later.sign_in(providers.slug("acme"), details["username"], UPSTREAM_PASSWORD)
    assert_refused(answer, later, 403, NO_PERSON, providers.name("acme"))


# ----------------------------------------------------------------------------- the Google and Entra presets

def test_the_google_preset_accepts_an_account_of_the_schools_domain(stack, demo, idp, providers):
    """--kind google --authority <test provider>/google --domain demo.example.org: issuer = authority, hd in the
    domains, email verified; the link's subject is `sub`."""
    me = student(demo, 48)
    details = account(idp, "google", me)
    visitor = Visitor(stack)
    assert_signed_in(visitor.sign_in(providers.slug("google"), details["username"], UPSTREAM_PASSWORD), visitor, me)
    assert links_of(stack, providers.slug("google")) == {details["sub"]: me["id"]}


def test_the_entra_preset_accepts_an_account_of_the_schools_tenant(stack, demo, idp, providers):
    """--kind entra --authority <test provider> --tenant T: discovery at authority/T/v2.0, issuer authority/T/v2.0,
    tid T; the link's subject is `tid:oid`."""
    me = student(demo, 48)
    details = account(idp, f"{TENANT}/v2.0", me, claims={"employee_id": me["sourced_id"]})
    visitor = Visitor(stack)
    assert_signed_in(visitor.sign_in(providers.slug("entra"), details["username"], UPSTREAM_PASSWORD), visitor, me)
    assert links_of(stack, providers.slug("entra")) == {f"{TENANT}:{details['oid']}": me["id"]}


# ----------------------------------------------------------------------------- sign-in page, discovery, policy

def test_the_schools_sign_in_link_lists_its_enabled_providers(stack, providers, http):
    """/login?school=demo-school (the link a school prints) shows one "Continue with" button per enabled provider,
    carrying `next`; a disabled provider has none and its start URL is a 404; an unknown school gets an error."""
    page = http.get(stack.url("app", "/login"), params={"school": "demo-school", "next": "/account"})
    assert page.status_code == 200
    by_slug = {}
    for attributes, label in re.findall(r'<a ([^>]*\bclass="button upstream"[^>]*)>([^<]*)</a>', page.text):
        href = text_of(re.search(r'\bhref="([^"]+)"', attributes).group(1))
        assert label.startswith("Continue with "), label
        by_slug[urlsplit(href).path.removeprefix("/login/upstream/")] = (href, text_of(label.removeprefix("Continue with ")))
    for key in ("acme", "sid", "jit", "rotate", "google", "entra"):
        href, name = by_slug[providers.slug(key)]
        assert name == providers.name(key)
        assert parse_qs(urlsplit(href).query)["next"] == ["/account"]
    assert "demo-workspace" in by_slug
    assert providers.slug("off") not in by_slug
    assert http.get(stack.url("app", f"/login/upstream/{providers.slug('off')}"), allow_redirects=False).status_code == 404
    assert http.get(stack.url("app", "/login/upstream/no-such-provider"), allow_redirects=False).status_code == 404

    unknown = http.get(stack.url("app", "/login"), params={"school": f"no-school-{PREFIX}"})
    assert "There is no school with that sign-in link." in text_of(unknown.text)
    assert 'class="button upstream"' not in unknown.text


def discover(stack, email, next_path="/account"):
    visitor = Visitor(stack)
    page = visitor.get(visitor.app("/login"))
    form = re.search(r'<form[^>]*action="/login/school"[^>]*>(.*?)</form>', page.body, re.S)
    assert form, "the sign-in page has no home-realm discovery form"
    csrf = CSRF_FIELD.search(form.group(1)).group(1)
    return visitor.post(visitor.app("/login/school"), {"email": email, "next": next_path, "csrf": csrf})


def test_home_realm_discovery_sends_an_email_domain_to_its_school(stack, idp, providers, tmp_path):
    """POST /login/school: a domain of a school with exactly one provider goes straight to it (with login_hint);
    a domain of a school with several goes to that school's sign-in page; an unclaimed domain stays on the page
    with the contract's error."""
    token = secrets.token_hex(3)
    school = f"e2e-solo-{token}"
    domain = f"solo-{token}.example.net"
    roster_import(stack, tmp_path / "solo", school,
                  [[f"{school}-s1", "", "student", f"solo-{token}-s1", "Sol", "One", f"sol@{domain}"]],
                  orgs=[(school, f"Solo School {token}")])
    solo = providers.add("solo", f"Solo Accounts {PREFIX}", "generic", "--issuer", idp.issuer("acme"), school=school)
    cli(stack, "upstream", "domains", "--school", school, "--set", domain)
    cli(stack, "upstream", "domains", "--school", "demo-school", "--set", DEMO_DOMAIN)

    one = discover(stack, f"sol@{domain}")
    assert one.status == 303, one.body[:400]
    target = urlsplit(one.location)
    assert target.path == f"/login/upstream/{solo}"
    assert parse_qs(target.query) == {"next": ["/account"], "login_hint": [f"sol@{domain}"]}

    several = discover(stack, f"anyone@{DEMO_DOMAIN}")
    assert several.status == 303
    target = urlsplit(several.location)
    assert (target.path, parse_qs(target.query)) == ("/login", {"school": ["demo-school"], "next": ["/account"]})

    nobody = discover(stack, "someone@unclaimed.example.com")
    assert nobody.status == 200
    assert "No school signs in with accounts of unclaimed.example.com. Sign in with your password below." in text_of(nobody.body)


def test_the_password_policy_refuses_a_role_that_must_use_the_school_account(stack, demo, providers):
    """`upstream policy --password-roles teacher,parent,school_admin`: a student's correct password is refused
    (403, the school's provider names in the message, no session); a teacher's still works; restoring all roles
    lets the student in again."""
    me = student(demo, 49)
    teacher = demo["teachers"][-1]
    cli(stack, "upstream", "policy", "--school", "demo-school", "--password-roles", "teacher,parent,school_admin")
    try:
        visitor, answer = password_sign_in(stack, me["username"], me["password"])
        assert answer.status == 403, answer.body[:400]
        found = re.search(r"Your school has you sign in with (.+?) instead of a password\.", text_of(answer.body))
        assert found, text_of(answer.body)[:400]
        message = found.group(1)
        for name in ("Demo Workspace", providers.name("acme"), providers.name("google")):
            assert name in message
        assert providers.name("off") not in message
        assert not answer.sets_cookie(SESSION_COOKIE) and not visitor.has_session()

        _, allowed = password_sign_in(stack, teacher["username"], teacher["password"])
        assert (allowed.status, allowed.location) == (303, "/teacher")
    finally:
        cli(stack, "upstream", "policy", "--school", "demo-school", "--password-roles", "student,teacher,parent,school_admin")
    _, again = password_sign_in(stack, me["username"], me["password"])
    assert (again.status, again.location) == (303, "/student")


# ----------------------------------------------------------------------------- Chromium: account page, admin test

def sign_in_in_chromium(browser, providers, key, username, home="/student"):
    assert browser.open("/login?school=demo-school") == 200
    slug = providers.slug(key)
    browser.follow(f"a.button.upstream[href='/login/upstream/{slug}'], a.button.upstream[href^='/login/upstream/{slug}?']")
    status = browser.submit("form#upstream-signin", {"username": username, "password": UPSTREAM_PASSWORD}, button="#sign-in")
    assert (status, browser.path) == (200, home), browser.text("main")


def linked_rows(browser):
    """The remove forms of the account page's "Linked sign-ins" section."""
    assert "Linked sign-ins" in [h.text.strip() for h in browser.find_all("main h2")], "no Linked sign-ins section"
    return browser.find_all("form[action^='/account/linked/'][action$='/remove']")


def test_a_person_with_a_password_removes_a_linked_sign_in_on_the_account_page(stack, demo, idp, providers, browser):
    """/account lists the link (provider name, the upstream email) with a Remove form; a person who still has a
    password may remove it: 303 to /account?unlinked=1 with the notice, and the row is gone from the database."""
    me = student(demo, 50)
    details = account(idp, "acme", me)
    sign_in_in_chromium(browser, providers, "acme", details["username"])
    assert links_of(stack, providers.slug("acme")).get(details["sub"]) == me["id"]

    assert browser.open("/account") == 200
    [form] = linked_rows(browser)
    section = browser.text("main")
    assert providers.name("acme") in section and me["email"] in section
    assert form.text.strip() == "Remove"
    action = urlsplit(form.get_attribute("action")).path
    assert browser.submit(f"form[action='{action}']") == 200
    assert browser.redirects == [(303, "/account?unlinked=1")]
    assert browser.path == "/account?unlinked=1"
    assert browser.notice() == "The linked sign-in is removed."
    assert linked_rows(browser) == []
    assert details["sub"] not in links_of(stack, providers.slug("acme"))


def test_the_only_way_to_sign_in_cannot_be_removed(stack, idp, providers, browser):
    """A student created by --jit-students has no password and one link: removing it answers 409 and keeps it."""
    details = account(idp, "acme", given_name="Ona", family_name="Only", name="Ona Only")
    sign_in_in_chromium(browser, providers, "jit", details["username"])
    assert browser.open("/account") == 200
    [form] = linked_rows(browser)
    action = urlsplit(form.get_attribute("action")).path
    assert browser.submit(f"form[action='{action}']") == 409
    assert "This is the only way you can sign in, so it cannot be removed." in browser.text("main")
    assert details["sub"] in links_of(stack, providers.slug("jit"))


def test_the_school_admin_tests_a_provider_without_changing_their_session(stack, demo, idp, providers, browser):
    """/school/sign-in → "Test this provider": the round trip through the provider ends on a page with the claims
    received and the roster match, and the admin is still signed in as themselves; no link is made."""
    admin = demo["school_admin"]
    me = student(demo, 47)
    details = account(idp, "acme", me)
    assert browser.sign_in(admin["username"], admin["password"]) == 200
    session_before = browser.cookie(SESSION_COOKIE)["value"]
    links = all_links_count(stack)

    assert browser.open("/school/sign-in") == 200
    form = f"form[action='/school/sign-in/providers/{providers.slug('acme')}/test']"
    assert browser.text(f"{form} button") == "Test this provider"
    browser.submit(form)
    assert browser.driver.current_url.startswith(idp.issuer("acme") + "/authorize?")
    status = browser.submit("form#upstream-signin", {"username": details["username"], "password": UPSTREAM_PASSWORD}, button="#sign-in")
    assert status == 200, browser.text("main")
    assert browser.text("h1") == f"Test of {providers.name('acme')}"
    claims = {row.find_element("css selector", "th, td").text.strip(): row.find_elements("css selector", "td")[-1].text.strip()
              for row in browser.find_all("table.claims tr") if row.find_elements("css selector", "td")}
    assert claims.get("sub") == details["sub"] and claims.get("email") == me["email"], claims
    assert f"Would sign in as {me['name']}" in browser.text("main")

    assert browser.cookie(SESSION_COOKIE)["value"] == session_before
    assert all_links_count(stack) == links
    assert browser.open("/school") == 200 and browser.text("#signed-in-as").startswith(admin["name"])

    # An account nobody in the roster has.
    stranger = account(idp, "acme")
    assert browser.open("/school/sign-in") == 200
    browser.submit(form)
    browser.submit("form#upstream-signin", {"username": stranger["username"], "password": UPSTREAM_PASSWORD}, button="#sign-in")
    assert "No roster person matches" in browser.text("main")
    assert browser.cookie(SESSION_COOKIE)["value"] == session_before


# ----------------------------------------------------------------------------- key rotation

def test_a_rotated_signing_key_is_fetched_once_and_accepted(stack, demo, idp, providers):
    """The provider rotates its key (the new one published next to the old): our side, holding the old JWKS,
    meets an unknown kid, fetches the JWKS again and accepts the token, although its keys were fetched moments
    ago (a first sign-in through "rotate" when the module's providers were registered, see `providers`): an
    unknown kid fetches once however recent the last fetch; only such fetches are limited to one a minute."""
    me = student(demo, 44)

    idp.misbehave("rotate", "rotated_key")
    visitor = Visitor(stack)
    assert_signed_in(visitor.sign_in(providers.slug("rotate"), providers.rotate_account, UPSTREAM_PASSWORD), visitor, me)
    stats = idp.stats("rotate")
    assert len(stats["published_kids"]) == 2 and stats["signing_kid"] == stats["published_kids"][1]
    # The provider's counters were reset when this test began: any JWKS request since is the fetch for the new kid.
    assert stats["counts"].get("jwks", 0) >= 1, "the token of the new key was accepted without fetching the JWKS"
