"""The sign-in forms of the site and of Django admin, with the lengths enforced.

Django's ``AuthenticationForm`` sets the username field's ``max_length`` after the field
is built, so the limit reaches the HTML attribute but never a validator: a 256-character
name went on to ``authenticate()`` and to django-axes, whose access-attempt row
(``varchar(255)``) refused it with a database error, a 500. Here both fields carry a
validator, so an over-long value is a form error and nothing reaches the throttle.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from mentoring.models import User
from portal.account_forms import PASSWORD_MAX_LENGTH

USERNAME_MAX_LENGTH = User._meta.get_field(User.USERNAME_FIELD).max_length


class _BoundedSignIn:
    fields: dict

    def _bound_lengths(self) -> None:
        limits = {
            "username": (
                USERNAME_MAX_LENGTH,
                _("Usernames have at most %(limit_value)d characters; check what you typed."),
            ),
            "password": (
                PASSWORD_MAX_LENGTH,
                _("Passwords have at most %(limit_value)d characters; check what you typed."),
            ),
        }
        for name, (limit, message) in limits.items():
            field = self.fields[name]
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit, message=message))
            field.widget.attrs["maxlength"] = str(limit)


class SignInForm(_BoundedSignIn, AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bound_lengths()


class AdminSignInForm(_BoundedSignIn, AdminAuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bound_lengths()
