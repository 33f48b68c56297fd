"""A headless Chromium for the page tests: Debian's chromium and chromedriver, nothing downloaded.

TLS is verified, not switched off. The dev CA cannot be added to Chromium's trust store here (that needs
`certutil` from libnss3-tools, which the test image does not install), so Python first checks the server's
certificate against the dev CA and the host name, and Chromium is then told to accept exactly that
certificate's public key (`--ignore-certificate-errors-spki-list`). Any other certificate, or a page served
without one, still fails in the browser.

`Browser` wraps the driver with what the tests need from a user's point of view: open a page, fill and submit
a form, read the HTTP status of the page shown (from Chromium's performance log, since WebDriver has no
status), and the redirects that led there.
"""
import base64
import hashlib
import json
import os
import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _der_element(der, at):
    """(tag, start of the contents, end) of the DER element at `at`."""
    tag, length, header = der[at], der[at + 1], 2
    if length & 0x80:
        count = length & 0x7F
        length, header = int.from_bytes(der[at + 2:at + 2 + count], "big"), 2 + count
    return tag, at + header, at + header + length


def _replaced(page):
    """A wait condition: the old page's root element is gone. Chromium usually reports that as a stale element,
    but while the new document is being attached it can also answer "Node with given id does not belong to the
    document"; both mean the page was replaced (selenium's own `staleness_of` only accepts the first)."""

    def check(_driver):
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    return check


def spki_pin(certificate_der):
    """Base64 SHA-256 of a certificate's SubjectPublicKeyInfo, the form Chromium's SPKI list takes."""
    _, certificate, _ = _der_element(certificate_der, 0)
    _, field, tbs_end = _der_element(certificate_der, certificate)
    fields = []
    while field < tbs_end:
        tag, _, end = _der_element(certificate_der, field)
        fields.append((tag, field, end))
        field = end
    if fields[0][0] == 0xA0:  # the optional [0] version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo (RFC 5280 §4.1)
    tag, start, end = fields[5]
    assert tag == 0x30, "subjectPublicKeyInfo is not a SEQUENCE"
    return base64.b64encode(hashlib.sha256(certificate_der[start:end]).digest()).decode()


def verified_server_pin(host, port, ca_file):
    """The SPKI pin of the certificate `host` serves, after checking it chains to `ca_file` and names `host`."""
    context = ssl.create_default_context(cafile=ca_file)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return spki_pin(tls.getpeercert(binary_form=True))


def start_chromium(pins, extra_arguments=()):
    """A headless Chromium that resolves *.localhost to loopback and accepts only the pinned server keys;
    `extra_arguments` are further command-line switches (a fake camera, for instance)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} missing: install Debian's chromium and chromium-driver "
                           "(make test does)")
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must not look for a browser or driver to download
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # the tests run as root
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP *.localhost 127.0.0.1",
        "--ignore-certificate-errors-spki-list=" + ",".join(pins),
        "--window-size=1280,1000",
        "--disable-features=Translate,OptimizationHints,MediaRouter",
        "--no-first-run",
        *extra_arguments,
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


class Browser:
    """One user at one browser. Paths are relative to the app site."""

    def __init__(self, driver, base_url):
        self.driver = driver
        self.base_url = base_url
        self.status = None  # HTTP status of the page now shown
        self.headers = {}  # its response headers, names in lower case
        self.redirects = []  # [(status, Location)] that led to it

    # Navigation ---------------------------------------------------------------------------------------------

    def reset(self):
        """Forgets every cookie, as a new browser would, and leaves the page blank."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.driver.get("about:blank")
        self._drain_log()
        self.status, self.headers, self.redirects = None, {}, []

    def open(self, path):
        """Opens a page; returns its HTTP status."""
        self._drain_log()
        self.driver.get(self.base_url + path)
        return self._read_status()

    def submit(self, form, fields=None, button=None):
        """Fills `fields` of the form `form` (a CSS selector) and submits it with its (or `button`'s) button."""
        element = self.find(form)
        for name, value in (fields or {}).items():
            field = element.find_element(By.NAME, name)
            if field.tag_name == "select":
                Select(field).select_by_value(value)
            elif field.get_attribute("type") == "file":
                field.send_keys("\n".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value))
            else:
                field.clear()
                field.send_keys(value)
        self._drain_log()
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.find_element(By.CSS_SELECTOR, button or "button[type=submit]").click()
        self._wait_for(_replaced(page))
        self._wait_for(lambda d: d.execute_script("return document.readyState") == "complete")
        return self._read_status()

    def follow(self, link):
        """Clicks the link `link` (a CSS selector); returns the new page's status."""
        self._drain_log()
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.find(link).click()
        self._wait_for(_replaced(page))
        self._wait_for(lambda d: d.execute_script("return document.readyState") == "complete")
        return self._read_status()

    @property
    def path(self):
        """Path and query of the page now shown."""
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # Reading the page ---------------------------------------------------------------------------------------

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def has(self, css):
        return bool(self.find_all(css))

    def text(self, css):
        return self.find(css).text.strip()

    def value(self, css):
        return self.find(css).get_attribute("value")

    def form_values(self, css):
        """{name: value} of every named field of the form `css`, read in one round trip."""
        return self.driver.execute_script(
            "return Object.fromEntries(Array.from(document.querySelector(arguments[0]).elements)"
            ".filter(e => e.name).map(e => [e.name, e.value]))", css)

    def attributes(self, css, name):
        return [element.get_attribute(name) for element in self.find_all(css)]

    def notice(self):
        """The text of the page's status notice, or None."""
        found = self.find_all("main > p.notice[role=status]")
        return found[0].text.strip() if found else None

    def cookie(self, name):
        return self.driver.get_cookie(name)

    def screenshot(self, path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        assert self.driver.save_screenshot(str(path)), f"could not save {path}"
        return path

    # Signing in and out -------------------------------------------------------------------------------------

    def sign_in(self, identifier, password, path="/login"):
        """Opens the sign-in page and submits it, and the code step when the account has two-step sign-in (its
        seed registered in two_step.py); returns the status of the page that follows."""
        import two_step

        assert self.open(path) == 200, f"GET {path} answered {self.status}"
        status = self.submit("form#signin", {"identifier": identifier, "password": password})
        if self.path.startswith(two_step.CODE_STEP) and two_step.seed_of(identifier):
            status = self.submit("form#two-step", {"code": two_step.fresh_code(two_step.seed_of(identifier))})
        return status

    def sign_out(self):
        return self.submit("form#signout")

    # Status from the performance log ------------------------------------------------------------------------

    def _wait_for(self, condition):
        WebDriverWait(self.driver, 15, poll_frequency=0.02).until(condition)

    def _drain_log(self):
        self.driver.get_log("performance")

    def _read_status(self):
        """Status and headers of the last top-level document response, and the redirects before it."""
        status, headers, redirects = None, {}, []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent" and params.get("type") == "Document":
                redirect = params.get("redirectResponse")
                if redirect:
                    fields = {k.lower(): v for k, v in redirect["headers"].items()}
                    redirects.append((redirect["status"], fields.get("location")))
            elif message["method"] == "Network.responseReceived" and params.get("type") == "Document":
                status = params["response"]["status"]
                headers = {k.lower(): v for k, v in params["response"]["headers"].items()}
        self.status, self.headers, self.redirects = status, headers, redirects
        return status
