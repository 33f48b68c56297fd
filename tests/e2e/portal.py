"""Developer portal helpers shared by the portal's end-to-end tests: mail, sign-up and sign-in as a developer.

Developers are made fresh by each test (a random address), so the tests run in any order and again on the
same stack.
"""
import email
import email.policy
import re
import secrets
import struct
import time
import zlib

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
PASSWORD = "correct horse battery staple 7"


def new_address(label):
    return f"{label}-{secrets.token_hex(5)}@devs.example.org"


def mails_to(mail_dir, address, skip=frozenset()):
    """Messages to `address` in the stack's mail folder, oldest first, leaving out the paths in `skip`."""
    found = []
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        if path in skip:
            continue
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address.lower() in str(message["To"]).lower():
            found.append(message)
    return found


def wait_for_mail(mail_dir, address, count=1, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = mails_to(mail_dir, address)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {count} mail(s) to {address} in {mail_dir}, found {len(mails_to(mail_dir, address))}")


def link_in(message, path):
    """The first link in a mail whose path is `path` (such as /verify)."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https://\S+" + re.escape(path) + r"\?token=[A-Za-z0-9_\-]+", body)
    assert match, f"no {path} link in: {body}"
    return match.group(0)


def csrf_of(html):
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def post_form(session, url, fields, page_url=None):
    """Posts a form as a browser would: fetch the page first for its CSRF token (and form cookie)."""
    page = session.get(page_url or url)
    return session.post(url, data={**fields, "csrf": csrf_of(page.text)}, allow_redirects=False)


def sign_up_verified(stack, mail_dir, label, name="Dev Eloper"):
    """A verified developer signed in on a requests session; returns (session, address)."""
    s = stack.session()
    address = new_address(label)
    url = stack.url("developers", "/signup")
    answer = post_form(s, url, {"name": name, "email": address, "company": "Test Co", "password": PASSWORD,
                                "confirmation": PASSWORD, "terms": "1"})
    assert answer.status_code == 200, answer.text
    link = link_in(wait_for_mail(mail_dir, address)[-1], "/verify")
    token = link.split("token=", 1)[1]
    confirmed = post_form(s, stack.url("developers", "/verify"), {"token": token}, page_url=link)
    assert confirmed.status_code == 303, confirmed.text
    signed_in = post_form(s, stack.url("developers", "/login"), {"email": address, "password": PASSWORD})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/apps", signed_in.headers
    return s, address


APP = {
    "name": "Study Buddy",
    "description": "Flashcards that follow each pupil's classes.",
    "homepage_url": "https://studybuddy.example",
    "privacy_policy_url": "https://studybuddy.example/privacy",
    "redirect_uris": "https://studybuddy.example/callback",
}


def multipart(fields):
    """A form as `requests` multipart parts (the app form is multipart because of its logo field)."""
    parts = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append((name, (None, one)))
    return parts


def declarations(scopes, purpose="Used to run the app for the pupil.", retention="30_days"):
    """The data declaration fields of the app form for `scopes` (issue 23): a purpose, a retention, no sub-processors."""
    fields = {}
    for scope in scopes:
        fields[f"purpose.{scope}"] = purpose
        fields[f"retention.{scope}"] = retention
        fields[f"shares.{scope}"] = "no"
    return fields


def create_app(session, stack, declare=True, **fields):
    """Creates an app by posting the form; with `declare`, every scope in `fields["scopes"]` gets a declaration."""
    page = session.get(stack.url("developers", "/apps/new"))
    declared = declarations(fields.get("scopes", [])) if declare else {}
    created = session.post(stack.url("developers", "/apps"), allow_redirects=False,
                           files=multipart({**APP, **declared, "csrf": csrf_of(page.text), "client_type": "confidential",
                                            **fields}))
    assert created.status_code == 303, created.text
    return created.headers["Location"].split("?")[0]


def png(width=64, height=64):
    """A real PNG: signature, IHDR, one IDAT of solid rows, IEND."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def fill_app_form(portal, fields, logo=None, scopes=("openid", "student.grades.read"), declare=True):
    for scope in scopes:
        box = portal.find(f"form#app-form input[name=scopes][value='{scope}']")
        if not box.is_selected():
            box.click()
        if declare:
            declare_scope(portal, scope)
    values = dict(fields)
    if logo is not None:
        values["logo"] = logo
    return portal.submit("form#app-form", values)


def declare_scope(portal, scope, purpose="Used to run the app for the pupil.", retention="30_days", processors=None):
    """Fills the data declaration of `scope` in the browser: opens its block, types the purpose, picks the retention
    and answers the sub-processor question (`processors`: None for no, or lines of "Name, Country")."""
    from selenium.webdriver.support.ui import Select

    block = portal.find(f"form#app-form details.declaration[data-scope='{scope}']")
    if block.get_attribute("open") is None:
        block.find_element("css selector", "summary").click()
    purpose_field = block.find_element("css selector", f"textarea[name='purpose.{scope}']")
    purpose_field.clear()
    purpose_field.send_keys(purpose)
    Select(block.find_element("css selector", f"select[name='retention.{scope}']")).select_by_value(retention)
    block.find_element("css selector", f"input[name='shares.{scope}'][value='{'yes' if processors else 'no'}']").click()
    if processors:
        field = block.find_element("css selector", f"textarea[name='subprocessors.{scope}']")
        field.clear()
        field.send_keys(processors)
