"""Matching a person's needs to the directory's services (the engine is opus/engines/matching).

* `profiles`: a question from a page or the API, checked, as the engine's profile;
* `narrowing`: the two ordered reads of the derived reach rows that find the few services
  worth reading (bounds from the engine);
* `facts`: services read in full, by key, as the engine's candidates;
* `ranking`: reading until the ranking is settled, exactly as `engine.rank` over every one.
"""

from opus.directory.matching.profiles import ProfileError, Question, need_words, profile_from
from opus.directory.matching.ranking import (
    as_json,
    candidates_for,
    match,
    need_fits_for,
    ranked,
    reading,
    tiers,
)

__all__ = [
    "ProfileError",
    "Question",
    "as_json",
    "candidates_for",
    "match",
    "need_fits_for",
    "need_words",
    "profile_from",
    "ranked",
    "reading",
    "tiers",
]
