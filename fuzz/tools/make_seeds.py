#!/usr/bin/env python3
"""Writes the seed corpora of the harnesses other than fuzz-fastcgi (whose seeds capture_fastcgi.py records
from a real nginx) into fuzz/corpus/<harness>/: small valid inputs of each parser, in the field layout each
harness documents (fields separated by NUL bytes). Deterministic; run it again after changing a layout.

    python3 fuzz/tools/make_seeds.py
"""
import base64
import io
import json
import os
import struct
import zipfile
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(REPO, "fuzz", "corpus")
ROSTER = os.path.join(REPO, "Tests", "Fixtures", "roster")
ZIPS = os.path.join(REPO, "Tests", "Fixtures", "zip")
CSV_NAMES = ["manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv"]


def write(harness, name, data):
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data if isinstance(data, bytes) else data.encode())


def fields(*parts):
    return b"\0".join(p if isinstance(p, bytes) else p.encode() for p in parts)


def roster_files(folder):
    files = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as handle:
            files[name] = handle.read()
    return files


def png(width, height):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"\xff\x80\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def multipart(boundary, parts):
    out = b""
    for headers, content in parts:
        out += b"--" + boundary + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + content + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def main():
    # fuzz-form: REQUEST_URI, Cookie, Content-Type, Authorization, body.
    form = "application/x-www-form-urlencoded"
    write("fuzz-form", "login", fields("/login?next=%2Fstudent&x=a+b", "__Host-cw_form=abc; theme=dark", form, "",
                                        "csrf=Zm9v&email=ann%40example.org&password=p%C3%A4ss+word"))
    write("fuzz-form", "token-basic", fields("/api/oauth/token", "", form, "Basic Y3dfY2xpZW50XzE6Y3dfY3NfcyUzQWVjcmV0",
                                              "grant_type=client_credentials&scope=school.read"))
    write("fuzz-form", "authorize", fields("/authsso?response_type=code&client_id=cw_client_1&redirect_uri=https%3A%2F%2Fa.example%2Fcb"
                                           "&scope=openid%20profile.read&state=%E2%9C%93&nonce=n-0S6", "__Host-cw_session=s3ss", "", "", ""))
    write("fuzz-form", "utf8-path", fields("/account/apps/caf%C3%A9/revoke", "a=1;b=2; c = 3 ;d", form, "", "x=%E2%82%AC&y&&z="))

    # fuzz-multipart: Content-Type, body. Shaped as Chromium sends them.
    boundary = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"
    content_type = "multipart/form-data; boundary=" + boundary.decode()
    roster = roster_files(os.path.join(ROSTER, "valid"))
    write("fuzz-multipart", "roster-csv", fields(content_type, multipart(boundary, [
        ([b'Content-Disposition: form-data; name="csrf"'], b"Zm9vYmFy"),
        ([b'Content-Disposition: form-data; name="files"; filename="users.csv"', b"Content-Type: text/csv"], roster["users.csv"][:600]),
        ([b'Content-Disposition: form-data; name="files"; filename="manifest.csv"', b"Content-Type: text/csv"], roster["manifest.csv"]),
    ])))
    write("fuzz-multipart", "portal-app-logo", fields(content_type, multipart(boundary, [
        ([b'Content-Disposition: form-data; name="csrf"'], b"Zm9vYmFy"),
        ([b'Content-Disposition: form-data; name="name"'], "Mathe-Trainer ✓".encode()),
        ([b'Content-Disposition: form-data; name="scopes"'], b"openid"),
        ([b'Content-Disposition: form-data; name="scopes"'], b"profile.read"),
        ([b'Content-Disposition: form-data; name="logo"; filename="C:\\Users\\ann\\logo.png"', b"Content-Type: image/png"], png(4, 3)),
    ])))
    write("fuzz-multipart", "empty-file-input", fields("multipart/form-data; boundary=\"xYzZY\"", multipart(b"xYzZY", [
        ([b'Content-Disposition: form-data; name="logo"; filename=""', b"Content-Type: application/octet-stream"], b""),
        ([b'content-disposition: form-data; name="version"'], b"3"),
    ])))

    # fuzz-csv: the seven files of a set, in the harness's order; the test fixtures' sets.
    for folder in sorted(os.listdir(ROSTER)):
        files = roster_files(os.path.join(ROSTER, folder))
        write("fuzz-csv", folder, fields(*[files.get(name, b"") for name in CSV_NAMES]))
    write("fuzz-csv", "quoting", fields('propertyName,value\r\n"file.users","bulk"\r\n"a ""quoted"" value","line\nbreak"\r', "", ""))

    # fuzz-zip: the test fixtures, and the valid roster set zipped as Finder and Windows would.
    for name in sorted(os.listdir(ZIPS)):
        if name.endswith(".zip"):
            with open(os.path.join(ZIPS, name), "rb") as handle:
                write("fuzz-zip", name, handle.read())
    for label, prefix, method in [("roster-deflated.zip", "", zipfile.ZIP_DEFLATED), ("roster-folder-stored.zip", "export/", zipfile.ZIP_STORED)]:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", method) as archive:
            if prefix:
                archive.writestr(zipfile.ZipInfo(prefix, date_time=(2026, 3, 2, 8, 0, 0)), b"")
            for name in CSV_NAMES:
                info = zipfile.ZipInfo(prefix + name, date_time=(2026, 3, 2, 8, 0, 0))
                info.compress_type = method
                archive.writestr(info, roster[name])
        write("fuzz-zip", label, buffer.getvalue())

    # fuzz-json-bodies: a selector byte (even: attendance, odd: grades), then the body.
    attendance = {"date": "2026-03-02", "marks": [{"student_id": 7, "status": "present"}, {"student_id": 8, "status": "late", "note": "bus"}]}
    grades = {"grades": [{"student_id": 7, "score": 87.5, "comment": "good"}, {"student_id": 8, "score": "92"}], "publish": True}
    write("fuzz-json-bodies", "attendance", b"\x00" + json.dumps(attendance).encode())
    write("fuzz-json-bodies", "grades", b"\x01" + json.dumps(grades, ensure_ascii=False).encode())
    # Foundation's JSONDecoder refuses nesting deeper than 512 levels instead of recursing without bound.
    write("fuzz-json-bodies", "deep-nesting", b"\x00" + b"[" * 5000 + b"]" * 5000)
    write("fuzz-json-bodies", "grades-escapes", b"\x01" + '{"grades":[{"student_id":1e2,"score":"1\\u0030","comment":"\\ud83d\\ude00 caf\u00e9"}]}'.encode())

    # fuzz-jose: Authorization, form body, nonce, marker.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    write("fuzz-jose", "code-exchange", fields("Basic Y3dfY2xpZW50XzE6Y3dfY3Nfc2VjcmV0", "grant_type=authorization_code&code=cw_ac_"
                                              + "A" * 43 + "&redirect_uri=https%3A%2F%2Fa.example%2Fcb&code_verifier=" + verifier,
                                              "n-0S6_WzA2Mj", "1795000000.abc"))
    write("fuzz-jose", "refresh-post", fields("", "grant_type=refresh_token&refresh_token=cw_rt_" + "b" * 43
                                              + "&client_id=cw_client_1&client_secret=cw_cs_x&scope=openid+offline_access",
                                              'quote " backslash \\ newline \n tab \t \u2028 \U0001F600', ""))
    write("fuzz-jose", "bearer", fields("Bearer cw_at_" + "c" * 43, "access_token=cw_at_x", "\x00\x1f\x7f", "-1.AAAA"))
    # The fifth field, a DPoP proof: "~" stands for the harness key's (cached) header part.
    def b64url(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    claims = b64url(json.dumps({"jti": "j1", "htm": "GET", "htu": "https://app.localhost/api/oauth/userinfo", "iat": 1795000000,
                                "ath": "x", "nonce": "n\u00e9"}, separators=(",", ":")).encode())
    write("fuzz-jose", "dpop-cached-header", fields("", "", "", "", "~." + claims + "." + b64url(bytes(range(64)))))
    header = b64url(json.dumps({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}},
                               separators=(",", ":")).encode())
    write("fuzz-jose", "dpop-foreign-key", fields("", "", "", "", header + "." + claims + "." + b64url(bytes(64))))

    # fuzz-webauthn: a selector byte, then the mode's bytes (fuzz/Sources/fuzz-webauthn/Harness.swift). The
    # W3C WebAuthn Level 3 §16.2 vector ("ES256 Credential with No Attestation"): every mode starts from bytes
    # that verify.
    attestation = bytes.fromhex(
        "a363666d74646e6f6e656761747453746d74a068617574684461746158a4bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0"
        "f01452b2e4b559000000008446ccb9ab1db374750b2367ff6f3a1f0020f91f391db4c9b2fde0ea70189cba3fb63f579ba6122b33ad94ff3e"
        "c330084be4a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2f"
        "ca66334b03458abf879717c12cc68ed73290af2e2664796b9220")
    auth_data = attestation[attestation.index(b"authData") + 10:]
    client_data = (b'{"type":"webauthn.create","challenge":"AMMPt4UxxGTStncdq417YDwBFi8vpIa-pw8oOuVW4TA",'
                   b'"origin":"https://example.org","crossOrigin":false}')
    assertion_data = bytes.fromhex("bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b51900000000")
    signature = bytes.fromhex("3046022100f50a4e2e4409249c4a853ba361282f09841df4dd4547a13a87780218deffcd380221008480ac0f0b"
                              "93538174f575bf11a1dd5d78c6e486013f937295ea13653e331e87")
    write("fuzz-webauthn", "cbor-attestation-object", b"\x00" + attestation)
    write("fuzz-webauthn", "authenticator-data", b"\x01" + auth_data)
    write("fuzz-webauthn", "w3c-registration", b"\x02" + attestation)
    write("fuzz-webauthn", "client-data", b"\x03" + client_data)
    write("fuzz-webauthn", "w3c-assertion", b"\x04" + struct.pack(">H", len(assertion_data)) + assertion_data + signature)
    write("fuzz-webauthn", "ceremony-cookie", b"\x05" + b"A" * 96)


if __name__ == "__main__":
    main()
