"""Developers' saved language (issue 22), with plain sessions through nginx: a signed-in developer picks Spanish with
the portal's switcher; it is saved with their account, so a new browser with an English Accept-Language shows the
portal in Spanish once they sign in, and a platform admin's decision (an English request on the app site) is mailed
to them in Spanish.
"""
import re

from portal import PASSWORD, csrf_of, post_form, wait_for_mail
from test_review_and_sync import admin, decide, submitted_app  # noqa: F401 - the platform admin's session fixture


def html_lang(page):
    return re.search(r'<html lang="([a-z-]+)"', page).group(1)


def test_a_developers_saved_language_reaches_their_pages_and_their_mail(stack, mail_dir, admin):
    developer, address, path, app_id = submitted_app(stack, mail_dir, "polyglot", scopes=("openid",))
    english = {"Accept-Language": "en"}
    page = developer.get(stack.url("developers", "/apps"), headers=english)
    assert html_lang(page.text) == "en"
    switched = developer.post(stack.url("developers", "/language"), headers=english, allow_redirects=False,
                              data={"csrf": csrf_of(page.text), "language": "es", "next": "/apps"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/apps"

    # Another browser, English by its header and without the switcher's cookie: Spanish once signed in.
    other = stack.session()
    assert html_lang(other.get(stack.url("developers", "/login"), headers=english).text) == "en"
    signed_in = post_form(other, stack.url("developers", "/login"), {"email": address, "password": PASSWORD})
    assert signed_in.status_code == 303
    assert html_lang(other.get(stack.url("developers", "/apps"), headers=english).text) == "es"

    # A decision made in English on the app site is mailed in the developer's language.
    before = len(wait_for_mail(mail_dir, address))
    answer = decide(stack, admin, app_id, "reject", reason="Falta la política de privacidad.")
    assert answer.status_code == 303, answer.text
    mail = wait_for_mail(mail_dir, address, count=before + 1)[-1]
    assert mail["Subject"].endswith("no se ha aprobado"), mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hola, ") and "Falta la política de privacidad." in body
