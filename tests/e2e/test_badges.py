"""QR badges (issue 16, item 3), through nginx, read back the way a school uses them: from paper.

A teacher of a school of its own (created here with SQL as a roster import would leave it: `e2e-badges-school`, one
class of two students; not a demo class, because generating cards gives every student of the class a new temporary
password, which would break the other tests' demo sign-ins) generates the class's cards with "new badges" in
Chromium. The PDF embedded in that answer is rendered to PNG with poppler's `pdftoppm`, and the QR codes are decoded
from the image with zbar's `zbarimg` (Debian packages poppler-utils and zbar-tools). Each decoded link opens in
Chromium and lands signed in as the card's student, the secret gone from the address bar; nginx's access log never
sees it (it travels in the URL fragment and then in a POST body). The teacher then makes a new badge for one
student: the old link is refused with a clear page. The audit log has the badges issued and rotated, the badge
sign-ins (`sc`) and the refusal.

The badge page's own camera: a teacher prints one student's new badge; its card, rendered from the PDF and cut out
as a camera would frame it, becomes the video of Chromium's fake camera (`--use-file-for-fake-video-capture`, a Y4M
file). From the school's sign-in page, "Sign in with a QR badge" and "Scan my badge" send the video's frames to the
server, which reads them with libzbar, and the student lands signed in. The same badge in front of another school's
badge page is refused.
"""
import base64
import re
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from selenium.webdriver.common.print_page_options import PrintOptions

from browser import Browser, start_chromium, verified_server_pin

from test_education_api import sql

SCHOOL = """
INSERT IGNORE INTO schools (sourced_id, name, created_at, updated_at)
VALUES ('e2e-badges-school', 'Badges E2E School', NOW(6), NOW(6));
SET @s = (SELECT id FROM schools WHERE sourced_id = 'e2e-badges-school');
SET @hash = (SELECT password_hash FROM users WHERE username = 'student01');
INSERT IGNORE INTO users (school_id, sourced_id, role, given_name, family_name, email, username, grade_level, password_hash,
                          created_at, updated_at) VALUES
  (@s, 'e2e-b-teacher', 'teacher', 'Bea', 'Badger', 'e2e-bteacher@badges.example.org', 'e2e-bteacher', NULL, @hash, NOW(6), NOW(6)),
  (@s, 'e2e-b-s1', 'student', 'Ines', 'Quader', NULL, 'e2e-bstudent1', '2', NULL, NOW(6), NOW(6)),
  (@s, 'e2e-b-s2', 'student', 'Tomás', 'Reyes', NULL, 'e2e-bstudent2', '2', NULL, NOW(6), NOW(6));
INSERT IGNORE INTO terms (school_id, sourced_id, title, kind, start_date, end_date)
VALUES (@s, 'e2e-b-term', 'Year', 'schoolYear', '2026-09-01', '2027-06-30');
INSERT IGNORE INTO courses (school_id, sourced_id, title) VALUES (@s, 'e2e-b-course', 'Numbers');
INSERT IGNORE INTO classes (school_id, sourced_id, title, course_id, term_id)
SELECT @s, 'e2e-b-class', 'Numbers 2B', co.id, t.id FROM courses co JOIN terms t ON t.school_id = co.school_id
WHERE co.school_id = @s AND co.sourced_id = 'e2e-b-course' AND t.sourced_id = 'e2e-b-term';
INSERT IGNORE INTO enrollments (class_id, user_id, role, sourced_id, active)
SELECT c.id, u.id, IF(u.role = 'teacher', 'teacher', 'student'), CONCAT('e2e-b-enr-', u.sourced_id), TRUE
FROM classes c JOIN users u ON u.school_id = c.school_id
WHERE c.school_id = @s AND c.sourced_id = 'e2e-b-class' AND u.sourced_id IN ('e2e-b-teacher', 'e2e-b-s1', 'e2e-b-s2');
"""

STUDENTS = ("e2e-bstudent1", "e2e-bstudent2")
BADGE_LINK = re.compile(r"^(https://[^/]+)/login/badge#([A-Za-z0-9_-]{43})$")


def school_ids(stack):
    sql(stack, SCHOOL)
    rows = sql(stack, """
        SELECT 'class', c.id FROM classes c JOIN schools s ON s.id = c.school_id
        WHERE s.sourced_id = 'e2e-badges-school' AND c.sourced_id = 'e2e-b-class'
        UNION ALL SELECT u.username, u.id FROM users u WHERE u.username LIKE 'e2e-b%'""")
    return {name: int(value) for name, value in rows}


def decoded_links(pdf):
    """The QR codes on the PDF's first page, as a printer would show them to a camera: rendered at 200 dpi, decoded."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cards.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile", str(source), str(Path(folder) / "page")],
                       check=True, timeout=60)
        out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(Path(folder) / "page.png")],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def badge_sign_in(browser, link):
    """Opens a badge's link as a camera app would; returns the path the browser settles on."""
    base, _ = BADGE_LINK.match(link).groups()
    assert base == browser.base_url
    browser.reset()
    browser.driver.get(link)
    browser._wait_for(lambda d: urlsplit(d.current_url).path != "/login/badge" or d.find_elements("css selector", "#badge-error"))
    return browser.path


def signed_in_user(stack):
    rows = sql(stack, "SELECT subject_id FROM security_audit_log WHERE event = 'sign_in' AND method = 'sc' ORDER BY id DESC LIMIT 1")
    return int(rows[0][0])


def test_printed_badges_sign_students_in_and_a_rotated_badge_is_refused(stack, demo, browser):
    ids = school_ids(stack)
    klass = ids["class"]
    first_audit = int(sql(stack, "SELECT COALESCE(MAX(id), 0) FROM security_audit_log")[0][0])

    # The teacher generates the class's cards with new badges: each card shows its QR code, this once.
    assert browser.sign_in("e2e-bteacher", demo["password"]) == 200 and browser.path == "/teacher"
    assert browser.open(f"/teacher/classes/{klass}/cards") == 200
    browser.find("#new-badges").click()
    assert browser.submit("form#generate-cards", button="button[value=html]") == 200
    assert browser.headers.get("cache-control") == "no-store"
    assert len(browser.find_all("article.sign-in-card .card-qr[data-badge=new] svg.badge-qr")) == 2
    assert "/login/badge#" not in browser.driver.page_source, "the secret is only in the drawing"
    href = browser.find("a#cards-pdf").get_attribute("href")
    pdf = base64.b64decode(href.split(",", 1)[1])
    # The page as Chromium prints it (the print stylesheet, print-to-PDF) carries the same codes, readable from paper.
    printed = base64.b64decode(browser.driver.print_page(PrintOptions()))
    assert sorted(decoded_links(printed)) == sorted(decoded_links(pdf))

    # Both codes are read back from the rendered page; each link signs its student in.
    links = decoded_links(pdf)
    assert len(links) == 2 and all(BADGE_LINK.match(link) for link in links), links
    holders = {}
    for link in links:
        assert badge_sign_in(browser, link) == "/student", browser.driver.page_source[:2000]
        assert "#" not in browser.driver.current_url
        assert browser.cookie("__Host-cw_session") is not None
        holders[signed_in_user(stack)] = link
    assert set(holders) == {ids[name] for name in STUDENTS}

    # The secrets reached neither nginx's log nor the app's: the fragment is not sent, the POST body is not logged.
    for log in (Path(stack.dir) / "nginx" / "logs" / "access.log", Path(stack.dir) / "logs" / "app.log"):
        assert log.is_file(), log
        logged = log.read_text(errors="replace")
        assert all(BADGE_LINK.match(link).group(2) not in logged for link in links), log

    # A lost card: the teacher makes a new badge for the first student; the old code stops working at once.
    lost = ids["e2e-bstudent1"]
    browser.reset()
    assert browser.sign_in("e2e-bteacher", demo["password"]) == 200
    assert browser.open(f"/teacher/classes/{klass}/students/{lost}/password") == 200
    assert "Has a badge since" in browser.text("#badge-state")
    assert browser.submit("form#badge-rotate") == 200
    assert len(browser.find_all(".card-qr[data-badge=new] svg.badge-qr")) == 1
    new_pdf = base64.b64decode(browser.find("a#cards-pdf").get_attribute("href").split(",", 1)[1])
    (new_link,) = decoded_links(new_pdf)
    assert new_link != holders[lost]
    assert badge_sign_in(browser, holders[lost]) == "/login/badge"
    assert "This badge does not work" in browser.text("#badge-error")
    assert browser.cookie("__Host-cw_session") is None
    assert badge_sign_in(browser, new_link) == "/student" and signed_in_user(stack) == lost
    other = ids["e2e-bstudent2"]
    assert badge_sign_in(browser, holders[other]) == "/student" and signed_in_user(stack) == other

    # The audit log has it all: badges issued with the cards and rotated by the teacher, the sign-ins and the refusal.
    rows = sql(stack, f"""
        SELECT event, actor_id, subject_id, method, detail FROM security_audit_log
        WHERE id > {first_audit} AND event IN ('badge_changed', 'sign_in', 'sign_in_failed') AND (method = 'sc' OR event = 'badge_changed')
        ORDER BY id""")
    changes = [(int(r[2]), r[4]) for r in rows if r[0] == "badge_changed" and int(r[1]) == ids["e2e-bteacher"]]
    assert {subject for subject, detail in changes if detail.startswith("badge ") and "sign-in cards" in detail} == set(holders)
    assert (lost, "badge rotated") in changes
    assert sum(1 for r in rows if r[0] == "sign_in" and r[3] == "sc") == 4
    assert [r[4] for r in rows if r[0] == "sign_in_failed"] == ["unknown badge"]


def camera_video(pdf, path):
    """The first card of `pdf` as a camera held over the paper would see it: rendered grey at 150 dpi, the top-left
    640 × 480 pixels (the card with its QR code), written as a Y4M video of a few identical frames (grey: the chroma
    planes are neutral)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "card.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-gray", "-r", "150", "-x", "0", "-y", "0", "-W", "640", "-H", "480", "-f", "1", "-l", "1",
                        "-singlefile", str(source), str(Path(folder) / "card")], check=True, timeout=60)
        pgm = (Path(folder) / "card.pgm").read_bytes()
    magic, width, height, depth, pixels = pgm.split(maxsplit=4)
    assert (magic, int(width), int(height), int(depth)) == (b"P5", 640, 480, 255)
    luma = pixels[:640 * 480]
    chroma = bytes([128]) * (320 * 240)
    with open(path, "wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def test_a_badge_held_to_the_page_camera_signs_its_student_in_at_its_own_school_only(stack, demo, browser, tmp_path):
    ids = school_ids(stack)
    klass, student = ids["class"], ids["e2e-bstudent2"]
    other_school = sql(stack, "SELECT sourced_id FROM schools WHERE sourced_id <> 'e2e-badges-school' ORDER BY id LIMIT 1")[0][0]

    # The teacher prints a new badge for the student: one card.
    assert browser.sign_in("e2e-bteacher", demo["password"]) == 200
    assert browser.open(f"/teacher/classes/{klass}/students/{student}/password") == 200
    assert browser.submit("form#badge-rotate") == 200
    pdf = base64.b64decode(browser.find("a#cards-pdf").get_attribute("href").split(",", 1)[1])
    video = tmp_path / "badge.y4m"
    camera_video(pdf, video)
    first_audit = int(sql(stack, "SELECT COALESCE(MAX(id), 0) FROM security_audit_log")[0][0])

    host = urlsplit(stack.app_url).hostname
    driver = start_chromium([verified_server_pin(host, stack.https_port, stack.ca_file)], extra_arguments=(
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"))
    try:
        camera = Browser(driver, stack.app_url)
        camera.reset()

        # Another school's badge page sees the card and refuses it: nobody is signed in.
        assert camera.open(f"/login/badge?school={other_school}") == 200
        camera.find("#badge-scan").click()
        camera._wait_for(lambda d: d.find_elements("css selector", "#badge-error"))
        assert "belongs to another school" in camera.text("#badge-error")
        assert camera.cookie("__Host-cw_session") is None

        # The student's own school: its sign-in page leads to the badge page, whose camera reads the card.
        camera.reset()
        assert camera.open("/login?school=e2e-badges-school") == 200
        camera.find("#badge-link").click()
        camera._wait_for(lambda d: urlsplit(d.current_url).path == "/login/badge")
        assert "Badges E2E School" in camera.text("#badge-school")
        camera.find("#badge-scan").click()
        camera._wait_for(lambda d: urlsplit(d.current_url).path == "/student")
        assert camera.cookie("__Host-cw_session") is not None
        assert signed_in_user(stack) == student
    finally:
        driver.quit()

    rows = sql(stack, f"""
        SELECT event, subject_id, detail FROM security_audit_log
        WHERE id > {first_audit} AND method = 'sc' ORDER BY id""")
    assert [(r[0], int(r[1])) for r in rows] == [("sign_in_failed", student), ("sign_in", student)], rows
    assert rows[0][2] == "badge of another school"
    # The frames went to the server in POST bodies; the secret is in no log.
    secret = decoded_links(pdf)[0].split("#", 1)[1]
    for log in (Path(stack.dir) / "nginx" / "logs" / "access.log", Path(stack.dir) / "logs" / "app.log"):
        assert secret not in log.read_text(errors="replace")
