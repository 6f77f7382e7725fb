import pytest

from opus.core.models import Postcode
from opus.directory import services as directory
from opus.directory.models import LocationType
from opus.testing import create_service


@pytest.fixture
def offers(db, cast):
    """Three befriending services near ZY1 1AA, from Good Neighbours (Priya's charity)."""
    Postcode.objects.create(postcode="ZY1 1AA", latitude=53.90, longitude=-1.60)
    made = []
    for i, name in enumerate(["Tea and talk", "Friendly visits", "Chat club"]):
        service = create_service(name=name, organisation=cast.charity, vacancies=3)
        place = directory.location_create(
            organisation=cast.charity,
            by=None,
            name=f"Hall {i}",
            location_type=LocationType.PHYSICAL,
            latitude=53.90 + i / 200,
            longitude=-1.60,
            accessibility=["step-free"],
        )
        directory.service_set_locations(service=service, locations=[place], by=None)
        directory.service_set_cost(
            service=service, amount_pence=1200 + 300 * i, unit="hour", option="", by=None
        )
        made.append(service)
    return made


def answer_questions(client, **overrides):
    pages = {
        "needs": {"needs": ["befriending"]},
        "where": {"postcode": "zy1 1aa", "max_distance_km": "10", "remote_ok": "on"},
        "about": {"age": "72", "circumstances": ["older-person"]},
        "access": {"accessibility": ["step-free"]},
        "when": {"max_price": "20"},
    }
    for step, data in pages.items():
        response = client.post(f"/choose/questions/{step}/", {**data, **overrides.get(step, {})})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    return client.get("/choose/results/")
