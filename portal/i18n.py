"""Language choice: ?lang= switches and is remembered in the session; zh_CN is the default."""

from flask import request, session
from flask_babel import get_locale

API_PREFIX = "/api/"


def current_language():
    """Our short code for the active language: "zh_CN" or "en" (Babel says zh_Hans_CN)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def init_i18n(app):
    languages = app.config["LANGUAGES"]

    @app.before_request
    def remember_language():
        if request.path.startswith(API_PREFIX):
            return  # the API keeps no session: Accept-Language decides, per request
        wanted = request.args.get("lang")
        if wanted in languages:
            session["lang"] = wanted

    def select_locale():
        if request.path.startswith(API_PREFIX):
            best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh_CN")
            return "en" if best == "en" else "zh_CN"
        wanted = request.args.get("lang")
        if wanted in languages:
            return wanted
        chosen = session.get("lang")
        return chosen if chosen in languages else app.config["BABEL_DEFAULT_LOCALE"]

    @app.context_processor
    def language_links():
        return {
            "available_languages": [("zh_CN", "中文"), ("en", "English")],
            "current_language": current_language(),
        }

    return select_locale
