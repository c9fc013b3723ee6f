#!/usr/bin/env python3
"""The numbers each study's research record states, so a result typed into a study note can be traced to a source.

For each evidence-dossier entry this collects every number written in its text fields (not its identifiers
or links), in its pass-2 changes, in the research source notes that name it, and in context-dossier facts that
cite it. `tests/site_content/dossier_numbers.json` holds the result, so the consistency test runs on a clone
without the dossiers; refresh it with `python tests/site_content/dossier_numbers.py`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
RESEARCH = REPO.parent / "shared" / "research"
SNAPSHOT = Path(__file__).resolve().parent / "dossier_numbers.json"
# Bibliographic fields and links: their digits are identifiers, not findings.
SKIPPED_FIELDS = {
    "key",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "verified_with",
}
# Links, identifiers and dates inside free text, removed before numbers are read.
NOT_FINDINGS = re.compile(
    r"https?://\S+|\S+\.[a-z]{2,}/\S*|\b(?:github-index-file:|GH|PMC|NCT|CRD|PMID\s*|PII\s*|doi\s*)\S*\d\S*"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")


def numbers_in(text: str) -> set[str]:
    """Return the numbers written in `text` (links and identifiers left out), normalised ('0.80' -> '0.8')."""
    return {normalise(float(match)) for match in NUMBER.findall(NOT_FINDINGS.sub(" ", text))}


def normalise(value: float) -> str:
    """Return the canonical text of a number's magnitude: the sign is carried by the words around it in a source."""
    return f"{abs(value):.12g}"


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, dict):
        return [text for key, item in value.items() if key not in SKIPPED_FIELDS for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def extract(research: Path) -> dict[str, list[str]]:
    """Return study key -> the sorted numbers its research record states."""
    evidence = yaml.safe_load((research / "evidence-dossier.yaml").read_text(encoding="utf-8"))
    context = yaml.safe_load((research / "context-dossier.yaml").read_text(encoding="utf-8"))
    notes = (research / "source-notes.md").read_text(encoding="utf-8").splitlines()
    facts = [item for value in context.values() if isinstance(value, list) for item in value if isinstance(item, dict)]
    records: dict[str, list[str]] = {}
    for entry in evidence["entries"]:
        key = entry["key"]
        texts = _texts(entry)
        texts += [
            str(change.get("new", "")) for change in evidence.get("pass2_changes", []) if change.get("key") == key
        ]
        texts += [line for line in notes if re.search(rf"\b{re.escape(key)}\b", line)]
        for fact in facts:
            if key in (fact.get("refs") or []):
                texts += [str(fact.get(field, "")) for field in ("statement", "caveat", "finding")]
        records[key] = sorted(set().union(*(numbers_in(text) for text in texts)), key=float)
    return records


def main() -> int:
    if not RESEARCH.is_dir():
        print(f"no dossiers at {RESEARCH}", file=sys.stderr)
        return 1
    SNAPSHOT.write_text(json.dumps(extract(RESEARCH), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
