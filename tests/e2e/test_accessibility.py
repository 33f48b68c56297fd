"""WCAG 2.1 AA on both sites, in Chromium through nginx (issue 22).

1. axe-core (the copy selenium-axe-python ships inside its wheel: nothing is fetched at run time) runs on every
   page each demo role reaches from its navigation, on the developer portal signed out, as a developer with a
   draft and with an approved app (its analytics charts included), and on the pages nobody reaches by a link:
   sign-in, the code step, the consent page, error pages, forms showing validation errors. Only the WCAG 2.0/2.1
   A and AA rules run (tags wcag2a, wcag2aa, wcag21a, wcag21aa); every page must have 0 violations. A second
   pass checks what those rules leave out: one h1, one main, a page header, SVGs with a text alternative, th
   with scope, errors tied to their fields and a summary.
   Pages are found by following same-site links, one page per path shape (/teacher/classes/7 and
   /teacher/classes/8 are one; a query string, a filter or a list page, is left out), leaving out downloads and
   anything that changes state (sign-out and every POST form are never sent by the crawl). Pages every role
   has (account, docs) are checked for the first role that reaches them.
2. Keyboard only (Tab, Enter, Space, Ctrl+A and typing into fields; no mouse events): sign-in through the skip
   link, consent (approve), a teacher's grade entry through a validation error, a developer's app form through
   a validation error, and the platform admin's review panel approving an app. On every focus stop, the focused
   element must show a focus indicator.

3. In Arabic (`dir="rtl"`, the language cookie the switcher sets): every page each role's crawl checked in
   English is checked again in Arabic, in the same signed-in session (``also_in_arabic``; pages that show a
   state, a form's errors or the consent page, are checked in Arabic by ``test_localised_pages_in_arabic``),
   0 violations.

One Chromium serves the whole module (cookies cleared between roles). The demo users are this file's own
(student48, student46, parent10); teacher2 only adds and grades an unpublished assessment of its own.
"""
import json
import os
import re
import subprocess
import time
from collections import deque
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import selenium_axe_python
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from portal import APP, PASSWORD, create_app, csrf_of, sign_up_verified

AXE_SCRIPT = Path(selenium_axe_python.__file__).parent / "axe-core" / "axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}

STUDENT, PARENT, TEACHER = "student48", "parent10", "teacher2"

# Links the crawl never follows: downloads, other origins' endpoints, and GETs with an effect.
NOT_PAGES = re.compile(
    r"\.(csv|pdf|zip|json|png|jpe?g|svg|js|css|txt|xml)(\?|$)|^/logout|/logos/|/download/|^/internal/|^/api/"
    r"|^/\.well-known/|^/oauth/|^/authsso|^/(login/)?(upstream|saml)/|/document$|/metadata$|^/assets/")

# (site, role) -> pages checked, filled in as the tests run and printed at the end.
SUMMARY = {}
# Pages every role shares (its own account, the docs) differ only in the navigation: checked for the first
# role that reaches them. Site -> shapes checked.
SHARED = re.compile(r"^/(account|docs)(/|$)")
SHARED_SEEN = {"app": set(), "developers": set()}


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    total = sum(len(pages) for pages in SUMMARY.values())
    lines = [f"accessibility: {total} pages checked with axe-core {AXE_VERSION[0]} (WCAG 2.1 A + AA), "
             f"{VIOLATIONS[0]} violations"]
    lines += [f"  {site:10} {role:15} {len(pages):3} pages" for (site, role), pages in SUMMARY.items()]
    listing = Path(os.environ["CW_STACK_DIR"]) / "accessibility-pages.txt"
    listing.write_text("".join(f"{site}\t{role}\t{page}\n" for (site, role), pages in SUMMARY.items() for page in pages))
    lines.append(f"  every page: {listing}")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)


AXE_VERSION = ["?"]
VIOLATIONS = [0]


# axe ----------------------------------------------------------------------------------------------------------

def axe_violations(driver):
    """The WCAG A/AA violations axe finds on the page shown."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, " + json.dumps(AXE_OPTIONS) + ").then(done, e => done({error: String(e)}));")
    assert "error" not in results, results
    AXE_VERSION[0] = results.get("testEngine", {}).get("version", "?")
    return results["violations"]


STRUCTURE = """
const problems = [];
const count = css => document.querySelectorAll(css).length;
if (count('h1') !== 1) problems.push(['one-h1', count('h1') + ' h1 elements']);
if (count('main') !== 1) problems.push(['one-main', count('main') + ' main elements']);
if (count('body > header') !== 1) problems.push(['header-landmark', 'no page header']);
if (!document.documentElement.lang) problems.push(['html-lang', 'no lang on html']);
for (const svg of document.querySelectorAll('svg')) {
  if (svg.closest('[aria-hidden=true]')) continue;
  if (svg.getAttribute('role') !== 'img' || !(svg.getAttribute('aria-labelledby') || svg.getAttribute('aria-label')))
    problems.push(['svg-img-alt', svg.outerHTML.slice(0, 80)]);
}
for (const th of document.querySelectorAll('th'))
  if (!th.getAttribute('scope')) problems.push(['th-scope', th.outerHTML.slice(0, 80)]);
for (const field of document.querySelectorAll('[aria-invalid=true]'))
  if (!(field.getAttribute('aria-describedby') || '').split(' ').some(id => id && document.getElementById(id)))
    problems.push(['error-not-tied', field.outerHTML.slice(0, 80)]);
if (count('.field-error') && !count('#error-summary')) problems.push(['error-summary', 'field errors without a summary']);
if (count('.field-error') && count('#error-summary a') !== count('.field-error'))
  problems.push(['error-summary-links', count('#error-summary a') + ' links for ' + count('.field-error') + ' field errors']);
for (const link of document.querySelectorAll('#error-summary a'))
  if (!document.getElementById(decodeURIComponent(link.hash.slice(1)))) problems.push(['error-summary-target', link.outerHTML.slice(0, 80)]);
return problems;
"""


def structure(driver):
    """What issue 22 asks beyond axe's WCAG rules: one h1, one main, a page header, lang, SVG text
    alternatives, th scope, errors tied to their fields and a summary; shaped like axe's violations."""
    return [{"id": rule, "impact": "serious", "help": "page structure (issue 22)",
             "nodes": [{"target": [detail], "failureSummary": ""}]} for rule, detail in driver.execute_script(STRUCTURE)]


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


class Checker:
    """Runs axe on pages and keeps what it found, per site and role."""

    def __init__(self, site, role):
        self.key = (site, role)
        SUMMARY.setdefault(self.key, [])
        self.found = {}

    def check(self, browser, label=None):
        label = label or browser.path
        started = time.monotonic()
        violations = axe_violations(browser.driver) + structure(browser.driver)
        SUMMARY[self.key].append(f"{label}\t{time.monotonic() - started:.2f} s")
        if violations:
            VIOLATIONS[0] += sum(len(v["nodes"]) for v in violations)
            self.found[label] = violations

    def assert_clean(self):
        report = "\n".join(f"{page}:\n{describe(v)}" for page, v in self.found.items())
        assert not self.found, f"WCAG violations on {len(self.found)} page(s) of {self.key}:\n{report}"


# Crawling -----------------------------------------------------------------------------------------------------

def shape(path):
    """A URL's shape: numbers become {n}; the query (a filter, a page of a list) is left out."""
    return re.sub(r"\d+", "{n}", urlsplit(path).path)


def links(browser):
    """Same-origin links of the page shown, as path and query, without fragments."""
    origin = urlsplit(browser.base_url)
    found = []
    for href in browser.driver.execute_script("return Array.from(document.querySelectorAll('a[href]'), a => a.href)"):
        parts = urlsplit(href)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not NOT_PAGES.search(parts.path):
            found.append(path)
    return found


def crawl(browser, checker, start, seen=None, limit=60):
    """Checks every page reachable from `start` by links, one per URL shape; returns the shapes seen."""
    seen = set() if seen is None else seen
    shared = SHARED_SEEN[checker.key[0]]
    queue = deque(start)
    while queue and len(SUMMARY[checker.key]) < limit:
        path = queue.popleft()
        if shape(path) in seen or shape(path) in shared:
            continue
        seen.add(shape(path))
        if SHARED.match(path):
            shared.add(shape(path))
        try:
            browser.open(path)
        except WebDriverException:
            continue  # a redirect off the site (an upstream provider, say): not one of these sites' pages
        if urlsplit(browser.driver.current_url).netloc != urlsplit(browser.base_url).netloc:
            continue
        if browser.path != path:  # redirected: check where it landed, once
            if shape(browser.path) in seen:
                continue
            seen.add(shape(browser.path))
        checker.check(browser)
        queue.extend(links(browser))
    return seen


def checked_shapes(checker):
    """The shapes of the pages `checker` has checked so far (their labels start with the path)."""
    return {shape(label.split()[0]) for label in SUMMARY[checker.key]}


def show_errors(browser, form, fields=None, button=None):
    """Submits `form` with `fields` past the browser's own checks (required, type=email, ...), so the
    server's error messages are what the page shows."""
    browser.driver.execute_script("document.querySelector(arguments[0]).noValidate = true", form)
    return browser.submit(form, fields or {}, button)


def person(demo, group, username):
    return next(p for p in demo[group] if p["username"] == username)


# Keyboard -----------------------------------------------------------------------------------------------------

FOCUS_SHOWN = """
const e = document.activeElement;
if (!e || e === document.body) return 'nothing focused';
const s = getComputedStyle(e);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
return outline || s.boxShadow !== 'none' ? '' : (e.outerHTML || '').slice(0, 120);
"""


class Keyboard:
    """Key presses sent to whatever has the focus, as a keyboard user would: no element is clicked."""

    def __init__(self, browser):
        self.browser = browser
        self.driver = browser.driver

    def press(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def type(self, text):
        self.press(text)

    def replace(self, text):
        """Selects what the focused field holds and types over it."""
        ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(text).perform()

    def focused(self, css):
        return self.driver.execute_script("return document.activeElement.matches(arguments[0])", css)

    def tab_to(self, css, limit=150):
        """Presses Tab until the focus is on an element matching `css`; every stop must show its focus."""
        if self.focused(css):
            return
        for _ in range(limit):
            self.press(Keys.TAB)
            hidden = self.driver.execute_script(FOCUS_SHOWN)
            if hidden == "nothing focused":
                continue  # past the last stop: the focus left the page and comes back at the top
            assert not hidden, f"no visible focus indicator on {hidden} at {self.browser.path}"
            if self.focused(css):
                return
        raise AssertionError(f"{limit} Tab presses never reached {css} on {self.browser.path}")

    def activate(self, key=Keys.ENTER):
        """Presses Enter (or Space) on the focused element and waits for the page it leads to."""
        from browser import _replaced

        page = self.driver.find_element(By.TAG_NAME, "html")
        self.browser._drain_log()
        self.press(key)
        self.browser._wait_for(_replaced(page))
        self.browser._wait_for(lambda d: d.execute_script("return document.readyState") == "complete")
        return self.browser._read_status()

    def skip_to_main(self):
        """The first Tab stop is the skip link; Enter on it moves the focus into the page's main region. A page
        that puts the focus somewhere itself (autofocus: a sign-in field, an error summary) is left as it is."""
        if not self.driver.execute_script("return document.activeElement === document.body"):
            return
        self.press(Keys.TAB)
        assert self.focused("a.skip-link"), "the first Tab stop is not the skip link"
        assert not self.driver.execute_script(FOCUS_SHOWN), "the skip link shows no focus"
        assert self.driver.execute_script("return getComputedStyle(document.activeElement).width") != "1px", (
            "the skip link stays hidden when focused")
        self.press(Keys.ENTER)
        assert self.focused("main"), "Enter on the skip link did not move the focus to main"

    def sign_in(self, identifier, password, path="/login", identifier_field="identifier", checker=None):
        """Signs in from the keyboard, through the code step when the account has one (checked by `checker`)."""
        import two_step

        assert self.browser.open(path) == 200
        self.skip_to_main()
        self.tab_to(f"form#signin input[name={identifier_field}]")
        self.type(identifier)
        self.tab_to("form#signin input[name=password]")
        self.type(password)
        self.tab_to("form#signin button[type=submit]")
        status = self.activate()
        if self.browser.path.startswith(two_step.CODE_STEP):
            if checker is not None:
                checker.check(self.browser)
            if not self.focused("input[name=code]"):
                self.tab_to("input[name=code]")
            self.type(two_step.fresh_code(two_step.seed_of(identifier)))
            status = self.activate(Keys.ENTER)
        return status


# The app site ----------------------------------------------------------------------------------------------------

def test_signed_out_pages_and_errors_of_the_app_site(stack, browser):
    checker = Checker("app", "signed out")
    for path in ("/login", "/password/forgot", "/login/badge", "/password/reset?token=cw_nope", "/no-such-page",
                 "/authsso?client_id=no-such-app&response_type=code"):
        browser.open(path)
        checker.check(browser, path)
    # The check itself sees problems: an image without a text alternative and a low-contrast line, added to
    # the sign-in page, are reported.
    browser.open("/login")
    browser.driver.execute_script(
        "const main = document.querySelector('main'); main.insertAdjacentHTML('beforeend', '<img src=\"/x.png\">');"
        "const faint = document.createElement('p'); faint.textContent = 'faint'; faint.style.color = '#bbb'; main.append(faint);")
    assert {v["id"] for v in axe_violations(browser.driver)} >= {"image-alt", "color-contrast"}
    browser.open("/login")
    show_errors(browser, "form#signin", {"identifier": "nobody-here", "password": "wrong password"})
    assert browser.has("#signin-error")
    checker.check(browser, "/login (wrong password)")
    crawl(browser, checker, ["/"], seen=checked_shapes(checker))
    checker.assert_clean()
    also_in_arabic(browser, checker)


def test_student_keyboard_sign_in_every_page_and_keyboard_consent(demo, browser, oauth, public_client):
    me = person(demo, "students", STUDENT)
    keys = Keyboard(browser)
    assert keys.sign_in(me["username"], me["password"]) == 200
    assert browser.path == "/student", browser.path
    checker = Checker("app", "student")
    crawl(browser, checker, ["/student"])
    browser.open("/account/password")
    assert show_errors(browser, "form#change-password", {"current": me["password"], "password": "short"}) == 422
    checker.check(browser, "/account/password (errors)")

    # Consent: prompt=consent shows the page on every run; checked, then approved from the keyboard.
    flow = oauth.flow(public_client, "openid profile.read", prompt="consent")
    assert flow.open(browser, me), "no consent page"
    checker.check(browser, "/authsso (consent)")
    keys.skip_to_main()
    keys.tab_to("#approve")
    browser._drain_log()
    keys.press(Keys.ENTER)
    # Nothing listens on the demo redirect URI: the browser shows an error page at the client's URL.
    browser._wait_for(lambda d: d.current_url.startswith(flow.oauth.redirect_uri + "?"))
    answer = parse_qs(urlsplit(browser.driver.current_url).query)
    assert answer.get("state") == [flow.state] and answer.get("code"), browser.driver.current_url
    checker.assert_clean()
    also_in_arabic(browser, checker)


def test_parent_every_page(demo, browser):
    me = person(demo, "parents", PARENT)
    assert browser.sign_in(me["username"] if me.get("username") else me["email"], me["password"]) == 200
    checker = Checker("app", "parent")
    crawl(browser, checker, [browser.path])
    checker.assert_clean()
    also_in_arabic(browser, checker)


def test_teacher_every_page_and_keyboard_grade_entry(demo, browser):
    me = person(demo, "teachers", TEACHER)
    keys = Keyboard(browser)
    assert keys.sign_in(me["username"], me["password"]) == 200
    assert browser.path == "/teacher", browser.path
    checker = Checker("app", "teacher")

    # Grade entry from the keyboard: a class, a new assessment, a wrong score, the error, a right score.
    keys.skip_to_main()
    keys.tab_to("main a[href^='/teacher/classes/']")
    assert keys.activate() == 200
    keys.skip_to_main()
    keys.tab_to("form#new-assessment input[name=title]")
    keys.type(f"Keyboard quiz {int(time.time())}")
    keys.tab_to("form#new-assessment input[name=max_score]")
    keys.type("10")
    keys.tab_to("form#new-assessment button[type=submit]")
    assert keys.activate() == 200
    assert "/assessments/" in browser.path, browser.path  # a new assessment opens its grade sheet
    keys.skip_to_main()
    keys.tab_to("#grade-sheet input.score")
    first = browser.driver.switch_to.active_element.get_attribute("name")
    keys.replace("eleven")
    assert keys.activate() == 422
    # The error summary has the focus; the field says it is invalid and names its message.
    assert keys.focused("#error-summary"), browser.driver.switch_to.active_element.get_attribute("outerHTML")[:200]
    field = browser.find(f"input[name='{first}']")
    assert field.get_attribute("aria-invalid") == "true"
    # The summary links the error to its field.
    assert browser.find("#error-summary a").get_attribute("hash") == "#" + field.get_attribute("id")
    assert browser.text("#" + field.get_attribute("aria-describedby").split()[0])
    checker.check(browser, "grade sheet (invalid score)")
    keys.tab_to(f"input[name='{first}']")
    keys.replace("7")
    assert keys.activate() == 200
    assert "Grades saved" in (browser.notice() or "")

    crawl(browser, checker, ["/teacher"])
    checker.assert_clean()
    also_in_arabic(browser, checker)


def test_school_admin_every_page(demo, browser):
    admin = demo["school_admin"]
    assert browser.sign_in(admin["email"], admin["password"]) == 200
    checker = Checker("app", "school admin")
    crawl(browser, checker, [browser.path], limit=70)
    checker.assert_clean()
    also_in_arabic(browser, checker)


# In Arabic: right to left -----------------------------------------------------------------------------------------

LANGUAGE_COOKIE = "__Host-cw_lang"


def also_in_arabic(browser, checker):
    """Checks again in Arabic every page `checker` checked (by its path; labelled states such as a form with
    its errors are left out), in the same session, with the switcher's cookie; then back to the person's
    language. A signed-in person without a saved language follows the cookie."""
    paths = [label.split("\t")[0] for label in SUMMARY[checker.key]]
    paths = [path for path in paths if path.startswith("/") and " " not in path]
    arabic = Checker(checker.key[0], checker.key[1] + " (ar)")
    browser.open(paths[0])
    browser.driver.add_cookie({"name": LANGUAGE_COOKIE, "value": "ar", "path": "/", "secure": True, "httpOnly": True})
    try:
        for path in paths:
            browser.open(path)
            assert browser.driver.execute_script("return document.documentElement.dir") == "rtl", path
            arabic.check(browser, path)
    finally:
        browser.driver.delete_cookie(LANGUAGE_COOKIE)
    arabic.assert_clean()


def in_arabic(page):
    """The switcher's cookie, set the way the switcher sets it: every page that follows is in Arabic."""
    page.open("/no-such-page")
    page.driver.add_cookie({"name": LANGUAGE_COOKIE, "value": "ar", "path": "/", "secure": True, "httpOnly": True})


def test_localised_pages_in_arabic(demo, browser, oauth, public_client, stack, chromium):
    """The pages issue 22's first slice localised, in Arabic (dir=rtl): sign-in, the sign-in error, error pages,
    the consent page with its scope descriptions, a signed-in page's top bar and footer, and the portal's frame."""
    checker = Checker("app", "signed out (ar)")
    in_arabic(browser)
    for path in ("/login", "/no-such-page", "/authsso?client_id=no-such-app&response_type=code"):
        browser.open(path)
        assert browser.driver.execute_script("return document.documentElement.dir") == "rtl", path
        checker.check(browser, path)
    browser.open("/login")
    show_errors(browser, "form#signin", {"identifier": "nobody-here", "password": "wrong password"})
    checker.check(browser, "/login (wrong password)")
    checker.assert_clean()

    me = person(demo, "students", "student46")
    checker = Checker("app", "student (ar)")
    assert browser.sign_in(me["username"], me["password"]) == 200
    for path in ("/student", "/account"):
        browser.open(path)
        checker.check(browser, path)
    flow = oauth.flow(public_client, "openid profile.read", prompt="consent")
    assert flow.open(browser, me), "no consent page"
    assert browser.text("#approve") == "سماح"
    checker.check(browser, "/authsso (consent)")
    checker.assert_clean()

    from browser import Browser

    portal = Browser(chromium, stack.developers_url)
    checker = Checker("developers", "signed out (ar)")
    in_arabic(portal)
    for path in ("/login", "/docs", "/no-such-page"):
        portal.open(path)
        assert portal.driver.execute_script("return document.documentElement.lang") == "ar", path
        checker.check(portal, path)
    checker.assert_clean()


# The developer portal --------------------------------------------------------------------------------------------

@pytest.fixture()
def portal(stack, chromium):
    from browser import Browser

    page = Browser(chromium, stack.developers_url)
    page.reset()
    return page


def test_developer_portal_every_page_and_keyboard_app_form(stack, portal, mail_dir):
    checker = Checker("developers", "signed out")
    for path in ("/login", "/signup", "/password/forgot", "/no-such-page"):
        portal.open(path)
        checker.check(portal, path)
    portal.open("/signup")
    show_errors(portal, "form#signup", {"email": "not an address"})
    checker.check(portal, "/signup (errors)")
    crawl(portal, checker, ["/", "/docs"], seen=checked_shapes(checker))
    checker.assert_clean()
    also_in_arabic(portal, checker)

    _, address = sign_up_verified(stack, mail_dir, "a11y")
    portal.reset()
    keys = Keyboard(portal)
    assert keys.sign_in(address, PASSWORD, identifier_field="email") == 200
    assert portal.path == "/apps", portal.path
    checker = Checker("developers", "developer")

    # The app form from the keyboard: an error first (a redirect URI with a fragment), then a valid draft.
    keys.skip_to_main()
    keys.tab_to("#new-app")
    assert keys.activate() == 200
    checker.check(portal)
    keys.skip_to_main()
    keys.tab_to("form#app-form input[name=name]")
    keys.type(APP["name"])
    keys.tab_to("form#app-form textarea[name=description]")
    keys.type(APP["description"])
    keys.tab_to("form#app-form textarea[name=redirect_uris]")
    keys.type("https://studybuddy.example/callback#fragment")
    keys.tab_to("form#app-form input[name=scopes][value=openid]")
    keys.press(Keys.SPACE)
    assert portal.find("form#app-form input[name=scopes][value=openid]").is_selected()
    keys.tab_to("form#app-form button[type=submit]")
    assert keys.activate() == 422
    assert keys.focused("#error-summary"), portal.driver.switch_to.active_element.get_attribute("outerHTML")[:200]
    assert portal.find("textarea[name=redirect_uris]").get_attribute("aria-invalid") == "true"
    checker.check(portal, "/apps (app form errors)")
    keys.tab_to("form#app-form textarea[name=redirect_uris]")
    keys.replace(APP["redirect_uris"])
    keys.tab_to("form#app-form button[type=submit]")
    assert keys.activate() == 200
    assert re.fullmatch(r"/apps/\d+\?done=created", portal.path), portal.path

    # A support ticket: the form with its errors, then the thread.
    portal.open("/support/new")
    assert show_errors(portal, "form#ticket-form") == 422
    checker.check(portal, "/support/new (errors)")
    category = portal.attributes("form#ticket-form select[name=category] option:not([value=''])", "value")[0]
    assert portal.submit("form#ticket-form", {"subject": "From the keyboard", "category": category,
                                              "message": "Checking the portal's pages."}) == 200
    assert re.fullmatch(r"/support/\d+\?done=opened", portal.path), portal.path
    checker.check(portal)

    crawl(portal, checker, ["/apps", "/support"], seen=checked_shapes(checker))
    checker.assert_clean()
    also_in_arabic(portal, checker)


# The review panel, and the approved app's pages on the portal ------------------------------------------------------

def test_platform_admin_every_page_keyboard_review_and_the_live_app_pages(stack, demo, browser, mail_dir):
    # A submitted app waiting for review, made through the portal's forms.
    developer, _ = sign_up_verified(stack, mail_dir, "a11y-review")
    path = create_app(developer, stack, scopes=["openid", "profile.read"], client_type="confidential")
    page = developer.get(stack.url("developers", path))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    answer = developer.post(stack.url("developers", path + "/submit"), data={"csrf": csrf_of(page.text), "version": version},
                            allow_redirects=False)
    assert answer.status_code == 303, answer.text
    app_id = path.rsplit("/", 1)[1]

    admin = demo["platform_admin"]
    keys = Keyboard(browser)
    checker = Checker("app", "platform admin")
    assert keys.sign_in(admin["email"], admin["password"], checker=checker) == 200
    assert browser.path == "/platform", browser.path
    keys.skip_to_main()
    keys.tab_to(f"#review-queue a[href='/platform/apps/{app_id}']")
    assert keys.activate() == 200
    checker.check(browser)
    keys.skip_to_main()
    keys.tab_to("form#approve-form button[type=submit]")
    assert keys.activate() == 200
    assert "approved" in browser.text("#app-status")

    crawl(browser, checker, ["/platform"], seen={shape(f"/platform/apps/{app_id}")})
    checker.assert_clean()
    also_in_arabic(browser, checker)

    # The approved app's live pages on the portal, as its developer: credentials, keys, webhooks, and the
    # analytics charts (a few days of figures written as the sync would).
    with stack.session() as s:
        token = (stack.dir / "secrets" / "cron.secret").read_text().strip()
        assert s.post(stack.url("app", "/internal/cron/sync"), headers={"Authorization": f"Bearer {token}"},
                      timeout=60).status_code == 200
    mariadb(stack, "INSERT INTO catalyst_developers.application_daily_stats VALUES "
                   + ", ".join(f"({app_id}, UTC_DATE() - INTERVAL {n} DAY, {40 + n}, {n}, {n + 2}, 1, {n % 2}, NOW(6))"
                               for n in range(1, 4))
                   + " ON DUPLICATE KEY UPDATE api_requests = VALUES(api_requests)")
    from browser import Browser

    portal = Browser(browser.driver, stack.developers_url)
    portal.open("/no-such-page")
    for cookie in developer.cookies:
        if cookie.name.startswith("__Host-cwd_"):
            browser.driver.add_cookie({"name": cookie.name, "value": cookie.value, "path": "/", "secure": True})
    live = Checker("developers", "developer (live app)")
    crawl(portal, live, [path, path + "/analytics"])
    assert any(page.startswith(path + "/analytics\t") for page in SUMMARY[live.key]), SUMMARY[live.key]
    assert portal.open(path + "/analytics") == 200 and len(portal.find_all("svg.chart[role=img]")) == 5
    live.assert_clean()
    also_in_arabic(portal, live)


def mariadb(stack, sql):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "--batch",
                          "-e", sql], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
