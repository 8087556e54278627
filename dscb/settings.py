"""Settings for the safeguarding board's audit and assurance service.

Everything that differs between a laptop and production comes from the environment,
read through the small helpers below, which refuse values they cannot understand.
Every variable is documented in README.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true on a development machine."
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105  # nosec B105
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The board this installation serves, shown in the page header and the documents.
BOARD_NAME = env_str("BOARD_NAME", "Safeguarding Children Partnership")
BOARD_CONTACT_EMAIL = env_str("BOARD_CONTACT_EMAIL", "safeguarding.board@example.org")
# How the board refers to a child audited, instead of a name: a regular expression
# and an example shown in error messages.
BOARD_REFERENCE_PATTERN = env_str("BOARD_REFERENCE_PATTERN", r"[A-Z]{2,10}-[0-9]{4}-[0-9]{2}-[0-9]{2,3}")
BOARD_REFERENCE_EXAMPLE = env_str("BOARD_REFERENCE_EXAMPLE", "MACA-2010-09-03")
try:
    re.compile(BOARD_REFERENCE_PATTERN)
except re.error as error:
    raise ImproperlyConfigured(f"BOARD_REFERENCE_PATTERN is not a valid regular expression: {error}") from None
# Printed at the top and bottom of every page of the reports (Government Security Classifications).
PROTECTIVE_MARKING = env_str("PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE")
# Shown as a banner on every page so nobody mistakes demo records for real ones.
DEMO_MODE = env_bool("DEMO_MODE", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Always installed, so the migrations are the same with or without OIDC_ISSUER.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "auditlog",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "dscb",
    "audits",
    "recommendations",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dscb.request_cache.RequestCacheMiddleware",
    "dscb.middleware.NoStoreMiddleware",
    "dscb.middleware.ErrorReferenceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "dscb.middleware.SessionTimeoutMiddleware",
    "dscb.middleware.MFARequiredMiddleware",
    "dscb.history.SaveIdMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "dscb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dscb.context_processors.service",
            ],
        },
    },
]

WSGI_APPLICATION = "dscb.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache, so sign-in throttling counts attempts across every worker process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "dscb_cache",
    }
}

AUTH_USER_MODEL = "dscb.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]

# NCSC and ASVS 6.2: length and a deny-list, no composition rules, no expiry.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dscb.validators.MaximumLengthValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Signing in with the organisation's identity provider (OpenID Connect; README.md).
# With OIDC_ISSUER empty there is no provider and nothing below changes the sign-in.
OIDC_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
# Only addresses in these domains may sign in through the provider: a provider that
# also serves partners or the public must not let them in.
OIDC_ALLOWED_DOMAINS = [domain.lower().lstrip("@") for domain in env_list("OIDC_ALLOWED_DOMAINS", [])]
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Sign in with your organisation's account")
# The ID token's amr values (RFC 8176) and acr values that mean the provider itself
# asked for a second factor: then the service does not ask for its own (dscb.oidc).
OIDC_MFA_AMR = frozenset(env_list("OIDC_MFA_AMR", ["mfa", "otp", "hwk", "swk", "sms", "fpt", "face"]))
OIDC_MFA_ACR = frozenset(env_list("OIDC_MFA_ACR", []))
# The fixed part of the provider's addresses: /accounts/oidc/organisation/login/callback/.
OIDC_PROVIDER_ID = "organisation"
# Off: people sign in only through the provider; no password sign-in, reset or change.
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)
if OIDC_ISSUER:
    if not OIDC_ISSUER.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"OIDC_ISSUER must be the provider's https:// address, not {OIDC_ISSUER!r}.")
    if not OIDC_CLIENT_ID:
        raise ImproperlyConfigured("OIDC_ISSUER is set, so OIDC_CLIENT_ID must be set too.")
    if not OIDC_ALLOWED_DOMAINS:
        raise ImproperlyConfigured(
            "OIDC_ISSUER is set, so OIDC_ALLOWED_DOMAINS must list the email domains that may sign in "
            "(for example OIDC_ALLOWED_DOMAINS=northshire.gov.uk,northshire-ccg.nhs.uk)."
        )
elif not LOCAL_PASSWORDS:
    raise ImproperlyConfigured("LOCAL_PASSWORDS=false needs OIDC_ISSUER: otherwise nobody could sign in.")

# django-allauth: email and password only, no self sign-up (see dscb.adapters).
ACCOUNT_ADAPTER = "dscb.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# There is no sign-up to point strangers at, so unknown addresses get no email.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Confirming who you are again takes a password or an authenticator code. Not a code by
# email: its pages are not served (dscb/urls.py), and a mailbox is not a second factor.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa") if LOCAL_PASSWORDS else ("mfa",)
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{BOARD_NAME}] "
# ASVS 6.3.1: after this many failed sign-ins for one email address (or 10 a minute
# from one address), further attempts are refused, even with the right password.
LOGIN_ATTEMPTS_LIMIT = env_int("LOGIN_ATTEMPTS_LIMIT", 5, minimum=1)
LOGIN_ATTEMPTS_TIMEOUT_SECONDS = env_int("LOGIN_ATTEMPTS_TIMEOUT_SECONDS", 900, minimum=60)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{LOGIN_ATTEMPTS_LIMIT}/{LOGIN_ATTEMPTS_TIMEOUT_SECONDS}s/key",
}
# Behind a reverse proxy every request comes from the proxy's address, so counting by
# address would lock everyone out together. Set this to the number of proxies in front
# of the service that add to X-Forwarded-For (1 for the nginx in README.md): the client's
# address is then the entry the nearest of them added. With 0 the header is ignored, as
# anyone can send one (dscb.adapters.client_address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Bandit mistakes the form class names below for passwords (nosec B105).
ACCOUNT_FORMS = {
    "login": "dscb.forms.SignInForm",
    "reset_password": "dscb.forms.ResetPasswordForm",  # nosec B105
    "reset_password_from_key": "dscb.forms.ResetPasswordKeyForm",  # nosec B105
    "change_password": "dscb.forms.ChangePasswordForm",  # nosec B105
    "set_password": "dscb.forms.SetPasswordForm",  # nosec B105
    "reauthenticate": "dscb.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "dscb.forms.AuthenticateForm",
    "reauthenticate": "dscb.forms.MFAReauthenticateForm",
    "activate_totp": "dscb.forms.ActivateTOTPForm",
}
# django-allauth's own OpenID Connect provider, configured here rather than in the
# database. No tokens are kept: the service only needs to know who signed in.
SOCIALACCOUNT_ADAPTER = "dscb.adapters.SocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# The provider is trusted for its domains: a person whose address matches an account
# signs in to that account, and the provider's account is connected to it.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": OIDC_PROVIDER_ID,
                    "name": OIDC_PROVIDER_NAME,
                    "client_id": OIDC_CLIENT_ID,
                    "secret": OIDC_CLIENT_SECRET,
                    "settings": {
                        "server_url": OIDC_ISSUER,
                        "verified_email": OIDC_ALLOWED_DOMAINS,
                    },
                }
            ]
            if OIDC_ISSUER
            else []
        ),
    }
}
MFA_ADAPTER = "dscb.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = BOARD_NAME
# RFC 6238 section 5.2: accept the code from one step either side, for clock drift.
MFA_TOTP_TOLERANCE = 1
# When on, nobody reaches any page but sign-in, MFA set-up and sign-out without MFA.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
# allauth refuses an authenticator while the person has an unverified address, in case
# someone signed up with another person's address and would lock its owner out. There
# is no sign-up here: an administrator sets every address, and dscb.services keeps it
# verified. This stays on in case an unverified row ever appears again.
MFA_ALLOW_UNVERIFIED_EMAIL = True

# ASVS 7.3: sessions end after a spell of inactivity and after a fixed lifetime.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env_int("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "dscb.views.csrf_failure"

# Transport security when not in debug: production runs behind HTTPS only.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes each app server over plain HTTP; the answer holds no personal data.
SECURE_REDIRECT_EXEMPT = [r"^health/(server/)?$"]
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# ASVS 3.4.3: our own origin only, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if OIDC_ISSUER:
    # The sign-in button's form is answered with a redirect to the provider, and
    # form-action covers where a form's redirects lead too.
    _issuer = urlsplit(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["dscb.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence and published documents: an S3-compatible bucket when S3_BUCKET is set
# (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role), so
# any number of app servers share them; the local folder MEDIA_ROOT otherwise.
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    DEFAULT_STORAGE: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "location": env_str("S3_PREFIX", ""),
            # Private objects, served only through views that check access; never a public URL.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"} if env_bool("S3_ENCRYPT", True) else {},
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and `runserver` serve straight from the app folders; production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded evidence lives outside the static folders and is served only through a view
# that checks access (recommendations.views.evidence_download); there is no MEDIA_URL.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "uploads")))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
EVIDENCE_MAX_UPLOAD_MB = env_int("EVIDENCE_MAX_UPLOAD_MB", 10, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Reminders to leads go this many days before a review cycle is due, and again once it is overdue.
EVIDENCE_REMINDER_DAYS = env_int("EVIDENCE_REMINDER_DAYS", 14, minimum=1)
AUDIT_REMINDER_DAYS = env_int("AUDIT_REMINDER_DAYS", 7, minimum=1)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Background work (publishing a report, rendering long documents) is queued in the database
# and run by `manage.py run_worker`: nothing more to install, and every app server shares it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "documents"]}}
# /health/ fails when no worker has renewed its heartbeat for this long (it does every 15 s);
# 0: do not check the worker.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 60)
# The worker makes each document in a child process that exits afterwards, so its memory
# stays bounded (reports/jobs.py). The test suite makes them in-process: a child could not
# see the test's uncommitted rows.
DOCUMENTS_IN_CHILD_PROCESS = env_bool("DOCUMENTS_IN_CHILD_PROCESS", True)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = False
# One id per request on every history row, so a save that changed many rows reads as one entry.
AUDITLOG_CID_GETTER = "dscb.history.save_id"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # WeasyPrint reports every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
