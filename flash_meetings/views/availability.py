"""A mentor's availability page: open slots (single or weekly) and remove them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from flash_meetings import selectors, services
from flash_meetings.forms import AvailabilityForm
from flash_meetings.models import AvailabilitySlot
from mentoring.errors import DomainError
from mentoring.models import Membership


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(
            user=request.user, role=Membership.Role.MENTOR, active=True
        ).select_related("program", "user")
    )
    form = AvailabilityForm(request.POST or None, memberships=memberships)
    status = 200
    if request.method == "POST" and memberships:
        if form.is_valid():
            try:
                created = services.availability_slots_create(
                    membership=form.membership(),
                    day=form.cleaned_data["day"],
                    at=form.cleaned_data["at"],
                    repeat_weeks=form.cleaned_data["repeat_weeks"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(
                    request,
                    _("%(count)s open slot(s) added.") % {"count": len(created)},
                )
                return redirect("flash_meetings:availability")
        else:
            status = 400
    return render(
        request,
        "flash_meetings/availability.html",
        {
            "form": form,
            "memberships": memberships,
            "slots": selectors.mentor_slots(mentor=request.user),
        },
        status=status,
    )


@login_required
@require_POST
def slot_remove(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = get_object_or_404(AvailabilitySlot, pk=slot_id, mentor=request.user)
    try:
        services.availability_slot_remove(slot=slot, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Slot removed."))
    return redirect("flash_meetings:availability")
