"""Languages (issue 22): the consent page in Spanish, French and Arabic through nginx, in Chromium.

The app's `ui_locales` picks the language, and so does the browser's Accept-Language; Arabic pages are
right-to-left (`<html dir="rtl">`) and mirror the layout; the switcher at the foot of every page saves a signed-in
person's choice, which then outranks both. A screenshot of the consent page in each language is left under
`$CW_STACK_DIR/screenshots/` (not committed).

Demo users of this file only: student44 (ui_locales, Accept-Language) and student45 (the saved choice).
"""
import os
from pathlib import Path

import pytest

WORDS = {  # the Allow button and the translated description of profile.read, per language
    "en": ("Allow", "See your name, username and role"),
    "es": ("Permitir", "Ver tu nombre, tu nombre de usuario y tu rol"),
    "fr": ("Autoriser", "Voir votre nom, votre identifiant et votre rôle"),
    "ar": ("سماح", "الاطلاع على اسمك واسم المستخدم ودورك"),
}


def person(demo, username):
    return next(p for p in demo["students"] if p["username"] == username)


def accept_language(browser, value):
    """Chromium sends `value` as Accept-Language from now on (the module's browser; reset by the fixture)."""
    agent = browser.driver.execute_script("return navigator.userAgent")
    browser.driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": value})


@pytest.fixture()
def chrome(browser):
    accept_language(browser, "en")
    yield browser
    accept_language(browser, "en")


def language_of(browser):
    return browser.driver.execute_script(
        "return [document.documentElement.lang, document.documentElement.dir, getComputedStyle(document.body).direction]")


def consent_in(browser, demo, oauth, public_client, **parameters):
    flow = oauth.flow(public_client, "openid profile.read", prompt="consent", **parameters)
    assert flow.open(browser, person(demo, "student44")), "no consent page"
    return flow


def test_consent_page_in_each_language_from_ui_locales(stack, demo, chrome, oauth, public_client):
    shots = Path(os.environ["CW_STACK_DIR"]) / "screenshots"
    for language, ui_locales in (("es", "es-MX en"), ("fr", "de fr-CA"), ("ar", "ar"), ("en", "en")):
        consent_in(chrome, demo, oauth, public_client, ui_locales=ui_locales)
        allow, description = WORDS[language]
        assert language_of(chrome) == [language, "rtl" if language == "ar" else "ltr", "rtl" if language == "ar" else "ltr"]
        assert chrome.text("#approve") == allow
        assert description in chrome.text("#requested-scopes")
        if language == "ar":
            # Mirrored: the list's start edge is on the right, and the brand sits at the right end of the top bar.
            brand = chrome.find("header.top .brand").rect
            assert brand["x"] > chrome.driver.execute_script("return document.documentElement.clientWidth") / 2
        chrome.screenshot(shots / f"consent-{language}.png")
        chrome.reset()


def test_accept_language_picks_the_language_when_the_app_names_none(demo, chrome, oauth, public_client):
    accept_language(chrome, "fr-BE,fr;q=0.9,en;q=0.5")
    consent_in(chrome, demo, oauth, public_client)
    assert language_of(chrome)[0] == "fr" and chrome.text("#approve") == "Autoriser"
    chrome.reset()
    accept_language(chrome, "ar-EG,ar;q=0.9")
    consent_in(chrome, demo, oauth, public_client)
    assert language_of(chrome) == ["ar", "rtl", "rtl"] and chrome.text("#approve") == "سماح"
    # The app's ui_locales outranks the browser.
    chrome.reset()
    consent_in(chrome, demo, oauth, public_client, ui_locales="es")
    assert language_of(chrome)[0] == "es"


def test_the_switcher_saves_a_signed_in_persons_choice(demo, chrome, oauth, public_client):
    me = person(demo, "student45")
    assert chrome.sign_in(me["username"], me["password"]) == 200
    try:
        assert chrome.submit("form#language-switcher", {"language": "ar"}) == 200
        assert language_of(chrome) == ["ar", "rtl", "rtl"]
        # Saved with the account: a new browser (no cookie) gets it after signing in, above the app's hint.
        chrome.reset()
        flow = oauth.flow(public_client, "openid profile.read", prompt="consent", ui_locales="fr")
        assert flow.open(chrome, me)
        assert language_of(chrome)[0] == "ar" and chrome.text("#approve") == "سماح"
    finally:
        chrome.reset()
        assert chrome.sign_in(me["username"], me["password"]) == 200
        assert chrome.submit("form#language-switcher", {"language": "en"}) == 200
        assert language_of(chrome)[0] == "en"


def test_a_signed_out_visitor_switches_with_a_cookie(chrome):
    assert chrome.open("/login") == 200
    assert chrome.submit("form#language-switcher", {"language": "es"}) == 200
    assert chrome.path == "/login" and language_of(chrome)[0] == "es"
    assert chrome.text("form#signin button[type=submit]") == "Iniciar sesión"
    assert chrome.open("/no-such-page") == 404 and chrome.text("h1") == "Página no encontrada"


def test_the_schools_default_language_reaches_a_parent_with_an_english_browser(stack, demo, chrome):
    """The school admin sets Spanish on /school; parent38 (no saved language, owned by this test) then gets the
    parent pages in Spanish although the browser asks for English. The default is cleared again at the end."""
    admin, parent = demo["school_admin"], next(p for p in demo["parents"] if p["username"] == "parent38")
    assert chrome.sign_in(admin["username"], admin["password"]) == 200 and chrome.path == "/school"
    try:
        assert chrome.submit("form#school-language", {"language": "es"}) == 200
        assert chrome.path == "/school?saved=language" and language_of(chrome)[0] == "es"
        assert chrome.notice() == "Guardado."
        chrome.reset()
        assert chrome.sign_in(parent["username"], parent["password"]) == 200 and chrome.path == "/parent"
        assert language_of(chrome) == ["es", "ltr", "ltr"]
        assert chrome.text("main h1") == "Mis hijos"
        assert chrome.open("/account/access-log") == 200 and chrome.text("main h1") == "Actividad de las aplicaciones"
    finally:
        chrome.reset()
        assert chrome.sign_in(admin["username"], admin["password"]) == 200
        assert chrome.submit("form#school-language", {"language": ""}) == 200
        assert language_of(chrome)[0] == "en"
