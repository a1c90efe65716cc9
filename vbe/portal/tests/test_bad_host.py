"""A request refused before the authentication middleware still gets its 400 page, never a 500."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:notaport", "a b"])
def test_a_bad_host_header_gets_the_400_page(client, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 400
    assert "Felaktig begäran" in response.content.decode()


@pytest.mark.django_db
def test_the_400_page_names_the_service(client, settings):
    response = client.get("/", HTTP_HOST="evil.example")
    assert settings.SERVICE_NAME in response.content.decode()
