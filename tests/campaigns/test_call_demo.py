from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from campaigns.models import CallList, CallTarget, SurveyAnswer


def test_the_demo_has_a_call_list_for_the_organizer_and_volunteer_with_calls_made(db):
    call_command("seed_demo", "--people", "60", stdout=StringIO())
    call_list = CallList.objects.get()
    assert {u.email for u in call_list.callers.all()} == {
        "organizer@demo.organizer.test",
        "volunteer@demo.organizer.test",
    }
    assert CallTarget.objects.exclude(result="").count() == 4
    assert SurveyAnswer.objects.exists()
