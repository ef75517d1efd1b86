"""Vietnamese by default, English on request (Flask-Babel).

The language is chosen by ``?lang=vi|en`` (remembered in a cookie), then the
cookie, then Vietnamese: a government portal does not guess from the browser.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel

LANGUAGES = ("vi", "en")
COOKIE = "eid_lang"


def select_locale() -> str:
    choice = request.args.get("lang") or request.cookies.get(COOKIE) or "vi"
    return choice if choice in LANGUAGES else "vi"


def compile_catalogs(root: Path) -> None:
    """Compile .po to .mo when the .mo is missing or older (no binary files in git)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in root.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as fin:
                catalog = read_po(fin)
            with mo.open("wb") as fout:
                write_mo(fout, catalog)


def init_app(app: Flask) -> None:
    root = Path(app.root_path) / "translations"
    compile_catalogs(root)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(root))
    Babel(app, locale_selector=select_locale)

    @app.before_request
    def _locale() -> None:
        g.locale = select_locale()

    @app.after_request
    def _remember(resp):  # type: ignore[no-untyped-def]
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            resp.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="Lax",
                            secure=app.config["COOKIE_SECURE"])
        return resp
