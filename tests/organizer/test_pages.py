"""The site's frame: sign-in wall on every nav page, the 404 page, switching language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from organizer.views import server_error

NAV_PAGES = ["contacts:my_day", "contacts:list", "hubs:index", "campaigns:index", "reports"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", NAV_PAGES)
def test_it_sends_anonymous_visitors_of_every_nav_page_to_sign_in(client, url_name):
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", NAV_PAGES)
def test_every_nav_page_shows_the_layout_to_a_signed_in_organizer(cast, client_for, url_name):
    response = client_for(cast.organizer_a).get(reverse(url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Main"' in html
    for href in (reverse(name) for name in NAV_PAGES):
        assert f'href="{href}"' in html
    assert 'aria-current="page"' in html
    assert 'class="log-action"' in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert "vendor/htmx-2.0.11/htmx.min.js" in html
    assert '"X-CSRFToken": "' in html


@pytest.mark.django_db
def test_the_sign_in_page_has_no_navigation_but_offers_the_language_switch(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert 'aria-label="Main"' not in html
    assert "log-action" not in html
    assert f'action="{reverse("set_language")}"' in html
    assert '<label for="language-select">Language</label>' in html


@pytest.mark.django_db
def test_an_unknown_address_gets_a_404_page_in_the_site_layout(cast, client_for):
    response = client_for(cast.organizer_a).get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "vendor/pico-2.1.1/pico.min.css" in html
    assert 'aria-label="Main"' in html


@pytest.mark.django_db
def test_a_person_in_another_hub_looks_exactly_like_a_missing_page(cast, client_for):
    client = client_for(cast.organizer_a)
    outsider = client.get(reverse("contacts:detail", args=[cast.person_b.pk]))
    missing = client.get(reverse("contacts:detail", args=[cast.person_b.pk + 10_000]))

    assert outsider.status_code == missing.status_code == 404
    assert "<h1>Page not found</h1>" in outsider.content.decode()
    assert "Baker" not in outsider.content.decode()
    assert _without_tokens(outsider.content.decode(), cast.person_b.pk) == _without_tokens(
        missing.content.decode(), cast.person_b.pk + 10_000
    )


def _without_tokens(html: str, pk: int) -> str:
    """The page minus what differs on every render anyway: CSRF tokens and the asked-for id."""
    html = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', r"\1", html)
    return html.replace(f"/{pk}/", "/<pk>/")


def test_the_500_page_renders_without_a_database_or_a_request_context(rf):
    # No django_db mark: any database query here would fail the test.
    with translation.override("en"):
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "vendor/pico-2.1.1/pico.min.css" in html


@pytest.mark.django_db
def test_switching_language_renders_the_next_page_in_spanish(cast, client_for):
    client = client_for(cast.organizer_a)
    my_day = reverse("contacts:my_day")

    response = client.post(reverse("set_language"), {"language": "es", "next": my_day})

    assert response.status_code == 302
    assert response["Location"] == my_day
    html = client.get(my_day).content.decode()
    assert '<html lang="es">' in html
    assert "<h1>Mi día</h1>" in html
    assert "Personas" in html and "Campañas" in html and "Cerrar sesión" in html


@pytest.mark.django_db
def test_an_anonymous_visitor_can_switch_the_sign_in_page_to_spanish():
    client = Client()

    client.post(reverse("set_language"), {"language": "es", "next": reverse("accounts:login")})

    html = client.get(reverse("accounts:login")).content.decode()
    assert "<h1>Iniciar sesión</h1>" in html
    assert '<option value="es" lang="es" selected>Español</option>' in html
