#!/usr/bin/env python3
"""A SAML 2.0 identity provider that is not ours: a school's ADFS or Shibboleth for development and tests.

CatalystWells is a SAML service provider (issue 15). This program stands in for a school's identity provider on a
developer's machine and in the end-to-end tests. It is built on another implementation than ours: pysaml2's
`saml2.server.Server` parses our AuthnRequest (HTTP-Redirect binding), builds the Response, and signs and
encrypts it with Debian's `xmlsec1` command; only the login form and the auto-posting page around it are written
here.

What it serves, over HTTPS on 127.0.0.1 (a threaded werkzeug server; the certificate is issued at start from the
dev stack's CA, `--ca-cert`/`--ca-key`):

    /metadata        its SAML metadata (entity id = https://127.0.0.1:<port>/metadata; signing certificate;
                     single sign-on service, HTTP-Redirect, at /sso/redirect)
    /sso/redirect    takes an AuthnRequest, shows a form: account, password, "Sign in"
    /login           checks the account and answers with a page that posts the signed Response to the SP's ACS

Service providers are known from the files in `--sp-metadata-dir` (one SP metadata document per file, read again
whenever the folder changes): the dev stack writes our metadata there after registering the provider. Accounts
come from `--config` (JSON: {"accounts": [{"username", "password", "email", "given_name", "family_name"}]}); the
NameID is the account's email (emailAddress format), and the attributes are mail, uid, givenName, sn and
displayName. How answers are signed and whether assertions are encrypted is set by a control API that answers
on loopback only, for the tests:

    POST /_control/mode   {"sign": "assertion"|"response"|"both"|"none", "encrypt": true|false,
                           "weak_encryption": true|false}   (defaults: assertion, false, false)

    provider.py --port 9445 --ca-cert ca.pem --ca-key ca.key --state-dir DIR --config FILE --sp-metadata-dir DIR
                [--pid-file FILE] [--ready-file FILE]
"""
import argparse
import base64
import datetime
import html
import ipaddress
import json
import logging
import os
import secrets
import ssl
import subprocess
import sys
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask, abort, jsonify, request
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, entity, saml, sigver
from saml2.config import IdPConfig
from saml2.server import Server
from werkzeug.serving import make_server

log = logging.getLogger("saml-idp")
app = Flask(__name__)


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.base_url = ""
        self.server = None
        self.accounts = {}
        self.pending = {}
        self.sp_stamp = None
        self.mode = {"sign": "assertion", "encrypt": False, "weak_encryption": False}
        self.args = None


STATE = State()

# pysaml2 encrypts assertions with 3DES-CBC unless told otherwise; CatalystWells accepts AES only (and refuses
# 3DES, which the tests check with weak_encryption). pysaml2 has no setting for it, so its two functions are wrapped.
_PYSAML2_PRE_ENCRYPTION = sigver.pre_encryption_part
AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"


def pre_encryption_part(**kwargs):
    if not STATE.mode["weak_encryption"]:
        kwargs.setdefault("msg_enc", AES256_CBC)
    return _PYSAML2_PRE_ENCRYPTION(**kwargs)


entity.pre_encryption_part = pre_encryption_part

# … and it asks xmlsec1 for a 3DES session key to go with it, whatever the template says.
_PYSAML2_ENCRYPT_ASSERTION = sigver.SecurityContext.encrypt_assertion


def encrypt_assertion(self, statement, enc_key, template, key_type="des-192", node_xpath=None):
    if not STATE.mode["weak_encryption"]:
        key_type = "aes-256"
    return _PYSAML2_ENCRYPT_ASSERTION(self, statement, enc_key, template, key_type=key_type, node_xpath=node_xpath)


sigver.SecurityContext.encrypt_assertion = encrypt_assertion


def make_server_config(base, key_file, cert_file, sp_dir):
    metadata_files = sorted(str(path) for path in Path(sp_dir).glob("*.xml"))
    config = IdPConfig()
    config.load({
        "entityid": f"{base}/metadata",
        "service": {"idp": {
            "name": "CatalystWells demo SAML IdP",
            "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
            "name_id_format": [saml.NAMEID_FORMAT_EMAILADDRESS, saml.NAMEID_FORMAT_PERSISTENT],
            "want_authn_requests_signed": False,
            "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                   "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}},
        }},
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": metadata_files},
        "delete_tmpfiles": True,
    })
    return Server(config=config)


def server():
    """The pysaml2 server, rebuilt when the SP metadata folder changed (a provider was registered or re-keyed)."""
    folder = Path(STATE.args.sp_metadata_dir)
    stamp = tuple(sorted((path.name, path.stat().st_mtime_ns) for path in folder.glob("*.xml")))
    with STATE.lock:
        if STATE.server is None or stamp != STATE.sp_stamp:
            STATE.server = make_server_config(STATE.base_url, STATE.args.signing_key, STATE.args.signing_cert, folder)
            STATE.sp_stamp = stamp
            log.info("loaded %d service provider(s)", len(stamp))
        return STATE.server


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto}}label{{display:block;margin:.6rem 0}}</style>
</head><body><h1>{title}</h1>{body}</body></html>"""


@app.get("/metadata")
def metadata():
    from saml2.metadata import create_metadata_string
    xml = create_metadata_string(None, server().config, 4, None, None, None, None, None).decode()
    return xml, 200, {"Content-Type": "application/samlmetadata+xml"}


@app.get("/sso/redirect")
def sso_redirect():
    encoded = request.args.get("SAMLRequest")
    if not encoded:
        abort(400, "no SAMLRequest")
    try:
        parsed = server().parse_authn_request(encoded, BINDING_HTTP_REDIRECT)
    except Exception as error:  # noqa: BLE001 - pysaml2 raises many types for a bad request
        log.warning("bad AuthnRequest: %s", error)
        return PAGE.format(title="Bad request", body=f"<p id='error'>{html.escape(str(error))}</p>"), 400
    key = secrets.token_urlsafe(16)
    with STATE.lock:
        STATE.pending[key] = (parsed.message, request.args.get("RelayState"))
    body = f"""<p>Signing in to <code>{html.escape(parsed.message.issuer.text)}</code></p>
<form method="post" action="/login"><input type="hidden" name="key" value="{key}">
<label>Account <input name="username" id="username" autocomplete="username"></label>
<label>Password <input name="password" id="password" type="password"></label>
<button type="submit" id="sign-in">Sign in</button></form>"""
    return PAGE.format(title="Demo school sign-in (SAML)", body=body)


@app.post("/login")
def login():
    with STATE.lock:
        pending = STATE.pending.pop(request.form.get("key", ""), None)
        mode = dict(STATE.mode)
    if pending is None:
        return PAGE.format(title="Expired", body="<p id='error'>This sign-in expired. Start again.</p>"), 400
    message, relay_state = pending
    account = STATE.accounts.get(request.form.get("username", "").strip().lower())
    if account is None or not secrets.compare_digest(account["password"], request.form.get("password", "")):
        with STATE.lock:
            STATE.pending[request.form["key"]] = pending
        return PAGE.format(title="Wrong account or password", body="<p id='error'>Wrong account or password.</p>"), 401
    idp = server()
    arguments = idp.response_args(message, [BINDING_HTTP_POST])
    identity = {"mail": [account["email"]], "uid": [account["username"]], "givenName": [account["given_name"]],
                "sn": [account["family_name"]], "displayName": [f"{account['given_name']} {account['family_name']}"]}
    name_id = saml.NameID(format=saml.NAMEID_FORMAT_EMAILADDRESS, text=account["email"])
    response = idp.create_authn_response(
        identity, userid=account["email"], name_id=name_id,
        authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": STATE.base_url},
        sign_response=mode["sign"] in ("response", "both"), sign_assertion=mode["sign"] in ("assertion", "both"),
        encrypt_assertion=mode["encrypt"], encrypt_assertion_self_contained=True,
        sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
        **arguments)
    encoded = base64.b64encode(str(response).encode()).decode()
    relay = f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">' if relay_state else ""
    body = f"""<form method="post" id="saml-post" action="{html.escape(arguments['destination'])}">
<input type="hidden" name="SAMLResponse" id="SAMLResponse" value="{encoded}">{relay}
<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById("saml-post").submit()</script>"""
    return PAGE.format(title="Signing you in", body=body)


def loopback_only():
    if not ipaddress.ip_address(request.remote_addr).is_loopback:
        abort(403)


@app.post("/_control/mode")
def control_mode():
    loopback_only()
    changes = request.get_json(force=True) or {}
    with STATE.lock:
        if "sign" in changes:
            if changes["sign"] not in ("assertion", "response", "both", "none"):
                abort(400)
            STATE.mode["sign"] = changes["sign"]
        for flag in ("encrypt", "weak_encryption"):
            if flag in changes:
                STATE.mode[flag] = bool(changes[flag])
        return jsonify(STATE.mode)


# ----------------------------------------------------------------------------- keys, TLS and start-up

def signing_pair(folder):
    """The IdP's RSA signing key and self-signed certificate, kept across restarts (the SP pins the certificate)."""
    key_path, cert_path = folder / "signing.key", folder / "signing.crt"
    if not key_path.exists() or not cert_path.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj",
                        "/CN=CatalystWells demo SAML IdP", "-keyout", str(key_path), "-out", str(cert_path)],
                       check=True, capture_output=True)
        os.chmod(key_path, 0o600)
    return str(key_path), str(cert_path)


def issue_certificate(ca_cert_path, ca_key_path, folder):
    """A TLS leaf for 127.0.0.1 and localhost from the dev CA (name-constrained to localhost and 127/8)."""
    ca_cert = x509.load_pem_x509_certificate(Path(ca_cert_path).read_bytes())
    ca_key = serialization.load_pem_private_key(Path(ca_key_path).read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "saml-idp.localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = folder / "tls.pem", folder / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert_path, key_path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9445)
    parser.add_argument("--ca-cert", required=True)
    parser.add_argument("--ca-key", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--sp-metadata-dir", required=True)
    parser.add_argument("--pid-file")
    parser.add_argument("--ready-file")
    arguments = parser.parse_args()
    if not ipaddress.ip_address(arguments.host).is_loopback:
        parser.error("--host must be a loopback address: this provider is for development and tests only")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    folder = Path(arguments.state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    Path(arguments.sp_metadata_dir).mkdir(parents=True, exist_ok=True)
    arguments.signing_key, arguments.signing_cert = signing_pair(folder)
    STATE.args = arguments
    for account in json.loads(Path(arguments.config).read_text())["accounts"]:
        STATE.accounts[account["username"].lower()] = account
    cert, key = issue_certificate(arguments.ca_cert, arguments.ca_key, folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    httpd = make_server(arguments.host, arguments.port, app, threaded=True, ssl_context=context)
    STATE.base_url = f"https://{arguments.host}:{httpd.server_port}"
    server()
    if arguments.pid_file:
        Path(arguments.pid_file).write_text(f"{os.getpid()}\n")
    if arguments.ready_file:
        Path(arguments.ready_file).write_text(STATE.base_url + "\n")
    log.info("listening on %s (%d accounts)", STATE.base_url, len(STATE.accounts))
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
