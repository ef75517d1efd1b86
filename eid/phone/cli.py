"""``eid-phone``: the reference phone app, for demos and end-to-end tests.

It keeps its device key and tokens in ``--profile DIR`` and talks to ``--server``.
For scripts: ``--demo-citizen N`` takes the N-th synthetic citizen's ID, phone and
card QR from the embedded registry; ``--dev-otp`` reads codes (and captcha
answers) from the server's development outbox; ``--json`` prints JSON.
Every failure prints one clear line and exits with status 1 (2 for usage).
"""
from __future__ import annotations

import argparse
import getpass
import json
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eid.phone import chip
from eid.phone.client import ApiError, Client
from eid.phone.profile import Profile

Handler = Callable[[Client, argparse.Namespace], dict[str, Any]]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn
    return deco


class UsageError(Exception):
    pass


def demo(args: argparse.Namespace) -> Any:
    if not getattr(args, "demo_citizen", None):
        return None
    from eid.accounts.registries.generator import demo_citizen

    return demo_citizen(args.demo_citizen)


def ask(prompt: str, args: argparse.Namespace, secret: bool = False) -> str:
    if not sys.stdin.isatty():
        raise UsageError(f"{prompt.strip(': ')} is needed; pass it as an option")
    return getpass.getpass(prompt) if secret else input(prompt)


def otp_for(c: Client, args: argparse.Namespace, phone: str | None, before: str | None,
            wait: float = 10) -> str:
    if getattr(args, "otp", None):
        return str(args.otp)
    if args.dev_otp and phone:
        return c.dev_otp(phone, before, wait=wait)
    return ask("OTP code from SMS: ", args)


def captcha_for(c: Client, args: argparse.Namespace) -> dict[str, str]:
    if args.dev_otp:
        return c.dev_captcha()
    cap = c.call("POST", "captcha")
    path = Path(args.profile) / "captcha.png"
    import base64

    path.write_bytes(base64.b64decode(cap["image_png_base64"]))
    return {"captcha_id": cap["captcha_id"], "captcha": ask(f"Captcha (see {path}): ", args)}


def password_of(args: argparse.Namespace) -> str:
    return args.password or ask("Password: ", args, secret=True)


def phone_of(args: argparse.Namespace) -> str:
    d = demo(args)
    phone = getattr(args, "phone", None) or (d.phone if d else None)
    if not phone:
        raise UsageError("give --phone or --demo-citizen N")
    return str(phone)


def id_of(args: argparse.Namespace) -> str:
    d = demo(args)
    idn = getattr(args, "id_number", None) or (d.person.id_number if d else None)
    if not idn:
        raise UsageError("give --id-number or --demo-citizen N")
    return str(idn)


def remember(c: Client, **kw: Any) -> None:
    me = c.profile.load("me")
    me.update({k: v for k, v in kw.items() if v is not None})
    c.profile.save("me", me)


# -- registration and sign-in ------------------------------------------------

@command("register")
def cmd_register(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    """ID + phone -> card QR -> code by SMS -> the register's details -> password.

    The server answers the QR the same whether or not it matches the registers and the
    line is the person's own: a code arrives only if everything agrees, and the details
    on record are shown only after it has been entered."""
    d = demo(args)
    idn, phone = id_of(args), phone_of(args)
    reg = c.call("POST", "register/start", json={"id_number": idn, "phone": phone})
    rid = reg["registration_id"]
    if args.qr_image:
        with open(args.qr_image, "rb") as fh:
            c.call("POST", "register/qr", data={"registration_id": rid},
                   files={"image": (Path(args.qr_image).name, fh, "image/png")})
    else:
        qr = args.qr_text or (d.card_qr if d else None) or ask("Card QR text: ", args)
        c.call("POST", "register/qr", json={"registration_id": rid, "qr_text": qr})
    before = c.last_sms_id(phone) if args.dev_otp else None
    sent = c.call("POST", "register/confirm", json={"registration_id": rid})
    try:
        code = otp_for(c, args, phone, before, wait=args.otp_wait)
    except ApiError as exc:
        if exc.code != "no_otp":
            raise
        raise ApiError(0, {"error": "no_otp", "message": NO_CODE.format(sent.get("masked_phone"))}) \
            from exc
    verified = c.call("POST", "register/verify", json={"registration_id": rid, "code": code})
    pw = password_of(args)
    account = c.call("POST", "register/complete",
                     json={"registration_id": rid, "password": pw, "confirm": pw})
    remember(c, id_number=idn, phone=phone)
    return {"registered": True, "details": verified["details"], "account": account}


NO_CODE = ("No code arrived at {}. A code is sent only when the card's QR matches the population "
           "register and the number is registered in your own name; check both (or register at "
           "the police desk) and start again")


@command("login")
def cmd_login(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    me = c.profile.load("me")
    idn = getattr(args, "id_number", None) or (demo(args).person.id_number if demo(args) else None) \
        or me.get("id_number")
    phone = getattr(args, "phone", None) or (demo(args).phone if demo(args) else None) or me.get("phone")
    if not idn:
        raise UsageError("give --id-number or --demo-citizen N (or register first)")
    before = c.last_sms_id(phone) if args.dev_otp and phone else None
    start = c.call("POST", "signin/start", json={"id_number": idn, "password": password_of(args),
                                                  **captcha_for(c, args)})
    code = otp_for(c, args, phone, before)
    key = c.profile.device_key()
    tokens = c.call("POST", "signin/verify", json={"challenge_id": start["challenge_id"], "code": code},
                    sign_with=key)
    c.save_tokens(tokens)
    remember(c, id_number=idn, phone=phone)
    out: dict[str, Any] = {"signed_in": True, "masked_phone": start["masked_phone"],
                           "token_type": tokens["token_type"], "level": tokens["level"]}
    if tokens["token_type"] != "DPoP" and not args.no_activate:  # noqa: S105 - a scheme name
        if args.chip:  # a lost phone: prove the card instead of the old phone's code
            args.chip_session = read_chip(c, args, "rebind")["chip_session_id"]
        out["device"] = activate(c, args, phone)
        out["token_type"] = c.profile.load("tokens")["token_type"]
    return out


def activate(c: Client, args: argparse.Namespace, phone: str | None) -> dict[str, Any]:
    """Register this profile's key as the account's phone (OTP + proof of possession)."""
    before = c.last_sms_id(phone) if args.dev_otp and phone else None
    ch = c.call("POST", "devices/activate/start", auth=True)
    code = otp_for(c, args, phone, before)
    key = c.profile.pending_key()
    body = {"challenge_id": ch["challenge_id"], "code": code, "name": args.device_name,
            "platform": "cli", "transfer_code": getattr(args, "transfer_code", None),
            "chip_session_id": getattr(args, "chip_session", None)}
    result = c.call("POST", "devices/activate/complete", json=body, auth=True, sign_with=key)
    c.profile.promote_pending_key()
    c.save_tokens(result)
    return dict(result["device"])


@command("signin-mobile")
def cmd_signin_mobile(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    d = demo(args)
    phone = phone_of(args)
    before = c.last_sms_id(phone) if args.dev_otp else None
    ch = c.call("POST", "signin/mobile/start", json={"phone": phone, **captcha_for(c, args)})
    cid = ch["challenge_id"]
    c.call("POST", "signin/mobile/verify", json={"challenge_id": cid,
                                                  "code": otp_for(c, args, phone, before)})
    birth = args.birth_date or (d.person.birth_date.isoformat() if d else None) or ask("Birth date: ", args)
    postal = c.call("POST", "signin/mobile/identity",
                    json={"challenge_id": cid, "national_code": id_of(args), "birth_date": birth})
    body: dict[str, Any] = {"challenge_id": cid, "confirm": not args.postal_code}
    if args.postal_code:
        body["postal_code"] = args.postal_code
    tokens = c.call("POST", "signin/mobile/finish", json=body, sign_with=c.profile.device_key())
    c.save_tokens(tokens)
    remember(c, id_number=id_of(args), phone=phone)
    return {"signed_in": True, "postal_code_on_record": postal["postal_code"],
            "address_update_requested": bool(args.postal_code), "level": tokens["level"]}


@command("me")
def cmd_me(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    return c.call("GET", "me", auth=True)


@command("refresh")
def cmd_refresh(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    body = c.refresh()
    return {"refreshed": True, "expires_in": body["expires_in"]}


@command("logout")
def cmd_logout(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    path = "signout/everywhere" if args.everywhere else "signout"
    out = c.call("POST", path, auth=True)
    c.profile.delete("tokens")
    return {"signed_out": True, **out}


@command("sessions")
def cmd_sessions(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    return c.call("GET", "sessions", auth=True)


@command("devices")
def cmd_devices(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    if args.action == "transfer-code":
        return c.call("POST", "devices/transfer-code", auth=True)
    return _list_or_delete(c, "devices", args.device_id if args.action == "deactivate" else None,
                           args.action == "deactivate", "devices deactivate DEVICE_ID")


def _list_or_delete(c: Client, resource: str, item: int | None, delete: bool,
                    usage: str) -> dict[str, Any]:
    if not delete:
        return c.call("GET", resource, auth=True)
    if not item:
        raise UsageError(usage)
    return c.call("DELETE", f"{resource}/{item}", auth=True)


@command("dependents")
def cmd_dependents(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    if args.action != "add":
        return c.call("GET", "dependents", auth=True)
    idn, birth = args.child_id, args.child_birth_date
    if args.demo_child:
        d = demo(args)
        if d is None or not d.children:
            raise UsageError("--demo-child needs --demo-citizen N of a citizen with a child")
        child = d.children[0]
        idn, birth = child.id_number, child.birth_date.isoformat()
    if not idn or not birth:
        raise UsageError("dependents add --child-id ID --child-birth-date YYYY-MM-DD (or --demo-child)")
    return c.call("POST", "dependents", json={"id_number": idn, "birth_date": birth}, auth=True)


@command("companies")
def cmd_companies(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    return c.call("GET", "companies", auth=True)


@command("act-as")
def cmd_act_as(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    if args.self_:
        saved = c.profile.load("own_tokens")
        if not saved:
            return {"acting_for": None}
        c.profile.save("tokens", saved)
        c.profile.delete("own_tokens")
        return {"acting_for": None}
    body = {"dependent_id": args.dependent} if args.dependent else {"company_id": args.company}
    if not args.company and not args.dependent:
        raise UsageError("act-as COMPANY_ID, act-as --dependent ID, or act-as --self")
    tokens = c.call("POST", "act-as", json=body, auth=True)
    if not c.profile.load("own_tokens"):
        c.profile.save("own_tokens", c.profile.load("tokens"))
    c.save_tokens(tokens)
    return {"acting_for": tokens["act"]}


# -- the ID card's chip (NFC) -------------------------------------------------------

def _simulated_card(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    """The simulated card: from ``--card-file``, or issued by the development server for
    the profile's ID number (its document signer is the one the server trusts)."""
    if args.card_file:
        try:
            return dict(json.loads(Path(args.card_file).read_text()))
        except (OSError, ValueError, TypeError) as exc:
            raise UsageError(f"cannot read the simulated card {args.card_file}: {exc}") from exc
    idn = getattr(args, "id_number", None) or (demo(args).person.id_number if demo(args) else None) \
        or c.profile.load("me").get("id_number")
    if not idn:
        raise UsageError("register or log in first (the profile has no ID number)")
    return chip.fetch_simulated_card(c, str(idn))


def _read(c: Client, args: argparse.Namespace, challenge: bytes) -> Any:
    from eid.nfc.reader import read_card

    if args.usb:
        from eid.nfc.nfcpy_reader import open_reader

        can = args.can or (c.profile.load("me").get("id_number") or "")[-6:]
        with open_reader("usb") as transport:
            return read_card(transport, can=can, challenge=challenge)
    try:
        simulated = chip.simulated_chip(_simulated_card(c, args))
    except chip.BadSimulatedCard as exc:
        raise ApiError(0, {"error": "bad_simulated_card", "message": str(exc)}) from exc
    return read_card(simulated, can=args.can or simulated.card.can, challenge=challenge)


def read_chip(c: Client, args: argparse.Namespace, purpose: str) -> dict[str, Any]:
    from eid.errors import EidError

    session = c.call("POST", "chip/sessions", json={"purpose": purpose}, auth=True)
    try:
        got = _read(c, args, bytes.fromhex(session["challenge"]))
    except EidError as exc:
        raise ApiError(0, {"error": exc.error, "message": exc.detail_message}) from exc
    out = c.call("POST", f"chip/sessions/{session['chip_session_id']}/read", json=chip.read_body(got),
                 auth=True)
    return {**out, "chip_session_id": session["chip_session_id"], "access": got.access}


@command("read-chip")
def cmd_read_chip(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    if not (args.simulated or args.usb):
        raise UsageError("read-chip --simulated or --usb")
    return read_chip(c, args, args.purpose)


# -- desktop QR login ------------------------------------------------------------

def _qr_text(arg: str) -> str:
    """A QR image (decoded with pyzbar) or the URI itself."""
    if arg.startswith("eid://"):
        return arg
    path = Path(arg)
    if not path.is_file():
        raise UsageError(f"{arg} is neither an eid:// URI nor an image file")
    from eid.accounts.qr_image import decode_first

    text = decode_first(path.read_bytes())
    if text is None:
        raise UsageError(f"no QR code could be read in {arg}")
    return text


@command("scan")
def cmd_scan(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    result = c.call("POST", "qr-login/scan", json={"uri": _qr_text(args.qr)}, auth=True)
    c.profile.save("pending_qr", result)
    ctx = result["context"]
    return {"tx": result["tx"], "service": ctx["service"], "desktop_ip": ctx["ip"],
            "place": ctx["place"], "browser": ctx["browser"], "os": ctx["os"], "time": ctx["time"],
            "location_mismatch": ctx["location_mismatch"], "numbers": ctx["numbers"]}


def signed_decision(key: Any, pending: dict[str, Any], decision: str, number: int) -> dict[str, str]:
    """The approval the app signs: canonical JSON of what it showed, ES256 (raw r||s)."""
    import time as _time

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from eid.qr_login.tokens import b64url, canonical_json, context_hash

    payload = {"tx": pending["tx"], "thumbprint": pending["thumbprint"], "number": number,
               "aud": pending["audience"], "iat": int(_time.time()),
               "jti": b64url(secrets.token_bytes(16)), "decision": decision,
               "context_hash": context_hash(pending["context"])}
    raw = canonical_json(payload)
    r, s = decode_dss_signature(key.private_key.sign(raw, ec.ECDSA(hashes.SHA256())))
    return {"approval": raw.decode(), "signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}


def _decide(c: Client, decision: str, number: int) -> dict[str, Any]:
    pending = c.profile.load("pending_qr")
    if not pending:
        raise UsageError("scan a QR code first: eid-phone scan QR_IMAGE_OR_URI")
    key = c.profile.device_key()
    if key is None:
        raise UsageError("this profile has no device key: eid-phone login first")
    out = c.call("POST", "qr-login/decision", json=signed_decision(key, pending, decision, number),
                 auth=True)
    c.profile.delete("pending_qr")
    return out


@command("approve")
def cmd_approve(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    return _decide(c, "approve", int(args.number))


@command("deny")
def cmd_deny(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    pending = c.profile.load("pending_qr")
    numbers = (pending.get("context") or {}).get("numbers") or [0]
    return _decide(c, "deny", int(numbers[0]))


@command("report")
def cmd_report(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    pending = c.profile.load("pending_qr")
    if not pending:
        raise UsageError("scan a QR code first")
    out = c.call("POST", "qr-login/report", json={"tx": pending["tx"]}, auth=True)
    c.profile.delete("pending_qr")
    return out


@command("web-sessions")
def cmd_web_sessions(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    return _list_or_delete(c, "web-sessions", args.session_id, args.action == "revoke",
                           "web-sessions revoke SESSION_ID")


@command("connected-services")
def cmd_connected_services(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    """The services that sign me in with eid and share my details; ``revoke`` withdraws
    that consent (the service's tokens stop working, its next sign-in asks again)."""
    if args.action != "revoke":
        return c.call("GET", "connected-services", auth=True)
    if not args.client_id:
        raise UsageError("connected-services revoke CLIENT_ID")
    from urllib.parse import quote

    return c.call("DELETE", f"connected-services/{quote(args.client_id, safe='')}", auth=True)


@command("web-login")
def cmd_web_login(c: Client, args: argparse.Namespace) -> dict[str, Any]:
    return c.call("PUT", "settings/web-login", json={"enabled": args.state == "on"}, auth=True)


# -- the command line ----------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eid-phone", description=__doc__.split("\n\n")[0])
    p.add_argument("--server", default="http://127.0.0.1:5000")
    p.add_argument("--profile", default=str(Path.home() / ".eid-phone"))
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    sub = p.add_subparsers(dest="cmd", required=True)

    def who(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--demo-citizen", type=int, metavar="N")
        sp.add_argument("--id-number")
        sp.add_argument("--phone")
        sp.add_argument("--dev-otp", action="store_true",
                        help="read OTPs and captcha answers from the development server")
        sp.add_argument("--otp", help="the OTP, if you have it already")
        sp.add_argument("--password")
        sp.add_argument("--device-name", default="eid-phone")
        sp.add_argument("--transfer-code", help="code shown on the old phone")
        sp.add_argument("--chip-session", help="id of a fresh verified chip read")
        sp.add_argument("--no-activate", action="store_true")
        sp.add_argument("--chip", action="store_true",
                        help="replace a lost phone by reading the ID card's chip")
        chip_options(sp)

    def chip_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--simulated", action="store_true",
                        help="a simulated chip issued by the development server")
        sp.add_argument("--usb", action="store_true", help="a USB NFC reader (nfcpy)")
        sp.add_argument("--can", help="card access number (default: last 6 digits of the ID)")
        sp.add_argument("--card-file", help="a simulated card saved as JSON (as the development "
                        "server's /dev/chip/simulated-card/ID returns it) instead of fetching one")

    sp = sub.add_parser("register", help="register with ID, phone and the card's QR")
    who(sp)
    sp.add_argument("--qr-text")
    sp.add_argument("--qr-image", help="a photo of the card's QR (decoded by the server)")
    sp.add_argument("--otp-wait", type=float, default=10, metavar="SECONDS",
                    help="with --dev-otp: how long to wait for the code (default 10)")
    who(sub.add_parser("login", help="sign in (and activate this phone's key)"))
    sp = sub.add_parser("signin-mobile", help="sign in by mobile number (my.gov.ir style)")
    who(sp)
    sp.add_argument("--birth-date")
    sp.add_argument("--postal-code", help="the correct postal code, to file an update request")
    for name in ("me", "refresh", "sessions", "companies"):
        sub.add_parser(name)
    sp = sub.add_parser("logout")
    sp.add_argument("--everywhere", action="store_true")
    sp = sub.add_parser("devices")
    sp.add_argument("action", nargs="?", choices=["list", "transfer-code", "deactivate"], default="list")
    sp.add_argument("device_id", nargs="?", type=int)
    sp = sub.add_parser("dependents")
    sp.add_argument("action", nargs="?", choices=["list", "add"], default="list")
    sp.add_argument("--demo-citizen", type=int, metavar="N")
    sp.add_argument("--demo-child", action="store_true")
    sp.add_argument("--child-id")
    sp.add_argument("--child-birth-date")
    sp = sub.add_parser("read-chip", help="read the ID card's chip and have the server verify it")
    chip_options(sp)
    sp.add_argument("--demo-citizen", type=int, metavar="N")
    sp.add_argument("--purpose", default="level1_online", choices=["level1_online", "rebind"])
    sp = sub.add_parser("scan", help="scan a desktop's QR code (image file or eid:// URI)")
    sp.add_argument("qr")
    sp = sub.add_parser("approve", help="approve the scanned sign-in with the number shown")
    sp.add_argument("--number", required=True, type=int)
    sub.add_parser("deny", help="decline the scanned sign-in")
    sub.add_parser("report", help="\"I did not start this\"")
    sp = sub.add_parser("web-sessions")
    sp.add_argument("action", nargs="?", choices=["list", "revoke"], default="list")
    sp.add_argument("session_id", nargs="?", type=int)
    sp = sub.add_parser("connected-services", help="services I signed in to with eid; revoke one's access")
    sp.add_argument("action", nargs="?", choices=["list", "revoke"], default="list")
    sp.add_argument("client_id", nargs="?")
    sp = sub.add_parser("web-login", help="turn web sign-in by QR on or off")
    sp.add_argument("state", choices=["on", "off"])
    sp = sub.add_parser("act-as")
    sp.add_argument("company", nargs="?")
    sp.add_argument("--dependent", type=int)
    sp.add_argument("--self", dest="self_", action="store_true")
    return p


def render(result: dict[str, Any], as_json: bool) -> str:
    if as_json:
        return json.dumps(result, ensure_ascii=False, indent=2, default=str)
    lines = []
    for k, v in result.items():
        if isinstance(v, dict | list):
            v = json.dumps(v, ensure_ascii=False, default=str)
        lines.append(f"{k}: {v}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    client = Client(args.server, Profile(args.profile))
    try:
        result = COMMANDS[args.cmd](client, args)
    except UsageError as exc:
        print(f"eid-phone: {exc}", file=sys.stderr)
        return 2
    except ApiError as exc:
        if args.json:
            print(json.dumps({"error": exc.code, "message": str(exc), "status": exc.status},
                             ensure_ascii=False))
        else:
            print(f"eid-phone: {exc}", file=sys.stderr)
        return 1
    print(render(result, args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
