"""POST /api/v1/matches: a needs profile in, ranked services with their reasons out."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import ValidationError

from opus.directory.matching import ProfileError, Question, as_json, match

router = Router(tags=["directory"])


class MatchIn(Schema):
    needs: list[str] = Field(..., description="Codes of needs from the taxonomy, e.g. befriending")
    postcode: str = ""
    max_distance_km: float = 10.0
    remote_ok: bool = True
    age: int | None = Field(None, ge=0, le=130)
    circumstances: list[str] = []
    languages: list[str] = []
    language_required: bool = False
    accessibility: list[str] = []
    days: list[str] = []
    max_price_pence: int | None = Field(None, ge=0)
    words: str = Field("", max_length=200)
    limit: int = Field(20, ge=1, le=100)


class NeedFitOut(Schema):
    need: str = Field(..., description="One of the person's needs, in words")
    meets: bool = Field(..., description="True: tagged with the need itself; false: related")
    family: str = Field(..., description="The need's family, in words (what relates them)")


class ResultOut(Schema):
    service_id: str
    name: str
    score: float
    parts: dict[str, float]
    reasons: list[str]
    distance_km: float | None
    needs: list[NeedFitOut] = Field(
        [], description="The person's needs it meets, then those it only relates to"
    )


class NearMissOut(Schema):
    service_id: str
    name: str
    why: list[str]
    needs: list[NeedFitOut] = Field([], description="The needs it would have met or relates to")


class MatchOut(Schema):
    results: list[ResultOut]
    near_misses: list[NearMissOut]


@router.post("/matches", response=MatchOut, auth=None)
def post_matches(request: HttpRequest, payload: MatchIn) -> dict[str, Any]:
    """Rank the services this person can use; say why for each, and why not for near misses."""
    data = payload.dict()
    limit = data.pop("limit")
    question = Question(
        **{k: tuple(v) if isinstance(v, list) and k != "needs" else v for k, v in data.items()}
    )
    try:
        _, ranking = match(question, limit=limit)
    except ProfileError as exc:
        raise ValidationError([{"loc": ["body", "payload", exc.field], "msg": str(exc)}]) from exc
    return as_json(ranking)
