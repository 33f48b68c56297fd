"""Sign-in against a school's directory (issue 15, LDAP / Active Directory), end to end: through nginx, the real
product and a real directory, Debian's slapd, that `deploy/dev/stack up` started on loopback (StartTLS and LDAPS with
the stack's dev CA; its Active Directory stand-in schema lets the tests use AD's exact filters, the bit-and matching
rule included).

This module adds its own entries under `ou=<PREFIX>,ou=people,...` as the directory's administrator (ldapadd over
StartTLS), its own schools (SQL, as a roster import would leave them) and sets each school's directory the way an
operator does (`catalystwells directory set`): one school per directory setting (a good one, failover past a closed
port, a closed port only, a server that accepts and never answers, a CA that is not the server's, a base DN that is a
referral). Every refusal must show its page, set no session cookie and leave an audit entry that names the reason;
nothing about a directory's answer is stored (no user, no link). Everything is removed at the end.
"""
import os
import re
import secrets
import socket
import subprocess
import threading
import time

import pytest

from upstream_idp import SESSION_COOKIE, Visitor, answer_of, cli, main_sql, text_of

PREFIX = "e2edir" + secrets.token_hex(3)
PASSWORD = "directory-" + secrets.token_hex(6)
FAILED = "That email or username and password do not match. Check both and try again."
NO_PERSON = "Your school has no person with this account. Ask your school to add you."
DID_NOT_ANSWER = "The school's directory did not answer, so your password could not be checked."
NOT_VERIFIED = "The school's directory could not prove who it is (its certificate did not verify), so your password was not sent to it."
REFERRED = "The school's directory sent the sign-in on to another server, which we do not follow."
CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
AD_FILTER = "(&(objectClass=user)(sAMAccountName={name})(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
SCHOOLS = ("main", "failover", "down", "slow", "badca", "referral", "bitcheck")


def env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} not set: run the end-to-end tests through `make test` (deploy/dev/stack env)")
    return value


# ----------------------------------------------------------------------------- the directory

class Directory:
    """The stack's slapd, as its administrator (for this module's entries) and as its service account."""

    def __init__(self, stack):
        self.stack = stack
        self.port = int(env("CW_LDAP_PORT"))
        self.ldaps_port = int(env("CW_LDAPS_PORT"))
        self.people = env("CW_LDAP_PEOPLE")
        self.admin_dn = env("CW_LDAP_ADMIN_DN")
        self.admin_password_file = env("CW_LDAP_ADMIN_PASSWORD_FILE")
        self.reader_dn = env("CW_LDAP_READER_DN")
        self.reader_password_file = env("CW_LDAP_READER_PASSWORD_FILE")
        self.base = f"ou={PREFIX},{self.people}"

    def tool(self, name, *args, stdin=None, check=True):
        done = subprocess.run(
            [name, "-x", "-ZZ", "-H", f"ldap://127.0.0.1:{self.port}", "-D", self.admin_dn, "-y", self.admin_password_file, *args],
            input=stdin, capture_output=True, text=True, timeout=60,
            env=dict(os.environ, LDAPTLS_CACERT=self.stack.ca_file, LDAPTLS_REQCERT="demand"))
        if check:
            assert done.returncode == 0, f"{name} {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def add(self, ldif):
        self.tool("ldapadd", stdin=ldif)

    def user(self, key, sourced_id, control=512, name=None, password=PASSWORD):
        account = name or f"{key}-{PREFIX}"
        self.add(f"""dn: uid={key},{self.base}
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: inetOrgPerson
objectClass: user
uid: {key}
cn: {key} {PREFIX}
sn: {key}
sAMAccountName: {account}
userPrincipalName: {account}@{PREFIX}.example.org
employeeID: {sourced_id}
userAccountControl: {control}
userPassword: {password}
""")
        return account

    def remove_all(self):
        self.tool("ldapdelete", "-r", self.base, check=False)


@pytest.fixture(scope="module")
def directory(stack):
    found = Directory(stack)
    found.remove_all()
    found.add(f"dn: {found.base}\nobjectClass: organizationalUnit\nou: {PREFIX}\n")
    yield found
    found.remove_all()


# ----------------------------------------------------------------------------- schools and people

def school(key):
    return f"{PREFIX}-{key}"


def person_sourced_id(key):
    return f"{PREFIX}-{key}"


SCHOOL_SQL = """
INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('{sid}', 'Directory school {key}', NOW(6), NOW(6));
SET @s = LAST_INSERT_ID();
INSERT INTO users (school_id, sourced_id, role, given_name, family_name, email, username, active, created_at, updated_at) VALUES
  (@s, '{prefix}-{key}-ada', 'student', 'Ada', 'Directory', '{key}-ada@{prefix}.example.org', '{prefix}-{key}-ada', TRUE, NOW(6), NOW(6)),
  (@s, '{prefix}-{key}-gone', 'student', 'Gone', 'Directory', NULL, '{prefix}-{key}-gone', FALSE, NOW(6), NOW(6)),
  (@s, '{prefix}-{key}-off', 'student', 'Off', 'Directory', NULL, '{prefix}-{key}-off', TRUE, NOW(6), NOW(6)),
  (@s, '{prefix}-{key}-twin', 'student', 'Twin', 'Directory', NULL, '{prefix}-{key}-twin', TRUE, NOW(6), NOW(6));
"""


class Schools:
    def __init__(self, stack, directory, folder):
        self.stack, self.directory, self.folder = stack, directory, folder
        self.reader_password = open(directory.reader_password_file).read().strip()

    def create(self):
        for key in SCHOOLS:
            main_sql(self.stack, SCHOOL_SQL.format(sid=school(key), key=key, prefix=PREFIX))

    def configure(self, key, uris, ca_file=None, base=None, filter=AD_FILTER, check="active-directory", expect_ok=True):
        uri_args = [arg for uri in uris for arg in ("--uri", uri)]
        return cli(self.stack, "directory", "set", "--school", school(key), "--name", f"Directory {key}", *uri_args,
                   "--ca-file", ca_file or self.stack.ca_file, "--bind-dn", self.directory.reader_dn,
                   "--bind-password-file", self.directory.reader_password_file, "--base-dn", base or self.directory.base,
                   "--filter", filter, "--link", "sourced-id", "--link-attribute", "employeeID", "--disabled-check", check,
                   check=expect_ok)

    def remove_all(self):
        main_sql(self.stack, f"DELETE FROM users WHERE sourced_id LIKE '{PREFIX}-%'")
        main_sql(self.stack, f"DELETE FROM schools WHERE sourced_id LIKE '{PREFIX}-%'")


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


class SilentServer:
    """Accepts connections and never answers: a directory that hangs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture(scope="module")
def schools(stack, directory, tmp_path_factory):
    folder = tmp_path_factory.mktemp("directory")
    registry = Schools(stack, directory, folder)
    registry.remove_all()
    registry.create()
    silent = SilentServer()
    try:
        # The people of the "main" school's directory: Ada (linked by employeeID = her roster sourcedId), a disabled
        # account, an account whose roster person is deactivated, one that names nobody, and two entries that answer
        # to one name.
        for key in SCHOOLS:
            directory.user(f"{key}-ada", f"{PREFIX}-{key}-ada", name=f"{key}-ada-{PREFIX}")
            directory.user(f"{key}-off", f"{PREFIX}-{key}-off", control=514, name=f"{key}-off-{PREFIX}")
        directory.user("gone", f"{PREFIX}-main-gone")
        directory.user("ghost", f"{PREFIX}-main-nobody")
        directory.user("twin1", f"{PREFIX}-main-twin", name=f"twin-{PREFIX}")
        directory.user("twin2", f"{PREFIX}-main-twin", name=f"twin-{PREFIX}")
        directory.add(f"""dn: ou=moved,{directory.base}
objectClass: referral
objectClass: extensibleObject
ou: moved
ref: ldap://127.0.0.1:{closed_port()}/ou=moved,dc=elsewhere,dc=test
""")
        starttls = f"ldap://127.0.0.1:{directory.port}"
        ldaps = f"ldaps://127.0.0.1:{directory.ldaps_port}"
        registry.configure("main", [starttls])
        registry.configure("failover", [f"ldap://127.0.0.1:{closed_port()}", ldaps])
        registry.configure("down", [f"ldap://127.0.0.1:{closed_port()}", f"ldaps://127.0.0.1:{closed_port()}"])
        registry.configure("slow", [f"ldap://127.0.0.1:{silent.port}"])
        # A CA of its own that signed nothing the server has.
        other_ca = folder / "other-ca.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                        str(folder / "other-ca.key"), "-subj", "/CN=Not the directory's CA", "-days", "2", "-out", str(other_ca)],
                       check=True, capture_output=True)
        registry.configure("badca", [starttls, ldaps], ca_file=str(other_ca))
        registry.configure("referral", [starttls], base=f"ou=moved,{directory.base}")
        # Disabled accounts left to the userAccountControl check (the filter lets them through).
        registry.configure("bitcheck", [ldaps], filter="(&(objectClass=user)(sAMAccountName={name}))")
        yield registry
    finally:
        silent.close()
        registry.remove_all()


# ----------------------------------------------------------------------------- helpers

def post_sign_in(stack, key, name, password, visitor=None):
    """The school's password form as a browser posts it (form cookie and csrf from the school's sign-in page)."""
    visitor = visitor or Visitor(stack)
    page = visitor.get(visitor.app(f"/login?school={school(key)}"))
    assert page.status == 200 and 'action="/login/directory"' in page.body, page.body[:2000]
    csrf = CSRF_FIELD.search(page.body).group(1)
    response = visitor.http.post(visitor.app("/login/directory"), allow_redirects=False, timeout=90,
                                 data={"csrf": csrf, "school": school(key), "identifier": name, "password": password})
    visitor.last_response_headers = response.headers
    return visitor, answer_of(response)


def audit_since(stack, key, mark):
    """(event, method, subject, detail) of the audit entries of school `key` after id `mark`."""
    rows = main_sql(stack, "SELECT a.event, a.method, COALESCE(a.subject_id, ''), a.detail FROM security_audit_log a "
                           f"JOIN schools s ON s.id = a.school_id WHERE s.sourced_id = '{school(key)}' AND a.id > {mark} ORDER BY a.id")
    return [tuple(row) for row in rows]


def audit_mark(stack):
    return int(main_sql(stack, "SELECT COALESCE(MAX(id), 0) FROM security_audit_log")[0][0])


def user_id(stack, sourced_id):
    return main_sql(stack, f"SELECT id FROM users WHERE sourced_id = '{sourced_id}'")[0][0]


def assert_refused(visitor, answer, message, status=200):
    assert answer.status == status, f"{answer.status}: {text_of(answer.body)[:600]}"
    assert message in text_of(answer.body), text_of(answer.body)[:600]
    assert not answer.sets_cookie(SESSION_COOKIE) and not visitor.has_session()


def answer_headers(visitor):
    return visitor.last_response_headers


def counts(stack):
    return main_sql(stack, "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM upstream_links)")[0]


# ----------------------------------------------------------------------------- signing in

def test_the_school_link_shows_the_directory_form_and_the_password_signs_in(stack, schools, browser):
    """In Chromium: /login?school=<school> says whose account to use and posts to the directory; the directory
    password signs Ada in (her roster person by employeeID), amr pwd; the audit line names the entry."""
    mark = audit_mark(stack)
    assert browser.open(f"/login?school={school('main')}") == 200
    assert browser.text("#directory-note") == "Sign in with your Directory main account: your username and password there."
    assert browser.attributes("form#signin", "action") == [stack.app_url + "/login/directory"]
    status = browser.submit("form#signin", {"identifier": f"main-ada-{PREFIX}", "password": PASSWORD})
    assert (status, browser.path) == (200, "/student"), browser.text("main")
    assert browser.text("#signed-in-as") == "Ada Directory · Student"
    ada = user_id(stack, f"{PREFIX}-main-ada")
    assert audit_since(stack, "main", mark) == [("sign_in", "pwd", ada, f"directory: uid=main-ada,{schools.directory.base}")]
    sessions = main_sql(stack, f"SELECT amr FROM sessions WHERE user_id = {ada}")
    assert sessions and all(row == ["pwd"] for row in sessions)


def test_the_demo_school_signs_in_against_the_demo_directory(stack, demo, browser):
    """What `make dev` offers: the demo school's sign-in link checks the demo password against the demo directory."""
    me = next(p for p in demo["students"] if p["username"] == "student39")
    assert browser.open("/login?school=demo-school") == 200
    assert browser.has("#directory-note")
    status = browser.submit("form#signin", {"identifier": me["username"], "password": demo["password"]})
    assert (status, browser.path) == (200, "/student"), browser.text("main")
    assert browser.text("#signed-in-as") == f"{me['name']} · Student"


def test_failover_passes_a_closed_port_and_uses_ldaps(stack, schools):
    visitor, answer = post_sign_in(stack, "failover", f"failover-ada-{PREFIX}", PASSWORD)
    assert (answer.status, answer.location) == (303, "/student"), text_of(answer.body)[:500]
    assert answer.sets_cookie(SESSION_COOKIE)


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "disabled (filter)", "disabled (bit)", "several entries",
                                  "empty password", "empty name"])
def test_refusals_tell_nothing_and_are_audited(stack, schools, case):
    key, name, password, reason = {
        "wrong password": ("main", f"main-ada-{PREFIX}", "not-" + PASSWORD, f"wrong password for uid=main-ada,{schools.directory.base}"),
        "unknown user": ("main", f"nobody-{PREFIX}", PASSWORD, "no directory entry matches"),
        "disabled (filter)": ("main", f"main-off-{PREFIX}", PASSWORD, "no directory entry matches"),
        "disabled (bit)": ("bitcheck", f"bitcheck-off-{PREFIX}", PASSWORD,
                           f"directory account disabled: uid=bitcheck-off,{schools.directory.base}"),
        "several entries": ("main", f"twin-{PREFIX}", PASSWORD, "several directory entries match"),
        "empty password": ("main", f"main-ada-{PREFIX}", "", "empty password (no bind attempted)"),
        "empty name": ("main", "   ", PASSWORD, "empty name"),
    }[case]
    before, mark = counts(stack), audit_mark(stack)
    visitor, answer = post_sign_in(stack, key, name, password)
    assert_refused(visitor, answer, FAILED)
    assert audit_since(stack, key, mark) == [("sign_in_failed", "pwd", "", f"directory: {reason}")]
    assert counts(stack) == before, "nothing written but the audit line"


def test_an_empty_password_never_reaches_the_directory(stack, schools):
    """No bind at all (an empty password would be an unauthenticated bind): slapd's log shows no BIND for the entry."""
    log = stack.dir / "logs" / "directory.log"
    offset = log.stat().st_size
    visitor, answer = post_sign_in(stack, "main", f"main-ada-{PREFIX}", "")
    assert_refused(visitor, answer, FAILED)
    time.sleep(0.5)
    written = log.read_text(errors="replace")[offset:]
    assert f"uid=main-ada,{schools.directory.base}" not in written and "sAMAccountName" not in written, written[-2000:]


@pytest.mark.parametrize("name", ["*)(uid=*", "*", "\\00", "\x00", f"main-ada-{PREFIX})(|(sAMAccountName=*", "x" * 10_000,
                                  "é" * 200])
def test_injection_strings_match_nobody(stack, schools, name):
    """LDAP injection strings are searched for literally (RFC 4515 escaping) and match nobody, even with the right
    password of someone they would otherwise have matched; a 10 000-character name is refused before any search."""
    before, mark = counts(stack), audit_mark(stack)
    visitor, answer = post_sign_in(stack, "main", name, PASSWORD)
    assert_refused(visitor, answer, FAILED)
    reason = "name too long" if len(name.encode()) > 256 else "no directory entry matches"
    assert audit_since(stack, "main", mark) == [("sign_in_failed", "pwd", "", f"directory: {reason}")]
    assert counts(stack) == before


def test_a_right_password_for_nobody_on_the_roster_says_so(stack, schools):
    for who, subject in ((f"ghost-{PREFIX}", ""), (f"gone-{PREFIX}", user_id(stack, f"{PREFIX}-main-gone"))):
        mark = audit_mark(stack)
        visitor, answer = post_sign_in(stack, "main", who, PASSWORD)
        assert_refused(visitor, answer, NO_PERSON, status=403)
        [(event, method, audited_subject, detail)] = audit_since(stack, "main", mark)
        assert (event, method, audited_subject) == ("sign_in_failed", "pwd", subject) and detail.startswith("directory: "), detail


@pytest.mark.parametrize("key,message,kind", [
    ("down", DID_NOT_ANSWER, "unreachable"),
    ("slow", DID_NOT_ANSWER, "timedOut"),
    ("badca", NOT_VERIFIED, "tls"),
    ("referral", REFERRED, "referral"),
])
def test_a_directory_that_cannot_be_used_gets_a_clear_page(stack, schools, key, message, kind):
    before, mark = counts(stack), audit_mark(stack)
    started = time.monotonic()
    visitor, answer = post_sign_in(stack, key, f"{key}-ada-{PREFIX}", PASSWORD)
    took = time.monotonic() - started
    assert_refused(visitor, answer, message, status=502)
    assert answer.h1 == f"Sign-in with Directory {key} did not work"
    [(event, method, subject, detail)] = audit_since(stack, key, mark)
    assert (event, method, subject) == ("sign_in_failed", "pwd", "") and detail.startswith(f"directory: {kind}: "), detail
    assert counts(stack) == before
    if key == "slow":
        assert 9 <= took < 30, f"the operation timeout is 10 s, took {took:.1f} s"


def test_the_directory_name_is_throttled_like_a_password_account(stack, schools):
    """Five wrong passwords lock the name (the test stack's lock-out is 3 s): the right one is refused with 429 and
    Retry-After until the lock ends, then signs in."""
    name = f"failover-ada-{PREFIX}".upper()  # the throttle counts the name without case, like the password form's
    for _ in range(5):
        visitor, answer = post_sign_in(stack, "failover", name, "wrong")
        assert_refused(visitor, answer, FAILED)
    visitor, answer = post_sign_in(stack, "failover", name, PASSWORD)
    assert_refused(visitor, answer, "Too many failed sign-ins.", status=429)
    assert int(answer_headers(visitor)["Retry-After"]) > 0
    time.sleep(3.5)
    visitor, answer = post_sign_in(stack, "failover", name, PASSWORD)
    assert (answer.status, answer.location) == (303, "/student"), text_of(answer.body)[:500]


def test_a_school_without_a_directory_has_no_directory_form(stack, schools, http):
    page = http.get(stack.url("app", "/login"), params={"school": "e2e-no-such-school"})
    assert 'action="/login/directory"' not in page.text
    visitor = Visitor(stack)
    form = visitor.get(visitor.app("/login"))
    csrf = CSRF_FIELD.search(form.body).group(1)
    answer = visitor.post(visitor.app("/login/directory"), {"csrf": csrf, "school": "e2e-no-such-school", "identifier": "a",
                                                            "password": "b"})
    assert_refused(visitor, answer, "This school does not sign in with a directory.", status=404)


# ----------------------------------------------------------------------------- the operator and the school admin

def test_the_cli_refuses_plain_ldap_and_tests_a_name(stack, schools):
    plain = cli(stack, "directory", "set", "--school", school("main"), "--name", "x", "--uri", "ldapi:///", "--bind-dn", "cn=x",
                "--bind-password-file", schools.directory.reader_password_file, "--base-dn", "dc=x", "--filter", "(uid={name})",
                check=False)
    assert plain.returncode == 64 and "--uri: ldapi:// carries passwords without TLS" in plain.stderr, plain.stderr
    found = cli(stack, "directory", "test", "--school", school("main"), "--name", f"main-ada-{PREFIX}")
    assert f"entry:   uid=main-ada,{schools.directory.base}" in found.stdout and "person:  Ada Directory (student" in found.stdout
    down = cli(stack, "directory", "test", "--school", school("badca"), "--name", f"badca-ada-{PREFIX}", check=False)
    assert down.returncode == 69 and "(tls)" in down.stderr, down.stderr


def test_the_school_admin_sets_up_and_tests_the_directory(stack, demo, schools, browser):
    """The demo school admin's /school/sign-in: "test this provider" shows the entry and the person it would sign in
    as, then a precise error for a name that matches nobody; saving settings is audited (the password is kept when the
    field is left empty) and a refused setting names its field."""
    admin = demo["school_admin"]
    assert browser.sign_in(admin["email"], demo["password"]) == 200 and browser.path == "/school"
    assert browser.open("/school/sign-in") == 200
    assert "Demo Directory" in browser.text("#directory-status")
    assert browser.submit("form#directory-test", {"name": "student02"}) == 200
    assert browser.text("#test-dn") == f"uid=student02,{schools.directory.people}"
    student = next(p for p in demo["students"] if p["username"] == "student02")
    assert browser.text("#test-outcome") == f"With the right password, this would sign in as {student['name']} (Student)."
    assert "(sAMAccountName=student02)" in browser.text("#test-filter")

    assert browser.open("/school/sign-in") == 200
    assert browser.submit("form#directory-test", {"name": "*)(uid=*"}) == 200
    # (The demo base holds this module's referral entry: the page says the reference was not followed.)
    assert browser.text("#test-outcome").startswith("No entry matches: this name would be refused.")
    assert "sAMAccountName=\\2a\\29\\28uid=\\2a" in browser.text("#test-filter")

    mark = audit_mark(stack)
    assert browser.open("/school/sign-in") == 200
    browser.driver.execute_script("document.querySelector('#directory-settings').parentElement.open = true")
    assert browser.submit("form#directory-settings", {"uris": "ldap://dc1.example.org:389 http://nope"}) == 400
    # The field is named by its label on the form (issue 22), not by its form name.
    assert ("Directory Servers, tried in order (ldaps://host, or ldap://host for StartTLS): http://nope must start with "
            "ldaps:// or ldap://") in browser.text("#settings-error")
    assert browser.open("/school/sign-in") == 200
    browser.driver.execute_script("document.querySelector('#directory-settings').parentElement.open = true")
    assert browser.submit("form#directory-settings", {"name": "Demo Directory"}) == 200
    assert browser.path == "/school/sign-in?saved=1"
    rows = main_sql(stack, "SELECT a.event, a.detail FROM security_audit_log a JOIN schools s ON s.id = a.school_id "
                           f"WHERE s.sourced_id = 'demo-school' AND a.id > {mark}")
    assert [event for event, _ in rows] == ["upstream_provider_changed"], rows
    assert rows[0][1].startswith("saved the school directory: Demo Directory (on;") and "password" not in rows[0][1].lower()
    # The saved service password still works.
    assert browser.open("/school/sign-in") == 200
    assert browser.submit("form#directory-test", {"name": "student02"}) == 200 and browser.has("#test-ok")
