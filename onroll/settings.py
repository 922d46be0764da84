"""Django settings for Onroll. Everything that differs per machine comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

# The demo and tests run with a throwaway key; production must set ONROLL_SECRET_KEY.
SECRET_KEY = os.environ.get("ONROLL_SECRET_KEY", "onroll-demo-key-not-for-production")
DEBUG = os.environ.get("ONROLL_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("ONROLL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' own copy of Swagger UI, so the page needs no CDN
    "onroll.core",
    "onroll.accounts",
    "onroll.schools",
    "onroll.children",
    "onroll.casework",
    "onroll.attendance",
    "onroll.procedures",
    "onroll.referrals",
    "onroll.transfers",
    "onroll.registers",
    "onroll.matching",
    "onroll.roll",
    "onroll.newpupils",
    "onroll.audit",
    "onroll.api",
    "onroll.web",
    "onroll.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "onroll.urls"
WSGI_APPLICATION = "onroll.wsgi.application"

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
                "onroll.web.views.common.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'onroll.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a background job writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # `collectstatic` fills it for production; DEBUG serves from the apps
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
# GOV.UK Frontend's CSS asks for fonts and images at /assets/; `make assets` puts them here.
WHITENOISE_ROOT = BASE_DIR / "onroll" / "web" / "root_files"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

# PostgreSQL uses the name indexes' INCLUDE columns; SQLite builds them without, which is fine there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Register pages: how many rows a page shows, and the most a count will read before saying "more than".
REGISTER_PAGE_SIZE = 25
REGISTER_COUNT_CAP = 1000
# Children's Wellbeing and Schools Act 2026 s37: LA consent before deleting a "relevant child" (special school
# placement, child protection) under 9(1)(f). Not yet commenced (reference/cwsa_2026.md); on by default as
# the safer reading: docs/decisions/0007-removal-from-roll.md.
ONROLL_CWSA_S37_CONSENT = os.environ.get("ONROLL_CWSA_S37_CONSENT", "1") == "1"
LEAD_ROLES = ["cme_officer", "spa_officer", "business_support", "panel_chair", "school_lead"]
CSRF_FAILURE_VIEW = "onroll.web.views.common.csrf_failure"

# Background work goes through the database task queue; `manage.py db_worker` runs it (decision 0005).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DAILY_RUN_AT = os.environ.get("ONROLL_DAILY_RUN_AT", "18:30")  # local time, after registers close
