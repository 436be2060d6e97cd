"""Test settings: the real settings, plus what makes the suite fast and deterministic."""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
# Tests hand tasks to an in-process "worker" unless a test starts a real one.
CELERY_TASK_ALWAYS_EAGER = True
# Each test starts with an empty cache of its own process: a shared Redis cache would
# carry one test's entries into the next. The Redis cache itself is tested in
# tests/fleet/ (real processes, config.settings).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# django-axes needs `request` in authenticate(), which `Client.login()` does not pass;
# tests sign in with force_login or the login form, and tests/hardening/test_login_security.py
# switches axes on to prove the lockout.
AXES_ENABLED = False
# Every test Client builds the middleware again; without autorefresh WhiteNoise re-scans
# all collected static files each time (about half a second per client here).
WHITENOISE_AUTOREFRESH = True
