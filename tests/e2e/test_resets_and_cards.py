"""Resets by the people responsible and printable sign-in cards (issue 16, items 1 and 2), through nginx.

A teacher of a school of its own (created here with SQL the way a roster import would leave it, so no other test's
sign-ins change: `e2e-resets-school`, one class of three grade-4 students, two of them without an email address)
opens the class's sign-in cards in Chromium and generates temporary passwords for the whole class. The page shows
each card once, with the PDF of the same cards embedded as a download; the PDF is read back with pypdf in strict
mode (a wrong cross-reference offset fails the read) and must name every student with their password. A student then
signs in with theirs in Chromium and is made to choose a password of their own before any page opens; the temporary
one never works again. The audit log has the resets and the replacement, the student got a mail without the
password, and the cards without passwords (GET …/cards.pdf) and the PDF-only generation (POST format=pdf) are
fetched with requests.
"""
import base64
import email
import email.policy
import io
import re
import secrets
import subprocess
import time
import unicodedata

from pypdf import PdfReader

from test_education_api import sql

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
FAILED = "That email or username and password do not match. Check both and try again."
TEMPORARY = re.compile(r"^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$")

SCHOOL = """
INSERT IGNORE INTO schools (sourced_id, name, created_at, updated_at)
VALUES ('e2e-resets-school', 'Resets E2E School', NOW(6), NOW(6));
SET @s = (SELECT id FROM schools WHERE sourced_id = 'e2e-resets-school');
SET @hash = (SELECT password_hash FROM users WHERE username = 'student01');
INSERT IGNORE INTO users (school_id, sourced_id, role, given_name, family_name, email, username, grade_level, password_hash,
                          created_at, updated_at) VALUES
  (@s, 'e2e-r-teacher', 'teacher', 'Rita', 'Resetter', 'e2e-rteacher@resets.example.org', 'e2e-rteacher', NULL, @hash, NOW(6), NOW(6)),
  (@s, 'e2e-r-s1', 'student', 'Zoë', 'Ångström', 'e2e-rstudent1@resets.example.org', 'e2e-rstudent1', '4', NULL, NOW(6), NOW(6)),
  (@s, 'e2e-r-s2', 'student', 'Kofi', 'Mensah', NULL, 'e2e-rstudent2', '4', NULL, NOW(6), NOW(6)),
  (@s, 'e2e-r-s3', 'student', 'Mei', 'Lin', NULL, 'e2e-rstudent3', '4', NULL, NOW(6), NOW(6));
INSERT IGNORE INTO terms (school_id, sourced_id, title, kind, start_date, end_date)
VALUES (@s, 'e2e-r-term', 'Year', 'schoolYear', '2026-09-01', '2027-06-30');
INSERT IGNORE INTO courses (school_id, sourced_id, title) VALUES (@s, 'e2e-r-course', 'Reading');
INSERT IGNORE INTO classes (school_id, sourced_id, title, course_id, term_id)
SELECT @s, 'e2e-r-class', 'Reading 4R', co.id, t.id FROM courses co JOIN terms t ON t.school_id = co.school_id
WHERE co.school_id = @s AND co.sourced_id = 'e2e-r-course' AND t.sourced_id = 'e2e-r-term';
INSERT IGNORE INTO enrollments (class_id, user_id, role, sourced_id, active)
SELECT c.id, u.id, IF(u.role = 'teacher', 'teacher', 'student'), CONCAT('e2e-r-enr-', u.sourced_id), TRUE
FROM classes c JOIN users u ON u.school_id = c.school_id
WHERE c.school_id = @s AND c.sourced_id = 'e2e-r-class' AND u.sourced_id IN ('e2e-r-teacher', 'e2e-r-s1', 'e2e-r-s2', 'e2e-r-s3');
"""

STUDENTS = {"e2e-rstudent1": "Zoë Ångström", "e2e-rstudent2": "Kofi Mensah", "e2e-rstudent3": "Mei Lin"}


def school_ids(stack):
    sql(stack, SCHOOL)
    rows = sql(stack, """
        SELECT 'class', c.id FROM classes c JOIN schools s ON s.id = c.school_id
        WHERE s.sourced_id = 'e2e-resets-school' AND c.sourced_id = 'e2e-r-class'
        UNION ALL SELECT u.username, u.id FROM users u WHERE u.username LIKE 'e2e-r%'""")
    return {name: int(value) for name, value in rows}


def pdf_text(data):
    """The text of every page, read strictly: a broken cross-reference table or object fails here."""
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert reader.pdf_header == "%PDF-1.4"
    return "\n".join(page.extract_text() for page in reader.pages)


def http_sign_in(stack, identifier, password):
    session = stack.session()
    page = session.get(stack.url("app", "/login"))
    response = session.post(stack.url("app", "/login"), allow_redirects=False,
                            data={"csrf": CSRF_FIELD.search(page.text).group(1), "identifier": identifier, "password": password})
    assert response.status_code == 303, response.text
    return session, response


def mails_to(mail_dir, address, skip):
    found = []
    for path in sorted(set(mail_dir.glob("*.eml")) - skip):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address.lower() in str(message["To"]).lower():
            found.append(message)
    return found


def test_a_teacher_prints_a_class_and_a_student_must_choose_a_password(stack, demo, browser, mail_dir):
    ids = school_ids(stack)
    klass = ids["class"]
    link = f"{stack.app_url}/login?school=e2e-resets-school"
    earlier_mail = set(mail_dir.glob("*.eml"))

    # The teacher opens the class's cards: without passwords, nothing is shown that is not stored.
    assert browser.sign_in("e2e-rteacher", demo["password"]) == 200 and browser.path == "/teacher"
    assert browser.open("/teacher/classes/1/cards") == 404, "a demo class the teacher does not teach"
    assert browser.open(f"/teacher/classes/{klass}") == 200
    assert browser.follow("a#sign-in-cards") == 200 and browser.path == f"/teacher/classes/{klass}/cards"
    assert len(browser.find_all("article.sign-in-card")) == 3
    assert browser.find_all(".card-password code") == []
    assert set(browser.attributes(".card-qr", "data-qr-slot")) == {"badge"}

    # ... and generates temporary passwords for all of them: the cards show each once, with the PDF embedded.
    assert browser.submit("form#generate-cards", button="button[value=html]") == 200
    assert browser.headers.get("cache-control") == "no-store"
    cards = {}
    for card in browser.find_all("article.sign-in-card"):
        username = card.find_element("css selector", ".card-username").text.strip()
        cards[username] = {"name": card.find_element("css selector", ".card-name").text.strip(),
                           "password": card.find_element("css selector", ".card-password code").text.strip(),
                           "link": card.find_element("css selector", ".card-link").text.strip()}
    assert {u: c["name"] for u, c in cards.items()} == STUDENTS
    assert all(TEMPORARY.match(c["password"]) and c["link"] == link for c in cards.values()), cards
    assert len({c["password"] for c in cards.values()}) == 3
    href = browser.find("a#cards-pdf").get_attribute("href")
    assert href.startswith("data:application/pdf;base64,")
    text = pdf_text(base64.b64decode(href.split(",", 1)[1]))
    for card in cards.values():
        assert card["name"] in text and card["password"] in text, (card, text)
    assert link in text

    # A student signs in with theirs and must choose a password before anything else opens.
    temporary = cards["e2e-rstudent1"]["password"]
    browser.reset()
    assert browser.sign_in("e2e-rstudent1", temporary) == 200
    assert browser.path == "/login/choose-password"
    assert browser.cookie("__Host-cw_session") is None
    assert browser.open("/student") == 200 and browser.path.startswith("/login"), "a page opened before the step"
    assert browser.open("/login/choose-password") == 200
    assert "You signed in with a temporary password" in browser.text("#choose-intro")
    chosen = "zoe-" + secrets.token_hex(6)
    assert browser.submit("form#choose-password", {"password": chosen, "confirmation": chosen}) == 200
    assert browser.path == "/student"
    assert browser.cookie("__Host-cw_choose") is None
    browser.sign_out()
    assert browser.sign_in("e2e-rstudent1", temporary) == 200 and FAILED in browser.text("main")
    assert browser.sign_in("e2e-rstudent1", chosen) == 200 and browser.path == "/student"

    # The audit log has every reset by the teacher and the replacement; the student was told, without the password.
    resets = sql(stack, f"""
        SELECT subject_id, method, detail FROM security_audit_log
        WHERE event = 'password_reset' AND actor_id = {ids['e2e-rteacher']} AND detail LIKE '%bulk for class Reading 4R%'""")
    assert {ids[name] for name in STUDENTS} <= {int(row[0]) for row in resets}
    assert all(row[1] == "temporary" and "must be changed at the next sign-in" in row[2] for row in resets)
    replaced = sql(stack, f"""
        SELECT COUNT(*) FROM security_audit_log WHERE event = 'password_changed' AND subject_id = {ids['e2e-rstudent1']}
        AND detail = 'temporary password replaced at sign-in'""")
    assert int(replaced[0][0]) >= 1
    deadline = time.monotonic() + 15
    while not (mails := mails_to(mail_dir, "e2e-rstudent1@resets.example.org", earlier_mail)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(mails) == 1 and mails[0]["Subject"] == "Your CatalystWells password was reset"
    assert temporary not in mails[0].get_body(("plain",)).get_content()


def test_the_cards_pdf_without_and_with_new_passwords(stack, demo):
    ids = school_ids(stack)
    klass = ids["class"]
    session, _ = http_sign_in(stack, "e2e-rteacher", demo["password"])

    plain = session.get(stack.url("app", f"/teacher/classes/{klass}/cards.pdf"))
    assert plain.status_code == 200 and plain.headers["Content-Type"] == "application/pdf"
    text = pdf_text(plain.content)
    assert all(name in text for name in STUDENTS.values()), text
    assert text.count("Your own password") == 3

    page = session.get(stack.url("app", f"/teacher/classes/{klass}/cards"))
    generated = session.post(stack.url("app", f"/teacher/classes/{klass}/cards"),
                             data={"csrf": CSRF_FIELD.search(page.text).group(1), "format": "pdf"})
    assert generated.status_code == 200 and generated.headers["Content-Type"] == "application/pdf"
    assert generated.headers["Cache-Control"] == "no-store"
    assert generated.headers["Content-Disposition"] == 'attachment; filename="sign-in-cards-reading-4r.pdf"'
    text = pdf_text(generated.content)
    passwords = re.findall(r"[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}", text)
    assert len(set(passwords)) == 3 and all(name in text for name in STUDENTS.values()), text
    # Each password is the one of the card it is on: the card's student signs in with it (and must choose another).
    for username in STUDENTS:
        start = text.index(STUDENTS[username])
        password = re.search(r"[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}", text[start:]).group(0)
        _, answer = http_sign_in(stack, username, password)
        assert answer.headers["Location"] == "/login/choose-password", username


def test_the_cards_pdf_in_arabic_embeds_a_font_that_draws_arabic_and_every_name(stack, demo):
    """With the embedded DejaVu Sans faces (general.pdf_font, Debian's fonts-dejavu-core), an Arabic page's PDF is in
    Arabic, not English: its text reads back (pypdf, through the ToUnicode map; poppler's pdftotext) as the Arabic
    labels, joined letters mapped back to plain Arabic, and every name, accents included."""
    klass = school_ids(stack)["class"]
    session, _ = http_sign_in(stack, "e2e-rteacher", demo["password"])
    answer = session.get(stack.url("app", f"/teacher/classes/{klass}/cards.pdf"), headers={"Accept-Language": "ar"})
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    assert b"/FontFile2" in answer.content and b"/Identity-H" in answer.content
    own_password = "كلمة مرورك الخاصة"

    def arabic_in(text, phrase):
        # Drawn glyphs are in visual order (right to left reversed); a reader may or may not put them back.
        plain = unicodedata.normalize("NFKC", text)
        return phrase in plain or phrase[::-1] in plain

    text = pdf_text(answer.content)
    assert arabic_in(text, own_password) and text.count("Your own password") == 0, text
    assert all(name in unicodedata.normalize("NFC", text) for name in STUDENTS.values()), text
    poppler = subprocess.run(["pdftotext", "-", "-"], input=answer.content, capture_output=True, timeout=30)
    assert poppler.returncode == 0 and poppler.stderr == b"", poppler.stderr
    assert arabic_in(poppler.stdout.decode(), own_password), poppler.stdout.decode()
