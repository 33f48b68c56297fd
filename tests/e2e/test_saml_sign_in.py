"""Sign-in through a school's SAML 2.0 identity provider (issue 15), end to end: through nginx, the real product and
a SAML identity provider that is not ours (deploy/dev/saml-idp/provider.py: pysaml2's IdP, signing and encrypting
with Debian's xmlsec1), which deploy/dev/stack starts and registers for the demo school as "Demo SAML"
(`catalystwells upstream add-saml --metadata-url …`).

The attack messages are made from that provider's real answers: taken apart and put together again as the
literature's attacks do (unsigned, signed by another key, signature wrapping XSW1-8, a comment inside the NameID,
a replay, another audience, another request, expired, external entities, billion laughs), then posted to our
assertion consumer service with a fresh sign-in ticket of the same browser. Each must get a clear page, no session,
no link, and an audit entry (`security_audit_log`, read as root over the stack's MariaDB socket).

Demo people used here (nobody else's tests use them): student51-student58 (and the first student's ".evil" twin
that the stack gives the provider).
"""
import base64
import json
import os
import re
import subprocess
import time
import zlib
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from upstream_idp import SESSION_COOKIE, Visitor, answer_of, cli, main_sql, text_of

SLUG = os.environ.get("CW_SAML_SLUG", "demo-saml")
TICKET_COOKIE = "__Host-cw_saml"
ACS_PATH = f"/login/saml/{SLUG}/acs"
UNTRUSTED = "The answer from your school's sign-in service could not be trusted."
NO_PERSON = "Your school has no person with this account. Ask your school to add you."
SAMLRESPONSE = re.compile(r'name="SAMLResponse" id="SAMLResponse" value="([^"]+)"')
ACTION = re.compile(r'<form method="post" id="saml-post" action="([^"]+)"')
# pysaml2 names its prefixes ns0, ns1, ns2…: the attacks below find elements by local name, whatever the prefix (a
# prefix cannot be renamed without breaking the signature: exclusive canonicalisation keeps prefixes).
ASSERTION = re.compile(r"<(\w+:)?Assertion\b.*?</\1Assertion>", re.S)
SIGNATURE = re.compile(r"<(\w+:)?Signature\b.*?</\1Signature>", re.S)
ISSUER_END = re.compile(r"</(\w+:)?Issuer>")
AUDIENCE = re.compile(r"<(\w+:)?Audience>[^<]+</\1Audience>")


def student(demo, number):
    return next(p for p in demo["students"] if p["username"] == f"student{number}")


@pytest.fixture(scope="module")
def saml_idp(stack):
    url = os.environ.get("CW_SAML_IDP_URL")
    if not url:
        pytest.fail("CW_SAML_IDP_URL is not set: run through `make test` (deploy/dev/stack starts the SAML provider)")
    idp = SAMLIdP(stack, url)
    idp.mode(sign="assertion", encrypt=False, weak_encryption=False)
    yield idp
    idp.mode(sign="assertion", encrypt=False, weak_encryption=False)


@pytest.fixture(scope="module")
def chromium(stack, saml_idp):
    """This module's Chromium accepts the app's certificate and the SAML provider's (each checked against the dev CA
    first, see browser.py): the sign-in's pages are on two servers."""
    from browser import start_chromium, verified_server_pin

    pins = [verified_server_pin(urlsplit(stack.app_url).hostname, stack.https_port, stack.ca_file),
            verified_server_pin("127.0.0.1", urlsplit(saml_idp.url).port, stack.ca_file)]
    driver = start_chromium(pins)
    yield driver
    driver.quit()


class SAMLIdP:
    def __init__(self, stack, url):
        self.stack, self.url = stack, url
        self.http = stack.session()

    def mode(self, **changes):
        answer = self.http.post(self.url + "/_control/mode", json=changes, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()


class SAMLVisitor(Visitor):
    """One browser's cookies through a SAML round trip (plain HTTP, every redirect looked at)."""

    def login_at_idp(self, username, password):
        """Starts at /login/upstream/<slug>, signs in at the IdP; returns (ACS URL, the IdP's SAMLResponse XML)."""
        started = self.start(SLUG)
        assert started.status == 303, f"/login/upstream/{SLUG} answered {started.status}: {started.body[:500]}"
        assert started.sets_cookie(TICKET_COOKIE), started.set_cookies
        self.request_xml = zlib.decompress(base64.b64decode(parse_qs(urlsplit(started.location).query)["SAMLRequest"][0]), -15).decode()
        page = self.get(started.location)
        assert page.status == 200, page.body[:500]
        key = re.search(r'name="key" value="([^"]+)"', page.body).group(1)
        answer = self.post(self.stack_idp + "/login", {"key": key, "username": username, "password": password})
        assert answer.status == 200, answer.body[:500]
        return ACTION.search(answer.body).group(1).replace("&amp;", "&"), base64.b64decode(SAMLRESPONSE.search(answer.body).group(1)).decode()

    def post_response(self, xml, acs=None):
        acs = acs or self.app(ACS_PATH)
        encoded = base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()
        return self.post(acs, {"SAMLResponse": encoded}, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"})

    def fresh_ticket(self):
        """A new sign-in started in this browser (a new ticket and request ID) without finishing it."""
        started = self.start(SLUG)
        assert started.status == 303
        return zlib.decompress(base64.b64decode(parse_qs(urlsplit(started.location).query)["SAMLRequest"][0]), -15).decode()


@pytest.fixture()
def visitor(stack, saml_idp):
    v = SAMLVisitor(stack)
    v.stack_idp = saml_idp.url
    return v


def audit_rows_since(stack, started):
    rows = main_sql(stack, "SELECT event, detail FROM security_audit_log WHERE occurred_at >= "
                           f"FROM_UNIXTIME({int(started) - 1}) ORDER BY id")
    return [(event, detail) for event, detail in rows]


def links_count(stack):
    return int(main_sql(stack, f"SELECT COUNT(*) FROM upstream_links l JOIN upstream_providers p ON p.id = l.provider_id "
                               f"WHERE p.slug = '{SLUG}'")[0][0])


def assert_refused(stack, answer, started, reason_part, status=400, message=UNTRUSTED):
    assert answer.status == status, (answer.status, answer.body[:800])
    assert answer.h1 == "Sign-in with Demo SAML did not work", answer.body[:800]
    assert answer.error == message, answer.error
    assert not answer.sets_cookie(SESSION_COOKIE), answer.set_cookies
    rows = [detail for event, detail in audit_rows_since(stack, started) if event == "sign_in_failed" and "(saml)" in detail]
    assert any(reason_part in detail for detail in rows), rows


# ----------------------------------------------------------------------------- the happy paths

def test_our_metadata_names_the_acs_our_certificate_and_the_entity_id(stack, http):
    answer = http.get(stack.app_url + f"/login/saml/{SLUG}/metadata")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/samlmetadata+xml")
    body = answer.text
    assert f'entityID="{stack.app_url}/login/saml/{SLUG}/metadata"' in body
    assert f'Location="{stack.app_url}{ACS_PATH}"' in body
    assert 'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"' in body
    assert body.count("<ds:X509Certificate>") == 2 and 'WantAssertionsSigned="true"' in body
    assert "PRIVATE" not in body


def test_the_demo_saml_button_signs_a_student_in_and_an_oauth_flow_follows(
        stack, demo, browser, oauth, confidential_client, saml_idp):
    """Chromium: a third-party app sends a signed-out student to our authorization endpoint; the student continues
    with the school's SAML provider (HTTP-Redirect there, auto-posted HTTP-POST back) and lands on exactly the request
    being resumed; the app's ID token says amr ["fed"], and the account is linked by the NameID (an email)."""
    me = student(demo, 51)
    flow = oauth.flow(confidential_client, "openid profile.read")
    started = time.time()
    browser.open(flow.path)
    resume = browser.value("form#signin input[name=next]")
    assert resume.startswith("/authsso?"), resume
    browser.open("/login?school=demo-school&next=" + quote(resume, safe=""))
    link = f"a.button.upstream[href^='/login/upstream/{SLUG}']"
    assert browser.text(link) == "Continue with Demo SAML"
    browser.follow(link)
    assert browser.driver.current_url.startswith(saml_idp.url + "/sso/redirect?SAMLRequest="), browser.driver.current_url
    browser.submit("form", {"username": me["email"], "password": demo["password"]}, button="#sign-in")
    if not flow._caught(browser):
        assert browser.has("form#consent-form"), browser.text("main")
        flow.answer(browser)
    token = flow.exchange()
    claims = oauth.verify_id_token(token["id_token"], confidential_client, flow.nonce, signed_in_after=started)
    assert claims["amr"] == ["fed"]
    rows = main_sql(stack, f"SELECT l.subject, l.user_id FROM upstream_links l JOIN upstream_providers p ON p.id = l.provider_id "
                           f"WHERE p.slug = '{SLUG}' AND l.subject = '{me['email']}'")
    assert rows == [[me["email"], str(me["id"])]]


def test_a_plain_round_trip_signs_in_and_the_request_is_what_we_sent(stack, demo, visitor):
    me = student(demo, 52)
    acs, xml = visitor.login_at_idp(me["email"], demo["password"])
    assert acs == visitor.app(ACS_PATH)
    assert f'Destination="{saml_idp_sso(visitor)}"' in visitor.request_xml
    assert f"<saml:Issuer>{stack.app_url}/login/saml/{SLUG}/metadata</saml:Issuer>" in visitor.request_xml
    answer = visitor.post_response(xml)
    assert (answer.status, answer.location) == (303, "/student"), answer.body[:800]
    assert answer.sets_cookie(SESSION_COOKIE)


def saml_idp_sso(visitor):
    return visitor.stack_idp + "/sso/redirect"


@pytest.mark.parametrize("sign,encrypt", [("response", False), ("both", False), ("assertion", True), ("response", True)])
def test_each_signing_mode_and_encrypted_assertions_sign_in(stack, demo, visitor, saml_idp, sign, encrypt):
    me = student(demo, 53)
    saml_idp.mode(sign=sign, encrypt=encrypt)
    try:
        _, xml = visitor.login_at_idp(me["email"], demo["password"])
    finally:
        saml_idp.mode(sign="assertion", encrypt=False)
    assert ("EncryptedAssertion" in xml) == encrypt
    answer = visitor.post_response(xml)
    assert (answer.status, answer.location) == (303, "/student"), answer.body[:800]


# ----------------------------------------------------------------------------- refusals built from real answers

def genuine(visitor, demo, number=54):
    me = student(demo, number)
    acs, xml = visitor.login_at_idp(me["email"], demo["password"])
    return xml


def sign_with_other_key(stack, tmp_path, xml):
    """`xml` with its assertion re-signed by a key nobody configured (xmlsec1, as the IdP signs)."""
    key, cert = tmp_path / "other.key", tmp_path / "other.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    source = tmp_path / "in.xml"
    source.write_text(xml)
    out = tmp_path / "out.xml"
    subprocess.run(["xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}", "--id-attr:ID",
                    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", "--output", str(out), str(source)], check=True,
                   capture_output=True)
    return out.read_text()


def test_an_unsigned_response_is_refused(stack, demo, visitor, saml_idp):
    saml_idp.mode(sign="none")
    try:
        xml = genuine(visitor, demo)
    finally:
        saml_idp.mode(sign="assertion")
    assert not SIGNATURE.search(xml)
    started, links = time.time(), links_count(stack)
    assert_refused(stack, visitor.post_response(xml), started, "not signed as required")
    assert links_count(stack) == links


def test_a_response_signed_by_another_key_is_refused(stack, demo, visitor, tmp_path):
    xml = genuine(visitor, demo)
    unsigned = SIGNATURE.sub("", xml)
    # An empty signature template where the IdP's was, then signed with our made-up key.
    template = with_signature_template(unsigned, assertion_id(xml))
    assert template != unsigned, xml[:600]
    forged = sign_with_other_key(stack, tmp_path, template)
    started = time.time()
    assert_refused(stack, visitor.post_response(forged), started, "did not verify")


def signature_template(reference):
    return ('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
            '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
            '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
            f'<ds:Reference URI="#{reference}"><ds:Transforms>'
            '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
            '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
            '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>'
            '</ds:SignedInfo><ds:SignatureValue/></ds:Signature>')


def assertion_id(xml):
    return re.search(r'<(\w+:)?Assertion\b[^>]*\bID="([^"]+)"', xml).group(2)


def prefixes(xml):
    """The prefixes the IdP bound to the protocol, assertion and signature namespaces (pysaml2: ns0, ns1, ns2)."""
    def bound(uri):
        found = re.search(r'xmlns:(\w+)="' + re.escape(uri) + '"', xml)
        return found.group(1) + ":" if found else ""
    return (bound("urn:oasis:names:tc:SAML:2.0:protocol"), bound("urn:oasis:names:tc:SAML:2.0:assertion"),
            bound("http://www.w3.org/2000/09/xmldsig#"))


def after_issuer(assertion, insert):
    """`assertion` with `insert` right after its Issuer (where a signature goes)."""
    end = ISSUER_END.search(assertion)
    return assertion[:end.end()] + insert + assertion[end.end():]


def with_signature_template(xml, reference):
    original = ASSERTION.search(xml).group(0)
    return xml.replace(original, after_issuer(original, signature_template(reference)))


def evil_copy(assertion, victim_email, attacker_email, new_id=None):
    """The signed assertion with its signature removed and another person's NameID (what an attacker wants read)."""
    evil = SIGNATURE.sub("", assertion).replace(attacker_email, victim_email)
    return evil.replace(f'ID="{assertion_id(assertion)}"', f'ID="{new_id}"', 1) if new_id else evil


XSW = ["xsw1", "xsw2", "xsw3", "xsw4", "xsw5", "xsw6", "xsw7", "xsw8"]


def wrap(variant, xml, victim, attacker):
    """Somorovsky et al., "On Breaking SAML: Be Whoever You Want to Be" (USENIX Security 2012), XSW1-8, applied to
    an assertion-signed response: the signed original is kept (so its signature still verifies somewhere) and an
    evil assertion for the victim is put where a careless reader would look."""
    original = ASSERTION.search(xml).group(0)
    signature = SIGNATURE.search(original).group(0)
    evil = evil_copy(original, victim, attacker, new_id="_evil")
    pp, ap, dp = prefixes(xml)
    response_open = re.match(r"(<\?xml[^>]*>\s*)?<(\w+:)?Response\b[^>]*>", xml).group(0)
    if variant == "xsw1":  # the whole signed response moved into an unsigned copy's Extensions, evil assertion outside
        inner = xml[len(response_open):].rsplit(f"</{pp}Response>", 1)[0]
        return response_open + f"<{pp}Extensions><{pp}Response ID=\"_orig\">" + inner + f"</{pp}Response></{pp}Extensions>" + \
            inner.replace(original, evil) + f"</{pp}Response>"
    if variant == "xsw2":  # same, the signed copy placed before the evil one without Extensions
        return xml.replace(original, evil + original)
    if variant == "xsw3":  # evil assertion before the signed one, same ID
        return xml.replace(original, evil_copy(original, victim, attacker) + original)
    if variant == "xsw4":  # the signed assertion inside the evil one
        return xml.replace(original, evil.replace(f"</{ap}Assertion>", original + f"</{ap}Assertion>"))
    if variant == "xsw5":  # the signature moved into the evil assertion, the original appended
        return xml.replace(original, after_issuer(evil, signature) + SIGNATURE.sub("", original))
    if variant == "xsw6":  # the original inside the signature's Object of the evil assertion
        moved = signature.replace(f"</{dp}Signature>", f"<{dp}Object>" + SIGNATURE.sub("", original) + f"</{dp}Object></{dp}Signature>")
        return xml.replace(original, after_issuer(evil, moved))
    if variant == "xsw7":  # the original inside an Extensions element of the evil assertion
        return xml.replace(original, after_issuer(evil, f"<{pp}Extensions>" + original + f"</{pp}Extensions>"))
    if variant == "xsw8":  # the original (signature stripped) inside the signature's Object, signature in the evil one
        moved = signature.replace(f"</{dp}Signature>", f"<{dp}Object>" + SIGNATURE.sub("", original) + f"</{dp}Object></{dp}Signature>")
        return xml.replace(original, after_issuer(evil_copy(original, victim, attacker), moved))
    raise ValueError(variant)


@pytest.mark.parametrize("variant", XSW)
def test_signature_wrapping_is_refused(stack, demo, visitor, variant):
    attacker, victim = student(demo, 55), demo["school_admin"]
    xml = visitor.login_at_idp(attacker["email"], demo["password"])[1]
    wrapped = wrap(variant, xml, victim["email"], attacker["email"])
    assert wrapped != xml and victim["email"] in wrapped
    started, links = time.time(), links_count(stack)
    answer = visitor.post_response(wrapped)
    assert_refused(stack, answer, started, "xml: ")
    assert links_count(stack) == links


def test_a_comment_inside_the_nameid_does_not_truncate_it(stack, demo, visitor):
    """The attacker's own account is the first student's email + ".evil"; a comment before ".evil" keeps the
    signature (exclusive canonicalisation drops comments) but must never make us read the first student's email."""
    first = demo["students"][0]
    _, xml = visitor.login_at_idp(first["email"] + ".evil", demo["password"])
    spoiled = xml.replace(f">{first['email']}.evil<", f">{first['email']}<!---->.evil<")
    assert spoiled != xml
    started = time.time()
    answer = visitor.post_response(spoiled)
    assert_refused(stack, answer, started, "NameID is split")
    # Without the comment it is the attacker's own account: nobody on the roster.
    _, xml = visitor.login_at_idp(first["email"] + ".evil", demo["password"])
    assert_refused(stack, visitor.post_response(xml), time.time(), "no roster person", status=403, message=NO_PERSON)


def test_a_replayed_assertion_is_refused_even_with_a_new_ticket(stack, demo, visitor):
    me = student(demo, 56)
    _, xml = visitor.login_at_idp(me["email"], demo["password"])
    assert visitor.post_response(xml).status == 303
    # The same POST again: the ticket is spent.
    started = time.time()
    assert_refused(stack, visitor.post_response(xml), started, "no ticket",
                   message="This sign-in has expired, was already used, or did not start in this browser. Start again.")
    # With a new ticket its request ID differs: refused for InResponseTo.
    visitor.fresh_ticket()
    assert_refused(stack, visitor.post_response(xml), started, "InResponseTo", message="This answer belongs to another sign-in. Start again.")


def test_an_answer_for_another_request_is_refused(stack, demo, stack_visitors):
    """A response obtained by one browser, posted by another that started its own sign-in (login CSRF)."""
    first, second = stack_visitors
    _, xml = first.login_at_idp(student(demo, 57)["email"], demo["password"])
    second.fresh_ticket()
    started = time.time()
    assert_refused(stack, second.post_response(xml), started, "InResponseTo", message="This answer belongs to another sign-in. Start again.")
    assert not second.has_session()


def test_a_refused_answer_is_explained_in_the_pages_language(stack, demo, stack_visitors):
    """The same refusal for a browser that asks for Spanish: the page and the sentence are Spanish; the log keeps
    its English reason."""
    first, second = stack_visitors
    _, xml = first.login_at_idp(student(demo, 59)["email"], demo["password"])
    second.fresh_ticket()
    started = time.time()
    encoded = base64.b64encode(xml.encode()).decode()
    answer = second.post(second.app(ACS_PATH), {"SAMLResponse": encoded},
                         headers={"Origin": "null", "Sec-Fetch-Site": "cross-site", "Accept-Language": "es"})
    assert answer.status == 400, (answer.status, answer.body[:800])
    assert '<html lang="es"' in answer.body, answer.body[:300]
    assert answer.error == "Esta respuesta pertenece a otro inicio de sesión. Vuelva a empezar.", answer.error
    assert not answer.sets_cookie(SESSION_COOKIE), answer.set_cookies
    rows = [detail for event, detail in audit_rows_since(stack, started) if event == "sign_in_failed" and "(saml)" in detail]
    assert any("InResponseTo" in detail for detail in rows), rows


@pytest.fixture()
def stack_visitors(stack, saml_idp):
    visitors = [SAMLVisitor(stack), SAMLVisitor(stack)]
    for v in visitors:
        v.stack_idp = saml_idp.url
    return visitors


def test_an_altered_audience_or_expiry_breaks_the_signature(stack, demo, visitor):
    """Another audience, an expired NotOnOrAfter: edited into a signed assertion, the digest no longer matches."""
    xml = genuine(visitor, demo, 58)
    other = AUDIENCE.sub(r"<\1Audience>https://other.example/sp</\1Audience>", xml)
    assert other != xml
    started = time.time()
    assert_refused(stack, visitor.post_response(other), started, "did not verify")


def test_an_assertion_for_another_audience_or_expired_is_refused_when_signed(stack, demo, visitor, saml_idp, tmp_path):
    """The same checks on a validly signed message: re-signed with the IdP's own key (the stack's IdP key file),
    as a compromised or misconfigured IdP would send them."""
    key = stack.dir / "saml-idp" / "signing.key"
    cert = stack.dir / "saml-idp" / "signing.crt"
    expired_at = (datetime.now(timezone.utc) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for name, edit, reason in [
        ("audience", lambda x: AUDIENCE.sub(r"<\1Audience>https://other.example/sp</\1Audience>", x),
         "another audience"),
        ("expired", lambda x: re.sub(r'NotOnOrAfter="[^"]+"', f'NotOnOrAfter="{expired_at}"', x), "expired"),
    ]:
        xml = genuine(visitor, demo, 58)
        template = with_signature_template(edit(SIGNATURE.sub("", xml)), assertion_id(xml))
        source, out = tmp_path / f"{name}.xml", tmp_path / f"{name}-signed.xml"
        source.write_text(template)
        subprocess.run(["xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}", "--id-attr:ID",
                        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", "--output", str(out), str(source)], check=True,
                       capture_output=True)
        started = time.time()
        answer = visitor.post_response(out.read_text())
        expected = "This sign-in answer has expired. Start again." if name == "expired" else UNTRUSTED
        assert_refused(stack, answer, started, reason, message=expected)


XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0">&x;</samlp:Response>"""
LAUGHS = ("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
          + "".join(f"<!ENTITY lol{i} \"{('&lol' + (str(i - 1) if i > 1 else '') + ';') * 10}\">" for i in range(1, 10))
          + "]><samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&lol9;</samlp:Response>")


@pytest.mark.parametrize("document,reason", [(XXE, "DOCTYPE"), (LAUGHS, "DOCTYPE"), ("<not-xml", "not well-formed"),
                                             ("\u00ff" * 10, "not well-formed")])
def test_dtds_external_entities_and_garbage_are_refused(stack, visitor, document, reason):
    visitor.fresh_ticket()
    started = time.time()
    assert_refused(stack, visitor.post_response(document), started, reason)


def test_weakly_encrypted_assertions_are_refused(stack, demo, visitor, saml_idp):
    saml_idp.mode(encrypt=True, weak_encryption=True)
    try:
        xml = genuine(visitor, demo)
    finally:
        saml_idp.mode(encrypt=False, weak_encryption=False)
    assert "tripledes-cbc" in xml
    started = time.time()
    assert_refused(stack, visitor.post_response(xml), started, "not allowed")


def test_a_post_without_a_ticket_or_without_a_response_is_a_clear_page(stack, visitor):
    started = time.time()
    answer = visitor.post(visitor.app(ACS_PATH), {"SAMLResponse": "PHg+"})
    assert_refused(stack, answer, started, "no ticket",
                   message="This sign-in has expired, was already used, or did not start in this browser. Start again.")
    visitor.fresh_ticket()
    answer = visitor.post(visitor.app(ACS_PATH), {"RelayState": "x"})
    assert_refused(stack, answer, started, "no SAMLResponse", message="The answer from your school's sign-in service is missing or too large.")
    answer = answer_of(visitor.http.post(visitor.app("/login/saml/no-such/acs"), data={"SAMLResponse": "x"}, allow_redirects=False, timeout=30))
    assert answer.status == 404 and answer.error == "There is no such sign-in provider here."


# ----------------------------------------------------------------------------- configuration

def test_the_school_admin_tests_the_saml_provider_and_sees_the_verified_attributes(stack, demo, saml_idp, browser):
    """"Test this provider" starts a real sign-in in test mode: the page shows the attributes that passed every check
    and the roster person they link to; the admin's own session is unchanged and nobody is linked."""
    admin = demo["school_admin"]
    assert browser.sign_in(admin["username"], admin["password"]) == 200
    session_before = browser.cookie(SESSION_COOKIE)["value"]
    assert browser.open("/school/sign-in") == 200
    assert "SAML 2.0" in browser.text(f"#provider-{SLUG}")
    links = links_count(stack)
    browser.submit(f"form[action='/school/sign-in/providers/{SLUG}/test']")
    assert browser.driver.current_url.startswith(saml_idp.url + "/sso/redirect?"), browser.driver.current_url
    me = student(demo, 57)
    browser.submit("form", {"username": me["email"], "password": demo["password"]}, button="#sign-in")
    assert browser.text("h1") == "Test of Demo SAML"
    assert "signed assertion passed every check" in browser.text("#test-ok")
    assert browser.text("#test-outcome").startswith(f"Would sign in as {me['name']}")
    assert me["email"] in browser.text("#claims")
    assert links_count(stack) == links
    assert browser.cookie(SESSION_COOKIE)["value"] == session_before
    assert browser.open("/school") == 200 and browser.text("#signed-in-as").startswith(admin["name"])


def test_the_cli_refuses_bad_metadata_and_the_change_is_audited(stack, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]><x>&a;</x>")
    done = cli(stack, "upstream", "add-saml", "--school", "demo-school", "--slug", "e2e-bad-saml", "--name", "Bad",
               "--metadata-file", str(bad), check=False)
    assert done.returncode == 65 and "DOCTYPE" in done.stderr, done.stderr
    assert main_sql(stack, "SELECT COUNT(*) FROM upstream_providers WHERE slug = 'e2e-bad-saml'") == [["0"]]
    # Re-importing the demo provider's metadata keeps our key pair (the IdP's copy of our metadata stays right).
    before = main_sql(stack, "SELECT sp_certificate FROM saml_providers s JOIN upstream_providers p ON p.id = s.provider_id "
                             f"WHERE p.slug = '{SLUG}'")
    started = time.time()
    cli(stack, "upstream", "add-saml", "--school", "demo-school", "--slug", SLUG, "--name", "Demo SAML",
        "--metadata-url", os.environ["CW_SAML_IDP_URL"] + "/metadata")
    after = main_sql(stack, "SELECT sp_certificate FROM saml_providers s JOIN upstream_providers p ON p.id = s.provider_id "
                            f"WHERE p.slug = '{SLUG}'")
    assert before == after
    assert any(event == "upstream_provider_changed" and f"saved {SLUG} (saml" in detail for event, detail in audit_rows_since(stack, started))
