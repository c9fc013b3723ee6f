#!/usr/bin/env python3
"""Refresh tests/fixtures/dossier_bibliography.json from the research dossiers in ../shared/research.

The consistency test compares every study note and BibTeX entry with this snapshot, so the
tests run on a clean clone without the dossiers; when the dossiers are present, a second test
checks that the snapshot is still current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
RESEARCH = REPO.parent / "shared" / "research"
SNAPSHOT = REPO / "tests" / "fixtures" / "dossier_bibliography.json"
FIELDS = ("title", "year", "doi", "pmid", "pmcid", "journal", "volume")


def extract(research: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Return {'studies': key -> fields, 'references': key -> fields} from the two dossiers."""
    evidence = yaml.safe_load((research / "evidence-dossier.yaml").read_text(encoding="utf-8"))
    context = yaml.safe_load((research / "context-dossier.yaml").read_text(encoding="utf-8"))

    def fields(entry: dict[str, object]) -> dict[str, object]:
        result = {name: entry[name] for name in FIELDS if entry.get(name) not in (None, "")}
        result["confidence"] = entry.get("confidence", "")
        return result

    return {
        "studies": {e["key"]: fields(e) for e in evidence["entries"]},
        "references": {e["key"]: fields(e) for e in context["references"]},
    }


def main() -> int:
    if not RESEARCH.is_dir():
        print(f"no dossiers at {RESEARCH}", file=sys.stderr)
        return 1
    SNAPSHOT.write_text(
        json.dumps(extract(RESEARCH), indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
