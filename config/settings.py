"""Settings for every environment, read through one ``environ.Env()`` (12-factor).

``DJANGO_ENV`` picks the defaults: ``development`` (the default) is safe to run on a
laptop with SQLite and in-process tasks; ``production`` has no default secret and
passes ``manage.py check --deploy``.

Over 400 lines on purpose: one flat file that Django reads top to bottom, where a
later line may depend on an earlier one (``PRODUCTION``, the database options, the
broker). Split across files, which value wins would depend on the import order; here
it is the line you read. Each section's comment says why its values are what they are.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: refuse to start without one
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="development-only-secret-key-do-not-use-in-production"
    )
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    # The project's apps, bottom layer first (README, "How the apps fit together").
    "mentoring",
    "notifications",
    "webhooks",
    "matching",
    "flash_meetings",
    "surveys",
    "ongoing",
    "portal",
    "api",
]

MIDDLEWARE = [
    # First: /health/live, /health/ready and /metrics, answered before the https
    # redirect, the host check, the session and the sign-in throttle (config/edge.py).
    "config.edge.EdgeMiddleware",
    # A request id for the request and the tasks it enqueues, and one log line per request.
    "config.logs.RequestLogMiddleware",
    # Request metrics (django-prometheus): the count and time of everything below; its
    # second half, just above django-axes, counts by view and status (config/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and CSRF middleware: sees the Vary: Cookie they add.
    "mentoring.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mentoring.middleware.UserTimeZoneMiddleware",
    # After LocaleMiddleware (the browser's language) and the user: their stored choice wins.
    "mentoring.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.metrics.RequestMetricsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "portal.context_processors.site",
            ],
        },
    },
]

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DJANGO_CONN_MAX_AGE", default=60 if PRODUCTION else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: psycopg prepares a statement once it has run a few times on a
    # connection, so PostgreSQL stops re-planning the same queries on every request
    # (planning was a large share of the busiest pages' database time, see bench/).
    # Needs server-side binding. Set DJANGO_DB_PREPARED_STATEMENTS=false behind a
    # transaction-pooling PgBouncer without prepared-statement support (before 1.21, or
    # max_prepared_statements = 0): a statement prepared on one server connection is
    # missing on the next, or already exists there under another client's name.
    _prepared = env.bool("DJANGO_DB_PREPARED_STATEMENTS", default=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=_prepared, prepare_threshold=5 if _prepared else None
    )
    # The same switch: QuerySet.iterator() (every ModelChoiceField renders its choices
    # with it) reads through a server-side cursor, which lives on one server connection
    # while transaction pooling hands each statement outside a transaction to any.
    # tests/pooling/test_pgbouncer.py shows both failures on PgBouncer 1.18.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = not _prepared
    # libpq waits for ever on a host that does not answer: a page (and the readiness
    # probe) gives up after this many seconds instead, with the 503 page.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "mentoring.User"
# django-axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the person with their roles (the navigation).
    "mentoring.backends.ParticipantBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password reset: a link works for three hours (and no longer once the password changed
# or the person signed in). Requests are limited per email address and per client
# address (see TRUSTED_PROXIES) within an hour; a request over either limit gets the
# same message whether or not an account uses that address.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_WINDOW = timedelta(hours=1)

# The languages people can choose (My account, the footer of every page). Each is named in
# its own language, as a person looking for theirs reads it. Adding one is this line and
# its catalogue, locale/<code>/LC_MESSAGES/django.po (README, "Languages").
# Default for a person who has not chosen: the browser's, then their program's, then this.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Signed-out pages remember a language chosen in the footer for a year (signed in, the
# person's stored choice rules); the cookie is read by nothing but LocaleMiddleware.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: EMAIL_URL (smtp://user:pass@host:port) wins; otherwise EMAIL_BACKEND; the
# development default prints every email on the console.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mentoring <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
EMAIL_TIMEOUT = 10

# The cache every process shares: CACHE_URL (redis://...) or else REDIS_URL makes it
# Django's built-in Redis backend, so what one web process caches or invalidates (the
# mentor directory's order, portal/directory_cache.py) every other one sees on its next
# request. Without either (`make run`), each process keeps its own memory cache.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mentoring"),
            # A cache that does not answer must not hold a page up for long.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a broker set means real workers; none means tasks run in-process, which is
# what `make run` on a fresh laptop needs. CELERY_BROKER_URL picks the broker: RabbitMQ
# (amqp://user:password@host:5672//, recommended in production: real acknowledgements,
# no visibility timeout) or Redis (redis://...); it defaults to REDIS_URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"  # host named: no kombu warning
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How long a message may stay taken but unacknowledged (a retry waiting for its
# countdown is held that way by a worker, and with acks_late every task until it ends)
# before the broker hands it out again; every countdown stays well below both limits,
# or a retry would be delivered twice (Redis) or its worker's channel closed (RabbitMQ).
# Redis: kombu's visibility timeout (a Redis transport option, below) redelivers it after
# that long even though its worker is still alive; RabbitMQ ignores that option and
# redelivers only when the worker's connection closes, but closes a channel holding a
# delivery longer than its consumer_timeout (rabbitmq.conf, 30 min by default; set
# RABBITMQ_CONSUMER_TIMEOUT, in seconds, if yours differs), redelivering all it held.
CELERY_VISIBILITY_TIMEOUT = 3600
RABBITMQ_CONSUMER_TIMEOUT = env.int("RABBITMQ_CONSUMER_TIMEOUT", default=1800)
# A producer (web request, on-commit hook) gives up quickly when the broker is down and
# the outbox sweep delivers what could not be published. A refused connection is tried
# twice at once (max_retries, interval_start: kombu's connection retry, honoured for both
# brokers) instead of ~6 s of retries; a broker that accepts but never answers holds it
# for at most CELERY_BROKER_CONNECTION_TIMEOUT (amqp: connect and handshake; it also
# caps kombu's retries in total, for Redis too) or socket_timeout (Redis reads) instead
# of Celery's 4 s. socket_connect_timeout, socket_timeout and visibility_timeout are
# Redis transport options: the amqp transport passes unknown options to py-amqp, which
# ignores them.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
    "interval_start": 0,
}
# When a worker loses its broker connection mid-task, RabbitMQ hands the task's message
# to another worker at once; that copy meets a row that is sending and does nothing,
# while this worker finishes the email and marks it sent. Cancelling the running task
# instead (Celery 6's planned default) could abandon an email the SMTP server already
# took, for the stuck-in-sending sweep to send again.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# The periodic scheduler (celery beat). With Redis (REDIS_URL) the schedule and a lock
# live there (celery-redbeat): the beat holding the lock sends the due jobs and renews
# the lock on every tick (at most every CELERY_BEAT_MAX_LOOP_INTERVAL seconds); a second
# beat waits for the lock and takes over within REDBEAT_LOCK_TIMEOUT seconds of the first
# one dying. Each entry's last run is stored beside it, so the new beat does not send a
# job the old one already sent in that period. Without Redis, beat keeps its schedule
# in a local file and exactly one may run.
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = env.str("REDBEAT_KEY_PREFIX", default="redbeat")
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("REDBEAT_LOCK_TIMEOUT", default=30)
CELERY_BEAT_SCHEDULE: dict = {}

# The JSON API (api/, README "The JSON API"). Keys first, so an unauthenticated call gets
# 401 with ``WWW-Authenticate: Bearer``; the session (with its CSRF check) for the site.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.KeyScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "key": env.str("API_KEY_RATE", default="1200/minute"),
        "user": env.str("API_USER_RATE", default="300/minute"),
        "anon": "60/minute",
    },
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mentoring platform API",
    "DESCRIPTION": (
        "Everything a participant and a program admin can do on the site and in admin, "
        "with the same rules: programs, memberships, the mentor directory, connection "
        "requests, connections, flash meetings and their follow-up, survey responses and "
        "the flash-to-ongoing report.\n\n"
        "**Signing in.** Integrations send a program's API key as `Authorization: Bearer "
        "<key>` (program admins make keys in Django admin, under *API keys*: read only, or "
        "read and write; a key acts for that program's admins). The site's own pages use "
        "the signed-in session, with the CSRF token on writes.\n\n"
        "**Refusals** are problem-details bodies (RFC 9457, `application/problem+json`) "
        "with a stable `code` (for example `mentor_full`, `already_answered`, `not_found`) "
        "and a `detail` to show people. Lists are cursor-paged (`next`, `previous`); reads "
        "carry an `ETag` (send `If-None-Match` to get `304` when nothing changed); each key "
        "and each person has a request budget per minute (`429` with `Retry-After`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI would nest a link inside each operation's button (axe's
    # nested-interactive); the models are in the schema, not repeated under the operations.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "defaultModelsExpandDepth": -1},
    # One name per choice set that several fields share (a warning otherwise).
    "ENUM_NAME_OVERRIDES": {
        "DeclineReasonEnum": "matching.models.ConnectionRequest.DeclineReason",
        "FollowUpChoiceEnum": "flash_meetings.models.FlashMeeting.FollowUpChoice",
        "OfferReasonEnum": "matching.eligibility.Reason",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}

# Notifications (the email outbox). Retries back off exponentially with jitter, capped
# at half the shorter of Redis's visibility timeout and RabbitMQ's consumer_timeout (15
# min by default; with acks_late a retry is held unacknowledged until its countdown
# ends and it has run, up to CELERY_TASK_TIME_LIMIT more); the sweep re-enqueues rows
# pending more than PENDING_GRACE seconds past due and rows sending longer than
# STUCK_AFTER (which must exceed CELERY_TASK_TIME_LIMIT, so a live worker is never
# overtaken).
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_DELAY = 30
NOTIFICATIONS_RETRY_MAX_DELAY = min(CELERY_VISIBILITY_TIMEOUT, RABBITMQ_CONSUMER_TIMEOUT) // 2
NOTIFICATIONS_PENDING_GRACE = 60
NOTIFICATIONS_STUCK_AFTER = 300
# A worker whose email went out keeps trying this long to record it while the database
# is away (a restart), so the sweep does not send it again; below STUCK_AFTER.
NOTIFICATIONS_RECORD_SENT_WITHIN = 60
NOTIFICATIONS_SWEEP_BATCH = 500
# The sweep hands its backlog to the workers in batches of this many emails, each batch
# sent over one SMTP connection (1: one connection per email).
NOTIFICATIONS_DELIVERY_BATCH = env.int("NOTIFICATIONS_DELIVERY_BATCH", default=50)
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.tasks.sweep_notifications",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Webhooks (the same outbox, for program admins' endpoints; README "Webhooks"). Only
# https URLs to public addresses, unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS (tests, a local
# receiver with `make run`; never in production) also allows http and private addresses.
# Retries double from RETRY_BASE_DELAY up to RETRY_MAX_DELAY (with jitter): with the
# defaults, ten attempts over three to four hours; waits longer than a task message may
# carry are left to the sweep. TIMEOUT bounds connecting and each read (the whole
# answer: twice that); at most MAX_RESPONSE_BYTES of an answer are read.
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=10)
WEBHOOKS_RETRY_BASE_DELAY = 30
WEBHOOKS_RETRY_MAX_DELAY = env.int("WEBHOOKS_RETRY_MAX_DELAY", default=2 * 3600)
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=5.0)
WEBHOOKS_MAX_RESPONSE_BYTES = 64 * 1024
WEBHOOKS_PENDING_GRACE = 60
WEBHOOKS_STUCK_AFTER = 300  # above CELERY_TASK_TIME_LIMIT, like NOTIFICATIONS_STUCK_AFTER
WEBHOOKS_SWEEP_BATCH = 500
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.tasks.sweep_webhooks",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Surveys: reminders one day and five days after a meeting (once each, dedupe keys),
# and the mentor's invitation to their own survey once the meeting is over.
CELERY_BEAT_SCHEDULE["surveys-reminders"] = {
    "task": "surveys.tasks.send_survey_reminders",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}
CELERY_BEAT_SCHEDULE["surveys-mentor-invitations"] = {
    "task": "surveys.tasks.invite_mentors_to_surveys",
    "schedule": 600.0,
    "options": {"expires": 540},
}
# Ongoing mentoring's surveys: the check-in on its day, the closing survey when a
# connection ends (within ten minutes), reminders one and five days later (dedupe keys).
CELERY_BEAT_SCHEDULE["surveys-connection-surveys"] = {
    "task": "surveys.tasks.send_connection_surveys",
    "schedule": 600.0,
    "options": {"expires": 540},
}
# Flash meetings: expire unanswered requests, remind once before the start, send the
# follow-up email once after the end (each job idempotent: conditional updates/stamps).
CELERY_BEAT_SCHEDULE["flash-meetings-expire-requests"] = {
    "task": "flash_meetings.tasks.expire_meeting_requests",
    "schedule": 900.0,
    "options": {"expires": 840},
}
CELERY_BEAT_SCHEDULE["flash-meetings-reminders"] = {
    "task": "flash_meetings.tasks.send_meeting_reminders",
    "schedule": 300.0,
    "options": {"expires": 280},
}
CELERY_BEAT_SCHEDULE["flash-meetings-follow-ups"] = {
    "task": "flash_meetings.tasks.send_meeting_follow_ups",
    "schedule": 300.0,
    "options": {"expires": 280},
}
# Ongoing mentoring: expire connection requests past the program's request_expiry_days
# and remind the mentor once, halfway there (idempotent).
CELERY_BEAT_SCHEDULE["matching-expire-connection-requests"] = {
    "task": "matching.tasks.expire_connection_requests",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}
# Connections with an end date: remind both people N days before, close them (completed)
# at the end date (idempotent, safe concurrently).
CELERY_BEAT_SCHEDULE["matching-connection-terms"] = {
    "task": "matching.tasks.run_connection_terms",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4) on every response: our pages have no inline
# script or style, so nothing inline runs; nobody may frame us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one IP address that pair is locked out for AXES_COOLOFF_TIME; a
# successful login resets the count. Admins unlock early in Django admin ("Access
# attempts": delete the row) or with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# The client's address, which sign-in throttling and the password-reset limit key on, is
# decided in one place: mentoring/client_address.py. DJANGO_TRUSTED_PROXIES is how many
# reverse proxies in front of Django append to X-Forwarded-For; the default, 0, trusts
# none (gunicorn reached directly, as the Dockerfile runs it: a client writes whatever it
# likes there). Behind a proxy, set it and DJANGO_SECURE_PROXY_SSL_HEADER (README,
# "Behind a reverse proxy"); `check --deploy` warns when only one of them is set.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "mentoring.client_address.client_address"
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    # Only a proxy that sets X-Forwarded-Proto itself may be believed about https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Exports in admin (django-import-export, export only; README "Program admins") -------
# Every export admin mixes in mentoring.exports.SpreadsheetExportMixin: CSV and XLSX only
# (SafeCSV, SafeXLSX, whatever a formats setting says), every cell through
# mentoring.exports.spreadsheet_safe, and it checks the model's view permission itself;
# the code below says the same for any other import-export view.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Off on purpose: import-export's escaping only strips a leading "=" (not + - @, a tab or
# a formula after white space) and turns numbers into text; spreadsheet_safe does it all.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# --- Observability: health, metrics, logs -------------------------------------------------
# /health/live, /health/ready and /metrics are answered by config.edge.EdgeMiddleware
# (first in MIDDLEWARE). Readiness checks the database, migrations, broker and cache; a
# check named in HEALTH_READY_OPTIONAL (e.g. "broker": the outbox holds email through a
# broker outage) is reported but does not make readiness fail (config/health.py).
HEALTH_READY_OPTIONAL = env.list("HEALTH_READY_OPTIONAL", default=[])
# /metrics (Prometheus text format) answers clients in these networks, as
# mentoring/client_address.py decides the client, or a request carrying
# "Authorization: Bearer <METRICS_TOKEN>" when a token is set; anyone else gets 404.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Logs: one line per request and per task, each with its request id (config/logs.py);
# LOG_FORMAT=json writes each record as one JSON object per line, for log shippers.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ValueError(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The request's one line says every 4xx; Django's own "Not Found: <path>" would
        # say it again, with the path (a token, an id) in it. Its 5xx lines, with the
        # traceback, stay.
        "django.request": {"level": "ERROR"},
        # The task's one line is config.logs'; Celery's own "received" and "succeeded"
        # lines would say it twice more (its failures, at WARNING and above, still show).
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
    },
}
