"""Django settings of the web workspace, read from the environment that ``dekkend web`` sets.

Environment (``dekkend web`` fills these from its options; tests set them directly):

``DEKKEND_WERKMAP``
    The werkmap whose data the workspace shows (required to serve analyses).
``DEKKEND_WEB_MAP``
    The folder for the workspace's own files: the SQLite database, the secret key, uploaded files,
    generated reports and the analysis cache. Default: ``<werkmap>-web`` beside the werkmap.
``DATABASE_URL``
    ``postgresql://user:password@host:port/name`` or ``sqlite:///path``; default SQLite in the web map.
``DEKKEND_WEB_DEBUG``
    ``1`` for development (Django's debug pages; never in production).
``DEKKEND_WEB_HOSTS``
    Comma-separated host names the server answers to (default ``127.0.0.1,localhost``).
``DEKKEND_WEB_HTTPS``
    ``1`` behind an HTTPS proxy: secure cookies, HSTS, redirect to HTTPS (see docs/web.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import plotly

from dekkend.web.paths import web_map

BASE = Path(__file__).resolve().parent
WERKMAP = os.environ.get("DEKKEND_WERKMAP", "")
WEB_MAP = web_map(WERKMAP, os.environ.get("DEKKEND_WEB_MAP"))
WEB_MAP.mkdir(parents=True, exist_ok=True)


def _secret_key(folder: Path) -> str:
    """The installation's secret key: from DEKKEND_SECRET_KEY, else a random one kept in the web map."""
    given = os.environ.get("DEKKEND_SECRET_KEY")
    if given:
        return given
    path = folder / "geheime-sleutel"
    if not path.exists():
        tmp = folder / f".geheime-sleutel.{os.getpid()}"
        tmp.write_text(secrets.token_urlsafe(50), encoding="ascii")
        tmp.chmod(0o600)
        os.replace(tmp, path) if not path.exists() else tmp.unlink()
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = _secret_key(WEB_MAP)
DEBUG = os.environ.get("DEKKEND_WEB_DEBUG") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DEKKEND_WEB_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "dekkend.web.apps.WerkruimteConfig",
    "dekkend.web.plannen.apps.PlannenConfig",
    "dekkend.web.hulpvragen.apps.HulpvragenConfig",
    "dekkend.web.afspraken.apps.AfsprakenConfig",
    "dekkend.web.bestuursdata.apps.BestuursdataConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dekkend.web.middleware.LimitRequestSize",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dekkend.web.middleware.RefreshSession",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dekkend.web.urls"
WSGI_APPLICATION = "dekkend.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dekkend.web.context.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{WEB_MAP / 'werkruimte.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many readers and one writer at a time across the server's workers and the task worker.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "werkruimte.Gebruiker"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "werkruimte:inloggen"
LOGIN_REDIRECT_URL = "werkruimte:start"
LOGOUT_REDIRECT_URL = "werkruimte:inloggen"

# Sessions end after 8 hours of inactivity and when the browser closes. The expiry moves forward at most
# every 5 minutes (dekkend.web.middleware.RefreshSession), not with a database write on every request.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): five failures lock that user name from that address for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (the account model logs in by e-mail)
AXES_LOCKOUT_TEMPLATE = "werkruimte/geblokkeerd.html"
AXES_VERBOSE = False

HTTPS = os.environ.get("DEKKEND_WEB_HTTPS") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): scripts only from the workspace's own static files (no inline script, no
# eval), nothing from other hosts, no framing. Inline style attributes stay allowed: plotly and htmx set element
# styles at run time, and the report's chapters size their figures with them; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "nl"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = WEB_MAP / "static"  # unused (no collectstatic): whitenoise serves from the packages
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": WEB_MAP / "bestanden"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# plotly's own bundle, shipped inside the plotly package (the report inlines the same file).
# The report's style sheet styles the same chapters in the workspace.
STATICFILES_DIRS = [
    ("plotly", Path(plotly.__file__).parent / "package_data"),
    ("rapport", BASE.parent / "report" / "templates"),
]
# Static files straight from the installed packages (no collectstatic step); cache headers from whitenoise.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail (notifications): an SMTP server from the environment; without one, e-mails go to the server log.
EMAIL_HOST = os.environ.get("DEKKEND_WEB_SMTP_HOST", "")
EMAIL_PORT = int(os.environ.get("DEKKEND_WEB_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DEKKEND_WEB_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DEKKEND_WEB_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DEKKEND_WEB_SMTP_TLS") == "1"
EMAIL_TIMEOUT = 20
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEKKEND_WEB_AFZENDER", "dekkend <noreply@localhost>")
#: The workspace's address in e-mails (links); the server's own address when unset.
SITE_URL = os.environ.get("DEKKEND_WEB_URL", "").rstrip("/")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("DEKKEND_WEB_TASKS", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "dekkend.web": {"handlers": ["console"], "level": "INFO"},
    },
}
DEKKEND_DEMO = os.environ.get("DEKKEND_WEB_DEMO") == "1"
