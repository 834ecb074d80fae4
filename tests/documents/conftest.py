"""A small province for document tests, and helpers to draft documents."""

from __future__ import annotations

import pytest
from docmaterial import province_tree

from congvu.documents.service import DocumentService, documents_for
from congvu.installation import Installation


@pytest.fixture
def province(installation: Installation) -> Installation:
    province_tree(installation)
    return installation


@pytest.fixture
def docs(province: Installation) -> DocumentService:
    service = documents_for(province)
    service.profiles.set_place("H19.01", "Biên Hòa")
    return service
