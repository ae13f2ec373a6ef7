from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(cast, client_for):
    cast.staff.is_staff = True
    cast.staff.is_superuser = True
    cast.staff.save()
    return client_for(cast.staff)


def test_the_admin_lists_users_with_role_and_active(cast, admin_client_):
    response = admin_client_.get("/admin/accounts/user/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "captain.a@example.org" in html
    assert "Hub captain" in html


def test_the_admin_changes_a_role_and_deactivates(cast, admin_client_):
    user = cast.organizer_a
    response = admin_client_.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"email": user.email, "name": user.name, "role": Role.CAPTAIN, "language": ""},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.role == Role.CAPTAIN
    assert user.is_active is False  # unchecked box
    assert user.has_usable_password()  # the password was left alone


def test_a_user_added_in_the_admin_has_no_usable_password(admin_client_):
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {"email": "added@example.org", "name": "Added", "role": Role.VOLUNTEER, "is_active": "on"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="added@example.org")
    assert not user.has_usable_password()
