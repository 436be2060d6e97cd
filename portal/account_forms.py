"""Forms of "My account" and of the password pages (sign-in's "Forgot your password?").

The password forms are Django's own, with labels and hints in the product's words (a
plain-text hint: the field partial puts it in a <p>) and a length limit, so a
100,000-character "password" is a field error before any hashing.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from mentoring import zones
from mentoring.models import User
from mentoring.validators import validate_single_line

PASSWORD_MAX_LENGTH = 4096


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name shown to others"),
        required=False,
        max_length=User._meta.get_field("display_name").max_length,
        validators=[validate_single_line],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Meeting times on these pages and in your emails are shown in this zone."),
        error_messages={
            "required": _("Choose your time zone from the list."),
            "invalid_choice": _("Choose your time zone from the list."),
        },
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        kwargs.setdefault(
            "initial", {"display_name": user.display_name, "time_zone": user.time_zone}
        )
        super().__init__(*args, **kwargs)
        fallback = f"{user.first_name} {user.last_name}".strip() or user.username
        self.fields["display_name"].help_text = _(
            "How mentors and mentees in your programs see you. Leave it empty to be "
            "shown as “%(fallback)s”."
        ) % {"fallback": fallback}
        self.fields["time_zone"].choices = zones.zone_choices(keep=user.time_zone)
        # Read by static/js/timezone.js: it offers the browser's zone when it differs.
        self.fields["time_zone"].widget.attrs["data-browser-zone"] = "zone-suggestion"


class LanguageForm(forms.Form):
    """The language of one's pages and emails: My account, and the footer of every page
    (whose hidden ``next`` the view checks itself, to bring the person back there)."""

    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Pages and the emails we send you are written in this language."),
        error_messages={
            "required": _("Choose a language from the list."),
            "invalid_choice": _("Choose a language from the list."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Each language named in its own words (settings.LANGUAGES), read at run time so
        # that a language added there appears here.
        self.fields["language"].choices = list(settings.LANGUAGES)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter your new email address.")},
    )
    password = forms.CharField(
        label=_("Your current password"),
        help_text=_("To keep your account safe, we ask for it before changing your address."),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password.")},
    )


def _plain_password_help() -> str:
    return " ".join(password_validation.password_validators_help_texts())


class _ProductPasswordFields:
    """New-password fields as people read them, with a length limit."""

    error_messages = {
        "password_mismatch": _("The two new passwords are not the same; type them again."),
    }

    def _word_password_fields(self) -> None:
        new1, new2 = self.fields["new_password1"], self.fields["new_password2"]
        new1.label = _("New password")
        new1.help_text = _plain_password_help()
        new1.error_messages["required"] = _("Enter a new password.")
        new2.label = _("New password again")
        new2.help_text = _("Type it a second time, to be sure it is what you meant.")
        new2.error_messages["required"] = _("Type the new password a second time.")
        for field in self.fields.values():
            field.max_length = PASSWORD_MAX_LENGTH
            field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)


class ProductSetPasswordForm(_ProductPasswordFields, SetPasswordForm):
    """The reset link's form: a new password, twice."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._word_password_fields()


class ProductPasswordChangeForm(_ProductPasswordFields, PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        **_ProductPasswordFields.error_messages,
        "password_incorrect": _("That is not your current password; please type it again."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["old_password"].error_messages["required"] = _("Enter your current password.")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self._word_password_fields()


class PasswordResetRequestForm(PasswordResetForm):
    """The email address to send a reset link to. Sending goes through the outbox
    (``portal.accounts.password_reset_send``): Django's direct ``send_mail`` is off."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Email address")
        email.help_text = _("The address of your account on the mentoring platform.")
        email.error_messages["required"] = _("Enter your email address.")

    def send_mail(self, *args, **kwargs) -> None:
        raise NotImplementedError("Password reset email goes through the outbox.")

    def save(self, *args, **kwargs) -> None:
        raise NotImplementedError("Use portal.accounts.password_reset_send.")
