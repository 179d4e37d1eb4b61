"""Place names and their countries (GeoNames, seeds/reference/places.tsv): evidence for a place, and a
location's country code where no known actor names it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from spacy.util import registry

from newsflow.settings import SEEDS_DIR

PLACES_FILE = SEEDS_DIR / "reference" / "places.tsv"


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # country | continent | us_state | city
    country: str  # ISO 3166 alpha-3 ("" for a continent), the country part of a CAMEO actor code
    population: int


class Places:
    def __init__(self, by_name: dict[str, Place]) -> None:
        self.by_name = by_name

    def find(self, name: str) -> Place | None:
        """The place of that name as written (case matters: "Nice" the city, not "nice")."""
        return self.by_name.get(" ".join(name.split()))


@functools.lru_cache(maxsize=2)
def load_places(path: str) -> Places:
    by_name: dict[str, Place] = {}
    file = Path(path)
    if file.is_file():
        with file.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#") or not line.strip():
                    continue
                name, kind, country, population = line.rstrip("\n").split("\t")
                by_name[name] = Place(name, kind, country, int(population))
    return Places(by_name)


def places(path: str = str(PLACES_FILE)) -> Places:
    return load_places(path)


# Registered without the decorator, which is untyped (its caller would get Any).
registry.misc.register("newsflow.places.v1", func=places)
