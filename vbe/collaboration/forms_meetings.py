"""Forms of the meetings: the meeting, a follow-up action, the follow-up and reopening it.

Participants and owners are offered only among the forum's members, so a meeting names organisations,
never people. Each text is checked for personnummer and phone numbers here, field by field; the
service checks again and also warns about names of concern subjects, which the writer may confirm
with ``confirm_names`` (shown once the warning has been given).
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vbe.collaboration.meeting_text import HINT, NAME_WARNING_CODE
from vbe.collaboration.meetings import ActionContent, MeetingContent
from vbe.collaboration.models import Forum, Meeting, MeetingAction
from vbe.core.form_fields import DATE, DATE_ERRORS, LockForm, RowsField
from vbe.core.textcheck import reject_identifying_numbers
from vbe.organisations.models import Organisation, Partner

MAX_TEXT = 10_000
ORGANISATION, PARTNER = "o", "p"


class NameConfirmation(forms.Form):
    """The box a writer ticks to save a text the name warning was given for."""

    confirm_names = forms.BooleanField(
        label=_("Jag har läst texten igen. Den innehåller inga uppgifter om en enskild person. Spara ändå."),
        required=False,
    )

    @property
    def name_warning(self) -> bool:
        """Whether to show the box: the warning was given, or the box was ticked."""
        return self.has_error(NON_FIELD_ERRORS, NAME_WARNING_CODE) or bool(
            self.is_bound and self.data.get("confirm_names")
        )


class MeetingForm(LockForm, NameConfirmation):
    held_on = forms.DateField(label=_("Datum"), widget=DATE, error_messages=DATE_ERRORS)
    participant_organisations = RowsField(
        label=_("Stadens deltagare"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisationer, inte personer. Bara forumets deltagare kan väljas."),
        error_messages={"invalid_choice": _("Välj bland forumets deltagare.")},
    )
    participant_partners = RowsField(
        label=_("Andra deltagare"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Välj bland forumets deltagare.")},
    )
    agenda = forms.CharField(
        label=_("Dagordning"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_identifying_numbers],
        help_text=HINT,
    )
    decisions = forms.CharField(
        label=_("Beslut och slutsatser"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_identifying_numbers],
        help_text=HINT,
    )

    def __init__(self, data: object = None, *, forum: Forum, meeting: Meeting | None = None) -> None:
        if meeting is not None:
            initial = {
                "lock_version": meeting.lock_version,
                "held_on": meeting.held_on,
                "participant_organisations": [o.pk for o in meeting.participant_organisations.all()],
                "participant_partners": [p.pk for p in meeting.participant_partners.all()],
                "agenda": meeting.agenda,
                "decisions": meeting.decisions,
            }
        else:
            # The forum's members are ticked: usually they all come.
            initial = {
                "lock_version": 0,
                "participant_organisations": sorted(forum.member_organisation_ids),
                "participant_partners": [p.pk for p in forum.member_partners.all()],
            }
        super().__init__(data, initial=initial)  # type: ignore[arg-type]
        organisations = set(forum.member_organisation_ids)
        partners = {p.pk for p in forum.member_partners.all()}
        if meeting is not None:
            organisations |= {o.pk for o in meeting.participant_organisations.all()}
            partners |= {p.pk for p in meeting.participant_partners.all()}
        self.fields["participant_organisations"].queryset = Organisation.objects.filter(pk__in=organisations).order_by(
            "name"
        )
        self.fields["participant_partners"].queryset = Partner.objects.filter(pk__in=partners).order_by("name")

    def content(self) -> MeetingContent:
        data = self.cleaned_data
        return MeetingContent(
            held_on=data["held_on"],
            participant_organisations=list(data["participant_organisations"]),
            participant_partners=list(data["participant_partners"]),
            agenda=data["agenda"],
            decisions=data["decisions"],
        )


class ActionForm(NameConfirmation):
    description = forms.CharField(
        label=_("Vad ska göras"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_identifying_numbers],
        help_text=HINT,
        error_messages={"required": _("Skriv vad som ska göras.")},
    )
    owner = forms.ChoiceField(
        label=_("Ansvarig"),
        help_text=_("En av forumets deltagare: en organisation, inte en person."),
        error_messages={"required": _("Välj vem som ansvarar."), "invalid_choice": _("Välj bland forumets deltagare.")},
    )
    due_on = forms.DateField(label=_("Klart senast"), widget=DATE, error_messages=DATE_ERRORS)

    def __init__(self, data: object = None, *, forum: Forum) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.organisations = {o.pk: o for o in sorted(forum.member_organisations.all(), key=lambda o: o.name)}
        self.partners = {p.pk: p for p in sorted(forum.member_partners.all(), key=lambda p: p.name)}
        choices: list = [("", _("Välj ansvarig"))]
        if self.organisations:
            choices.append((_("Staden"), [(f"{ORGANISATION}{pk}", o.name) for pk, o in self.organisations.items()]))
        if self.partners:
            choices.append((_("Utanför staden"), [(f"{PARTNER}{pk}", p.name) for pk, p in self.partners.items()]))
        self.fields["owner"].choices = choices

    def content(self) -> ActionContent:
        data = self.cleaned_data
        owner = data["owner"]
        pk = int(owner[1:])
        return ActionContent(
            description=data["description"],
            due_on=data["due_on"],
            owner_organisation=self.organisations.get(pk) if owner[0] == ORGANISATION else None,
            owner_partner=self.partners.get(pk) if owner[0] == PARTNER else None,
        )


def _not_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Datumet kan inte vara i framtiden."))


class FollowUpForm(LockForm, NameConfirmation):
    done_on = forms.DateField(label=_("Följdes upp"), widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future])
    follow_up = forms.CharField(
        label=_("Vad har gjorts"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[reject_identifying_numbers],
        help_text=HINT,
        error_messages={"required": _("Skriv vad som har gjorts.")},
    )

    def __init__(self, data: object = None, *, action: MeetingAction) -> None:
        initial = {
            "lock_version": action.lock_version,
            "done_on": action.done_on or timezone.localdate(),
            "follow_up": action.follow_up,
        }
        super().__init__(data, initial=initial)  # type: ignore[arg-type]


class ReopenForm(LockForm):
    """Opens a followed-up action again."""
