"""Passkeys for school users (issue 16, item 4) in Chromium with its virtual authenticator (WebDriver
`add_virtual_authenticator`): a student adds a passkey on /account/passkeys, signs out, and signs in with it alone
("Sign in with a passkey" on /login), with `hwk` in the security audit log; a removed passkey signs nobody in."""
import subprocess

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import Protocol, Transport, VirtualAuthenticatorOptions
from selenium.webdriver.support.ui import WebDriverWait


def sql(stack, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B", "catalyst_main"],
                         input=statement, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


@pytest.fixture()
def authenticator(browser):
    """A platform authenticator with resident keys and user verification (a phone's or laptop's screen lock)."""
    options = VirtualAuthenticatorOptions(protocol=Protocol.CTAP2, transport=Transport.INTERNAL, has_resident_key=True,
                                          has_user_verification=True, is_user_consenting=True, is_user_verified=True)
    browser.driver.add_virtual_authenticator(options)
    yield browser.driver
    browser.driver.remove_virtual_authenticator()


def click_and_wait(browser, button, path_prefix):
    before = browser.driver.current_url
    browser.driver.find_element(By.ID, button).click()
    WebDriverWait(browser.driver, 15).until(lambda d: d.current_url != before)
    assert browser.path.startswith(path_prefix), (browser.path, browser.driver.find_element(By.TAG_NAME, "main").text)


def test_a_student_adds_a_passkey_and_signs_in_with_it_alone(stack, demo, browser, authenticator):
    me = demo["students"][55]
    sql(stack, f"DELETE FROM user_passkeys WHERE user_id = {me['id']}")
    assert browser.sign_in(me["username"], me["password"]) == 200
    assert browser.open("/account/passkeys") == 200
    browser.driver.find_element(By.NAME, "name").send_keys("Test laptop")
    click_and_wait(browser, "add-passkey-button", "/account/passkeys?added=1")
    assert "Test laptop" in browser.text("table#passkeys")
    assert sql(stack, f"SELECT COUNT(*), MIN(cose_algorithm) FROM user_passkeys WHERE user_id = {me['id']}") == [["1", "-7"]]

    browser.sign_out()
    assert browser.open("/login") == 200
    click_and_wait(browser, "passkey-signin-button", "/student")
    assert me["name"] in browser.text("#signed-in-as")
    last = sql(stack, f"SELECT event, method FROM security_audit_log WHERE subject_id = {me['id']} ORDER BY id DESC LIMIT 1")
    assert last == [["sign_in", "hwk"]]
    count = sql(stack, f"SELECT sign_count > 0, last_used_at IS NOT NULL FROM user_passkeys WHERE user_id = {me['id']}")
    assert count == [["1", "1"]]

    # Removed on the page, the passkey signs nobody in any more (the authenticator still holds it).
    assert browser.open("/account/passkeys") == 200
    browser.submit("table#passkeys form")
    assert browser.path.startswith("/account/passkeys?removed=1")
    browser.sign_out()
    assert browser.open("/login") == 200
    before = browser.driver.current_url
    browser.driver.find_element(By.ID, "passkey-signin-button").click()
    WebDriverWait(browser.driver, 15).until(lambda d: d.current_url != before or "not registered" in d.page_source)
    assert "This passkey is not registered here." in browser.driver.page_source
    assert not browser.cookie("__Host-cw_session")


def developers_sql(stack, statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={stack.mariadb_socket}", "-u", "root", "-N", "-B", "catalyst_developers"],
                         input=statement, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


def test_a_developer_adds_a_passkey_on_the_portal_and_it_works_there_only(stack, mail_dir, browser, authenticator):
    """The portal's passkeys: added on /account/passkeys (user verification required), then a sign-in with it alone
    lands on the apps page; the relying party is the developers host, so the app site's "Sign in with a passkey"
    finds no credential of it."""
    from browser import Browser
    from portal import PASSWORD, sign_up_verified

    _, address = sign_up_verified(stack, mail_dir, "passkey")
    portal = Browser(browser.driver, stack.developers_url)
    portal.reset()
    assert portal.open("/login") == 200
    assert portal.submit("form#signin", {"email": address, "password": PASSWORD}) == 200 and portal.path == "/apps"
    assert portal.open("/account") == 200 and portal.has("#manage-passkeys")
    assert portal.open("/account/passkeys") == 200
    portal.driver.find_element(By.NAME, "name").send_keys("Work laptop")
    click_and_wait(portal, "add-passkey-button", "/account/passkeys?added=1")
    assert "Work laptop" in portal.text("table#passkeys")
    developer = developers_sql(stack, f"SELECT id FROM developers WHERE email = '{address}'")[0][0]
    assert developers_sql(stack, f"SELECT COUNT(*) FROM developer_passkeys WHERE developer_id = {developer}") == [["1"]]

    portal.submit("form#signout")
    assert portal.open("/login") == 200
    click_and_wait(portal, "passkey-signin-button", "/apps")
    assert portal.cookie("__Host-cwd_session")
    assert developers_sql(stack, f"SELECT sign_count > 0 FROM developer_passkeys WHERE developer_id = {developer}") == [["1"]]

    # The same authenticator on the app site: the portal's passkey is not offered there (another relying party).
    assert browser.open("/login") == 200
    browser.driver.find_element(By.ID, "passkey-signin-button").click()
    WebDriverWait(browser.driver, 15).until(lambda d: "Not signed in" in d.find_element(By.ID, "passkey-status").text)
    assert not browser.cookie("__Host-cw_session")
