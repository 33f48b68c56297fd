"""Developer accounts on the portal, in Chromium through nginx: sign-up, the mailed verification link,
two-step sign-in with codes computed by pyotp, recovery codes, password reset and the sessions page.
"""
import time

import pyotp
import pytest

from portal import APP, PASSWORD, csrf_of, fill_app_form, png, link_in, mails_to, new_address, post_form, sign_up_verified, wait_for_mail

FAILED = "That email and password do not match. Check both and try again."


@pytest.fixture()
def portal(stack, chromium):
    from browser import Browser

    page = Browser(chromium, stack.developers_url)
    page.reset()
    return page


def sign_up(portal, address, **overrides):
    assert portal.open("/signup") == 200
    fields = {"name": "Ana Developer", "email": address, "company": "Study Buddy Ltd", "password": PASSWORD,
              "confirmation": PASSWORD, **overrides}
    element = portal.find("form#signup input[name=terms]")
    if overrides.pop("terms", True) and not element.is_selected():
        element.click()
    return portal.submit("form#signup", {k: v for k, v in fields.items() if k != "terms"})


def sign_in(portal, address, password=PASSWORD):
    assert portal.open("/login") == 200
    return portal.submit("form#signin", {"email": address, "password": password})


def next_code(secret):
    """The code of the next 30-second step: accepted (the window allows one step ahead) and never the step
    the previous code used, so consecutive sign-ins in one step do not collide with the replay guard."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + 30)


def test_sign_up_verify_turn_on_two_step_sign_back_in_with_a_code_and_submit_an_app(stack, portal, mail_dir, tmp_path):
    address = new_address("ana")
    assert sign_up(portal, address) == 200
    assert address in portal.text("#signup-done")

    # Unverified: signing in reaches only the verify-email page.
    assert sign_in(portal, address) == 200
    assert portal.path == "/verify-email"
    assert portal.open("/apps") == 200 and portal.path == "/verify-email"

    # The mailed link shows a confirmation button; pressing it verifies the address.
    link = link_in(wait_for_mail(mail_dir, address)[-1], "/verify")
    assert portal.open(link.split(stack.developers_url, 1)[1]) == 200
    assert portal.submit("form#confirm-email") == 200
    assert portal.path == "/apps"

    # A used link says so.
    assert portal.open(link.split(stack.developers_url, 1)[1]) == 410
    assert "already been used" in portal.text("#link-problem")

    # Two-step sign-in: the secret from the page as text (the QR code carries the same), confirmed with a code.
    assert portal.open("/account/2fa") == 200
    assert portal.submit("form#start-totp") == 200 and portal.path == "/account/2fa/setup"
    assert portal.has("svg#totp-qr")
    secret = portal.text("#totp-secret").replace(" ", "")
    assert portal.submit("form#confirm-totp", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}) == 422
    assert "does not match" in portal.text("#code-error")
    assert portal.submit("form#confirm-totp", {"code": pyotp.TOTP(secret).now()}) == 200
    codes = [element.text for element in portal.find_all("#recovery-codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10

    # Sign out; signing back in now needs a code after the password.
    assert portal.sign_out() == 200
    assert sign_in(portal, address) == 200 and portal.path.startswith("/login/code")
    code = next_code(secret)
    assert portal.submit("form#second-factor", {"code": code}) == 200
    assert portal.path == "/apps"

    # Signed in with two steps: create an app with a logo and submit it.
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    assert portal.follow("#new-app") == 200
    assert fill_app_form(portal, APP, logo=logo) == 200 and portal.text("#app-status") == "draft"
    assert portal.has("h1 img.logo")
    assert portal.submit("form#submit-app") == 200 and portal.text("#app-status") == "submitted"

    # The same code cannot be used again: replay is refused.
    assert portal.sign_out() == 200
    assert sign_in(portal, address) == 200
    assert portal.submit("form#second-factor", {"code": code}) == 200
    assert "already used" in portal.text("#code-error")

    # A recovery code works once.
    portal.find("details summary").click()
    assert portal.submit("form#recovery", {"recovery_code": codes[0]}) == 200 and portal.path == "/apps"
    assert portal.sign_out() == 200
    assert sign_in(portal, address) == 200
    portal.find("details summary").click()
    assert portal.submit("form#recovery", {"recovery_code": codes[0]}) == 200
    assert portal.path.startswith("/login/code")
    assert portal.open("/account") == 200 and portal.path.startswith("/login")


def test_sign_up_problems_are_shown_by_their_fields_and_keep_what_was_typed(portal):
    address = new_address("typo")
    # Blank but present, so the browser's own `required` check lets it through to the server.
    assert sign_up(portal, address, name="   ", confirmation="something else entirely") == 422
    assert portal.has("#name-error") and portal.has("#password-error")
    assert portal.value("form#signup input[name=email]") == address
    assert portal.value("form#signup input[name=company]") == "Study Buddy Ltd"
    assert portal.value("form#signup input[name=password]") == ""


def test_signing_up_again_with_a_registered_address_reveals_nothing_and_tells_its_owner(stack, portal, mail_dir):
    _, address = sign_up_verified(stack, mail_dir, "taken")
    before = len(mails_to(mail_dir, address))
    assert sign_up(portal, address) == 200
    assert address in portal.text("#signup-done")
    mails = wait_for_mail(mail_dir, address, count=before + 1)
    assert "already has one" in mails[-1].get_body(preferencelist=("plain",)).get_content()


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(stack, portal, mail_dir):
    _, address = sign_up_verified(stack, mail_dir, "same")
    assert sign_in(portal, address, "not the password at all") == 200
    wrong = portal.text("#signin-error")
    assert sign_in(portal, new_address("nobody")) == 200
    assert portal.text("#signin-error") == wrong == FAILED


def test_a_forgotten_password_is_reset_once_through_the_mailed_link(stack, portal, mail_dir):
    _, address = sign_up_verified(stack, mail_dir, "forgot")
    before = len(mails_to(mail_dir, address))
    assert portal.open("/password/forgot") == 200
    assert portal.submit("form#forgot", {"email": address}) == 200
    assert portal.has("#reset-sent")
    link = link_in(wait_for_mail(mail_dir, address, count=before + 1)[-1], "/password/reset")
    path = link.split(stack.developers_url, 1)[1]
    assert portal.open(path) == 200
    new_password = "a brand new passphrase 42"
    assert portal.submit("form#reset", {"password": new_password, "confirmation": new_password}) == 200
    assert portal.path == "/login?reset=1"
    assert sign_in(portal, address, new_password) == 200 and portal.path == "/apps"
    assert portal.open(path) == 410
    assert "already been used" in portal.text("#link-problem")


def test_repeated_reset_requests_mail_the_address_once_per_cool_down(stack, mail_dir):
    _, address = sign_up_verified(stack, mail_dir, "bombed")
    before = len(mails_to(mail_dir, address))
    with stack.session() as s:
        for _ in range(3):
            answer = post_form(s, stack.url("developers", "/password/forgot"), {"email": address})
            assert answer.status_code == 200 and "reset-sent" in answer.text
    wait_for_mail(mail_dir, address, count=before + 1)
    time.sleep(1.5)
    assert len(mails_to(mail_dir, address)) == before + 1


def test_the_sessions_page_signs_out_another_browser(stack, portal, mail_dir):
    other, address = sign_up_verified(stack, mail_dir, "sessions")
    assert sign_in(portal, address) == 200
    assert portal.open("/account/sessions") == 200
    rows = portal.find_all("table#sessions tbody tr")
    assert len(rows) == 2
    assert other.get(stack.url("developers", "/account"), allow_redirects=False).status_code == 200
    assert portal.submit("table#sessions tbody tr:not(.current) form") == 200
    assert len(portal.find_all("table#sessions tbody tr")) == 1
    gone = other.get(stack.url("developers", "/account"), allow_redirects=False)
    assert gone.status_code == 303 and gone.headers["Location"].startswith("/login")


def test_a_form_posted_from_another_site_is_refused(stack, mail_dir):
    s, _ = sign_up_verified(stack, mail_dir, "csrf")
    token = csrf_of(s.get(stack.url("developers", "/account")).text)
    forged = s.post(stack.url("developers", "/account/sessions/revoke-others"), data={"csrf": token},
                    headers={"Origin": stack.app_url}, allow_redirects=False)
    assert forged.status_code == 403
    missing = s.post(stack.url("developers", "/account/sessions/revoke-others"), data={"next": "/"}, allow_redirects=False)
    assert missing.status_code == 403


def test_a_developer_who_signs_up_in_spanish_gets_the_pages_and_the_mail_in_spanish(stack, mail_dir):
    """Issue 22: the portal's pages and its mails in the language of the request (here the browser's
    Accept-Language); the mail is a real one in the stack's mail folder."""
    s = stack.session()
    s.headers["Accept-Language"] = "es-ES,es;q=0.9,en;q=0.5"
    address = new_address("hola")
    page = s.get(stack.url("developers", "/signup"))
    assert '<html lang="es"' in page.text and "Crear una cuenta de desarrollador" in page.text
    answer = post_form(s, stack.url("developers", "/signup"),
                       {"name": "Lucía", "email": address, "company": "", "password": PASSWORD,
                        "confirmation": PASSWORD, "terms": "1"})
    assert answer.status_code == 200 and "Revisa tu correo" in answer.text, answer.text
    mail = wait_for_mail(mail_dir, address)[-1]
    assert str(mail["Subject"]) == "Confirma tu cuenta de desarrollador de CatalystWells"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hola, Lucía:") and "Solo funciona una vez." in body, body
    assert link_in(mail, "/verify")
