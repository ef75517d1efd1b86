"""The portal's pages: sign-up ("Đăng ký"), sign-in ("Đăng nhập") with OTP,
"Quên mật khẩu", the account page, sessions, change password, sign out.

Views parse, call a use case, and render; the rules live in ``eid.accounts``.
Progress between steps (which OTP challenge) is kept in the signed pre-login
cookie; the signed-in session is a separate server-side token.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from eid.accounts import otp, recovery, sessions, signin, signup
from eid.accounts.errors import AccountsError, CaptchaInvalid, InvalidInput, WeakPassword
from eid.accounts.phones import mask_phone
from eid.app.views.field_messages import PASSWORD_REASONS, field_message
from eid.errors import EidError
from eid.web import captcha as web_captcha
from eid.web import qr_wiring, socket_emit
from eid.web.auth import clear_session_cookie, current, login_required, set_session_cookie
from eid.web.unit_of_work import BROWSER_COOKIE, mark_expected_error, services

bp = Blueprint("portal", __name__)


def _form() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def _errors_of(exc: EidError) -> tuple[dict[str, str], str | None]:
    """Field errors to show next to their fields, and a message for the top of the form."""
    mark_expected_error()
    if isinstance(exc, InvalidInput):
        fields = {k: field_message(v) for k, v in (exc.details.get("fields") or {}).items()}
        return fields, None if fields else exc.detail_message
    if isinstance(exc, WeakPassword):
        reasons = [str(PASSWORD_REASONS.get(r, r)) for r in exc.details.get("reasons", [])]
        return {"password": " ".join(reasons)}, None
    if exc.error == "captcha_invalid":
        return {"captcha": field_message("captcha_invalid")}, None
    if exc.error == "otp_invalid" and "attempts_left" in exc.details:
        return {}, _("The code is not correct. %(left)s attempt(s) left.",
                     left=exc.details["attempts_left"])
    if exc.error == "account_locked" and exc.details.get("blocked"):
        return {}, _(exc.detail_message)  # past the hard limit: name the other ways in
    if exc.error in ("account_locked", "rate_limited", "resend_too_soon"):
        wait = int(exc.details.get("retry_after") or 60)
        return {}, _("Too many attempts. Try again in %(minutes)s minute(s).",
                     minutes=max(1, (wait + 59) // 60))
    return {}, _(exc.detail_message)


def _checked(form: dict[str, str], parse: Any) -> Any:
    """Check the captcha and every field together, so the page shows all problems at once."""
    errors: dict[str, str] = {}
    try:
        web_captcha.verify(form.get("captcha_id", ""), form.get("captcha", ""))
    except CaptchaInvalid:
        errors["captcha"] = "captcha_invalid"
    try:
        parsed = parse(form)
    except InvalidInput as exc:
        errors.update(exc.details.get("fields") or {})
    if errors:
        raise InvalidInput("Some fields need attention.", fields=errors)
    return parsed


def _with_captcha(template: str, status: int = 200, **ctx: Any) -> tuple[str, int]:
    return render_template(template, captcha=web_captcha.new(), **ctx), status


@bp.app_context_processor
def _nav() -> dict[str, Any]:
    return {"signed_in": current}


@bp.get("/")
def home() -> Any:
    return render_template("home.html", me=current())


# -- sign-up -----------------------------------------------------------------

@bp.get("/register")
def register() -> Any:
    if request.args.get("method") != "mobile":
        return render_template("register_method.html")
    return _with_captcha("register.html", form={}, errors={})


@bp.post("/register")
def register_post() -> Any:
    form = _form()
    try:
        req = _checked(form, signup.parse_request)
        issued = signup.start(services(), req)
    except EidError as exc:
        errors, top = _errors_of(exc)
        return _with_captcha("register.html", 400, form=form, errors=errors, top_error=top)
    session["signup"] = issued.challenge_id
    session["signup_phone"] = mask_phone(req.phone)
    return redirect(url_for("portal.register_otp"))


def _otp_page(flow: str, masked: str | None, action: str, resend: str, **ctx: Any) -> Any:
    return render_template("otp.html", flow=flow, masked_phone=masked, action=action,
                           resend_action=resend, **ctx)


@bp.route("/register/otp", methods=["GET", "POST"])
def register_otp() -> Any:
    cid = session.get("signup")
    if not cid:
        return redirect(url_for("portal.register"))
    masked = session.get("signup_phone")
    if request.method == "GET":
        return _otp_page("signup", masked, url_for("portal.register_otp"),
                         url_for("portal.register_resend"))
    try:
        signup.confirm_otp(services(), cid, request.form.get("code", ""))
    except signup.AlreadyRegistered as exc:
        mark_expected_error()
        session.pop("signup", None)
        return render_template("already_registered.html", message=_(exc.detail_message)), 409
    except EidError as exc:
        _fields, top = _errors_of(exc)
        return _otp_page("signup", masked, url_for("portal.register_otp"),
                         url_for("portal.register_resend"), error=top), 400
    return redirect(url_for("portal.register_password"))


@bp.post("/register/otp/resend")
def register_resend() -> Any:
    return _resend("signup", "signup", "portal.register_otp")


def _resend(key: str, purpose: str, back: str) -> Any:
    try:
        otp.resend(services(), session.get(key, ""), purpose)
        flash(_("A new code has been sent. The previous code no longer works."), "info")
    except EidError as exc:
        _fields, top = _errors_of(exc)
        flash(top or exc.detail_message, "error")
    return redirect(url_for(back))


@bp.route("/register/password", methods=["GET", "POST"])
def register_password() -> Any:
    cid = session.get("signup")
    if not cid:
        return redirect(url_for("portal.register"))
    if request.method == "GET":
        return render_template("set_password.html", action=url_for("portal.register_password"),
                               errors={}, title=_("Create your password"))
    try:
        signup.complete(services(), cid, request.form.get("password", ""),
                        request.form.get("confirm", ""))
    except EidError as exc:
        errors, top = _errors_of(exc)
        return render_template("set_password.html", action=url_for("portal.register_password"),
                               errors=errors, top_error=top, title=_("Create your password")), 400
    session.clear()
    flash(_("Your account has been created. Sign in with your ID number and password."), "success")
    return redirect(url_for("portal.login"))


# -- sign-in -----------------------------------------------------------------

@bp.get("/login")
def login() -> Any:
    nxt = _safe_next(request.args.get("next", ""))
    if nxt:  # e.g. back to an OpenID authorization request: kept for the QR tab and the form
        session["next"] = nxt
    elif "tab" not in request.args:
        session.pop("next", None)
    if current() is not None and not request.args.get("reauth"):
        return redirect(nxt or url_for("portal.account"))
    hint = request.args.get("login_hint", "")
    form = {"id_number": hint} if hint.isdigit() and len(hint) <= 12 else {}
    return _login_page(200, form=form, errors={}, next=nxt or session.get("next", ""))


def _login_page(status: int, **ctx: Any) -> Any:
    """The sign-in page: the QR tab first (qr-login.md), password + OTP beside it."""
    tab = request.args.get("tab") or ("password" if request.method == "POST" else "qr")
    if tab == "qr":
        ctx.update(nonce=qr_wiring.new_nonce(), qr_texts=_qr_texts())
        body = render_template("login.html", tab=tab, qr_enabled=True, captcha=None, **ctx)
        return qr_wiring.ensure_prelogin(make_response(body, status))
    body, code = _with_captcha("login.html", status, tab=tab, qr_enabled=True, **ctx)
    return make_response(body, code)


def _qr_texts() -> dict[str, str]:
    return {"waiting": _("Scan this code with the app to sign in"),
            "scanned": _("Scanned. Choose this number on your phone:"),
            "approved": _("Approved. Signing you in…"), "signed_in": _("Signed in"),
            "denied": _("The sign-in was declined on the phone."),
            "expired": _("The code has expired."),
            "step_up_required": _("This service needs a level-2 account."),
            "error": _("Something went wrong. Try again."), "connecting": _("Preparing the code…")}


@bp.post("/login")
def login_post() -> Any:
    form = _form()
    try:
        id_number, password = _checked(form, signin.parse_credentials)
        issued = signin.start(services(), id_number, password)
    except EidError as exc:
        errors, top = _errors_of(exc)
        form.pop("password", None)
        return _login_page(exc.status if exc.status != 401 else 400, form=form,
                           errors=errors, top_error=top, next=form.get("next", ""),
                           locked=exc.error in ("account_locked", "rate_limited"))
    session["signin"] = issued.challenge_id
    session["signin_phone"] = issued.masked_phone
    session["next"] = _safe_next(form.get("next", ""))
    return redirect(url_for("portal.login_otp"))


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else ""


@bp.route("/login/otp", methods=["GET", "POST"])
def login_otp() -> Any:
    cid = session.get("signin")
    if not cid:
        return redirect(url_for("portal.login"))
    masked = session.get("signin_phone")
    if request.method == "GET":
        return _otp_page("signin", masked, url_for("portal.login_otp"),
                         url_for("portal.login_resend"))
    try:
        result = signin.confirm(services(), cid, request.form.get("code", ""))
    except EidError as exc:
        _fields, top = _errors_of(exc)
        return _otp_page("signin", masked, url_for("portal.login_otp"),
                         url_for("portal.login_resend"), error=top), 400
    target = session.get("next") or url_for("portal.account")
    session.clear()  # a fresh pre-login session: nothing carries over across sign-in
    resp = redirect(target)
    set_session_cookie(resp, result.session.token)
    return resp


@bp.post("/login/otp/resend")
def login_resend() -> Any:
    return _resend("signin", "signin", "portal.login_otp")


@bp.post("/logout")
def logout() -> Any:
    me = current()
    if me is not None:
        sessions.end(services(), me[0])
        services().audit("signout", "ok", actor_account_id=me[1].id)
    session.clear()
    resp = redirect(url_for("portal.home"))
    clear_session_cookie(resp)
    return resp


# -- forgot password ---------------------------------------------------------

@bp.get("/forgot")
def forgot() -> Any:
    return _with_captcha("forgot.html", form={}, errors={})


@bp.post("/forgot")
def forgot_post() -> Any:
    form = _form()
    try:
        id_number, phone = _checked(form, recovery.parse_request)
        issued = recovery.start(services(), id_number, phone)
    except EidError as exc:
        errors, top = _errors_of(exc)
        return _with_captcha("forgot.html", 400, form=form, errors=errors, top_error=top)
    session["reset"] = issued.challenge_id
    session["reset_phone"] = mask_phone(phone)
    return redirect(url_for("portal.forgot_otp"))


@bp.route("/forgot/otp", methods=["GET", "POST"])
def forgot_otp() -> Any:
    cid = session.get("reset")
    if not cid:
        return redirect(url_for("portal.forgot"))
    masked = session.get("reset_phone")
    if request.method == "GET":
        return _otp_page("reset", masked, url_for("portal.forgot_otp"),
                         url_for("portal.forgot_resend"))
    try:
        recovery.confirm_otp(services(), cid, request.form.get("code", ""))
    except EidError as exc:
        _fields, top = _errors_of(exc)
        return _otp_page("reset", masked, url_for("portal.forgot_otp"),
                         url_for("portal.forgot_resend"), error=top), 400
    return redirect(url_for("portal.forgot_password"))


@bp.post("/forgot/otp/resend")
def forgot_resend() -> Any:
    return _resend("reset", "reset", "portal.forgot_otp")


@bp.route("/forgot/password", methods=["GET", "POST"])
def forgot_password() -> Any:
    cid = session.get("reset")
    if not cid:
        return redirect(url_for("portal.forgot"))
    title = _("Choose a new password")
    if request.method == "GET":
        return render_template("set_password.html", action=url_for("portal.forgot_password"),
                               errors={}, title=title)
    try:
        recovery.complete(services(), cid, request.form.get("password", ""),
                          request.form.get("confirm", ""))
    except EidError as exc:
        errors, top = _errors_of(exc)
        return render_template("set_password.html", action=url_for("portal.forgot_password"),
                               errors=errors, top_error=top, title=title), 400
    session.clear()
    flash(_("Your password has been changed and every session was signed out. Sign in again."),
          "success")
    resp = redirect(url_for("portal.login"))
    clear_session_cookie(resp)
    return resp


# -- the signed-in account ---------------------------------------------------

@bp.get("/account")
@login_required
def account() -> Any:
    ws, me = current()  # type: ignore[misc]
    return render_template("account.html", me=me, ws=ws,
                           masked_phone=mask_phone(me.phone))


@bp.get("/account/sessions")
@login_required
def account_sessions() -> Any:
    ws, me = current()  # type: ignore[misc]
    rows = sessions.list_for(services(), me.id)
    return render_template("sessions.html", me=me, rows=rows, current_id=ws.id)


@bp.post("/account/sessions/<int:session_id>/revoke")
@login_required
def revoke_session(session_id: int) -> Any:
    ws, me = current()  # type: ignore[misc]
    try:
        sessions.revoke(services(), me.id, session_id)
        services().defer(lambda: _push_revoked(session_id))
        services().audit("session.revoke", "ok", actor_account_id=me.id,
                         details={"session_id": session_id})
    except AccountsError as exc:
        mark_expected_error()
        flash(exc.detail_message, "error")
        return redirect(url_for("portal.account_sessions"))
    if session_id == ws.id:
        resp = redirect(url_for("portal.login"))
        clear_session_cookie(resp)
        return resp
    flash(_("The session was signed out."), "success")
    return redirect(url_for("portal.account_sessions"))


def _push_revoked(session_id: int) -> None:
    socket_emit.session_revoked(session_id)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    ws, me = current()  # type: ignore[misc]
    if request.method == "GET":
        return render_template("change_password.html", errors={})
    try:
        recovery.change(services(), me, request.form.get("current", ""),
                        request.form.get("password", ""), request.form.get("confirm", ""),
                        keep_session_id=ws.id)
    except EidError as exc:
        errors, top = _errors_of(exc)
        return render_template("change_password.html", errors=errors, top_error=top), 400
    flash(_("Your password has been changed. Your other sessions were signed out."), "success")
    return redirect(url_for("portal.account"))


@bp.after_app_request
def _browser_cookie(resp: Any) -> Any:
    """A long-lived random id per browser, so a sign-in from a new device is noticed."""
    if request.cookies.get(BROWSER_COOKIE) is None and not request.path.startswith(("/api/", "/static")):
        resp.set_cookie(BROWSER_COOKIE, secrets.token_urlsafe(24), max_age=5 * 365 * 86400,
                        httponly=True, samesite="Lax", secure=current_app.config["COOKIE_SECURE"])
    return resp
