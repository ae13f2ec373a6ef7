"""The schema and the docs page."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_the_schema_describes_every_versioned_endpoint_and_nothing_else(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    # The native API and the OSDI one (tests/api/test_osdi_schema.py); not /api/people/.
    assert all(path.startswith(("/api/v1/", "/api/v2/")) for path in paths)
    assert "/api/people/" not in paths and "/api/v2/people" in paths
    assert "/api/v1/people/" in paths and "/api/v1/reports/headline/" in paths
    assert "/api/v1/schema/" not in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
    one_on_one = paths["/api/v1/people/{id}/one-on-ones/"]["post"]
    assert one_on_one["requestBody"]["content"]["application/json"]["examples"]


def test_the_docs_page_loads_swagger_from_our_own_static_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert 'data-schema-url="/api/v1/schema/"' in html
    assert "<script>" not in html  # no inline script: the CSP would block it
    assert "cdn" not in html.lower()
