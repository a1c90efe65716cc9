"""Plans are read widely (boards, the central coordinator): their narrative fields refuse a personnummer
or a phone number, however it is typed, with the same Swedish message as incidents (issue 7, item 13).
The check is a refusal with a message, not a warning: nothing is saved until the number is removed."""

from __future__ import annotations

import pytest

from vbe.guidelines.models import CoordinatorDuty
from vbe.plans.models import DutyReport, FollowUp, Measure, PlanState
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, focus_area, make_plan

PNR_TYPED = "１９９００２２５\u2011２３８６"  # Skatteverket's test number, fullwidth, non-breaking hyphen
PHONE_TYPED = "070\u200b-174 06 05"  # PTS's range for fiction, with a zero-width space
PERSONNUMMER_ERROR = "Texten innehåller något som liknar ett personnummer. Ta bort det"
PHONE_ERROR = "Texten innehåller något som liknar ett telefonnummer. Ta bort det"


def _post(client, plan, suffix: str, **data):
    plan.refresh_from_db()
    return client.post(f"/planer/{plan.pk}/{suffix}", {"lock_version": plan.lock_version, **data})


@pytest.mark.parametrize(("typed", "error"), [(PNR_TYPED, PERSONNUMMER_ERROR), (PHONE_TYPED, PHONE_ERROR)])
def test_situation_picture_refuses_identifying_numbers(cast, typed, error):
    plan = make_plan(cast, measures=[])
    before = plan.situation_analysis
    response = _post(
        cast.client("coordinator"), plan, "andra/", title=plan.title, situation_analysis=f"Eleven {typed} syntes."
    )
    assert response.status_code == 400 and error in response.content.decode()
    plan.refresh_from_db()
    assert plan.situation_analysis == before


def test_situation_picture_with_dates_and_times_is_saved(cast):
    plan = make_plan(cast, measures=[])
    text = "Möte 2026-11-30 kl. 14.30, uppföljning 2027-01-15 1330. Kostnad 25 000 kr, ärende 2024/1234."
    response = _post(cast.client("coordinator"), plan, "andra/", title=plan.title, situation_analysis=text)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.situation_analysis == text


def test_measure_description_refuses_a_personnummer(cast):
    plan = make_plan(cast, measures=[])
    response = _post(
        cast.client("coordinator"),
        plan,
        "atgarder/ny/",
        title="Samtal",
        description=f"Samtal med {PNR_TYPED}.",
        focus_area=focus_area(1).pk,
        status="planned",
    )
    assert response.status_code == 400 and PERSONNUMMER_ERROR in response.content.decode()
    assert not Measure.objects.filter(plan=plan).exists()


def test_follow_up_comment_refuses_a_phone_number(cast):
    plan = make_plan(cast, year=LAST_YEAR, state=PlanState.DECIDED, measures=[{"title": "Träffar", "area": 1}])
    measure = plan.measures.get()
    response = _post(
        cast.client("coordinator"),
        plan,
        f"uppfoljning/{LAST_YEAR}/",
        **{
            f"m{measure.pk}-status": "done",
            f"m{measure.pk}-comment": f"Ring {PHONE_TYPED}",
            **{f"m{measure.pk}-indicator_{i.pk}": "" for i in measure.indicators.all()},
        },
    )
    assert response.status_code == 400 and PHONE_ERROR in response.content.decode()
    assert not FollowUp.objects.filter(measure=measure).exists()


def test_duty_report_comment_refuses_a_personnummer(cast, jarva):
    client = cast.client("coordinator")
    url = f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/"
    version = client.get(url).context["form"]["lock_version"].value()
    duties = CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number")
    data = {"lock_version": version}
    for duty in duties:
        data[f"answer_{duty.pk}"] = "done"
        data[f"comment_{duty.pk}"] = ""
    data[f"comment_{duties[0].pk}"] = f"Gäller {PNR_TYPED}"
    response = client.post(url, data)
    assert response.status_code == 400 and PERSONNUMMER_ERROR in response.content.decode()
    assert not DutyReport.objects.exists()


def test_measure_title_refuses_a_personnummer(cast):
    plan = make_plan(cast, measures=[])
    response = _post(
        cast.client("coordinator"),
        plan,
        "atgarder/ny/",
        title=f"Samtal med {PNR_TYPED}",
        focus_area=focus_area(1).pk,
        status="planned",
    )
    assert response.status_code == 400 and PERSONNUMMER_ERROR in response.content.decode()
    assert not Measure.objects.filter(plan=plan).exists()


def test_plan_title_refuses_a_personnummer(cast):
    plan = make_plan(cast, measures=[])
    before = plan.title
    response = _post(cast.client("coordinator"), plan, "andra/", title=f"Plan {PNR_TYPED}", situation_analysis="Läget.")
    assert response.status_code == 400 and PERSONNUMMER_ERROR in response.content.decode()
    plan.refresh_from_db()
    assert plan.title == before


def test_listed_measure_title_refuses_a_personnummer(cast):
    from vbe.plans.forms_lists import ListedMeasureForm

    form = ListedMeasureForm(data={"title": f"Samtal {PNR_TYPED}", "lock_version": 1}, areas=[focus_area(1)])
    assert not form.is_valid()
    assert PERSONNUMMER_ERROR in " ".join(form.errors["title"])
