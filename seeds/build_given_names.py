"""Build seeds/reference/given_names.txt: first names, for telling a person's name from a product's.

Sources: the 1990 US Census first-name lists (public domain, as packaged by the `names` package, MIT) and
the first names of the people in seeds/reference/known_actors.tsv (PETRARCH2's Phoenix dictionaries, MIT),
which cover the world's politicians' names the census lacks.

Usage: uv run python -m seeds.build_given_names
"""

from __future__ import annotations

import argparse
from pathlib import Path

import names

REFERENCE = Path(__file__).resolve().parent / "reference"
OUT = REFERENCE / "given_names.txt"
CENSUS_FILES = ("dist.male.first", "dist.female.first")
HEADER = """\
# Given names, lower case, one per line: evidence that "Matt Burns" names a person and "Deco X20" does not.
# Sources: 1990 US Census first names (public domain; `names` package 0.3.0, MIT) and the first names of the
# people in known_actors.tsv (PETRARCH2 Phoenix dictionaries, MIT).
# Regenerate: uv run python -m seeds.build_given_names
"""


def census_names() -> set[str]:
    folder = Path(names.__file__).parent
    found: set[str] = set()
    for file in CENSUS_FILES:
        for line in (folder / file).read_text().splitlines():
            if line.strip():
                found.add(line.split()[0].lower())
    return found


def known_people_names(actors_file: Path) -> set[str]:
    found: set[str] = set()
    for line in actors_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        fields = line.split("\t")
        if len(fields) > 3 and fields[3] == "person":
            words = fields[1].split()
            if len(words) >= 2 and words[0].isalpha() and len(words[0]) > 2:
                found.add(words[0].lower())
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    given = sorted(census_names() | known_people_names(REFERENCE / "known_actors.tsv"))
    args.out.write_text(HEADER + "\n".join(given) + "\n", encoding="utf-8")
    print(f"{len(given)} given names -> {args.out}")


if __name__ == "__main__":
    main()
