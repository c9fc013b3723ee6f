"""The written forms of a work's identifiers (DOI, PubMed and PubMed Central ids, web address), in one place.

A study note's front matter (content/study_fields.py) and a bibliography file (content/work_record.py) check the
same forms, so an identifier one accepts the other accepts too.
"""

from __future__ import annotations

import re

# matched with fullmatch (`$` also matches before a final newline); ASCII digits only (`\d` takes any script's)
DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
PMID = re.compile(r"[1-9][0-9]{0,8}")
PMCID = re.compile(r"PMC[0-9]{1,9}")
PMCID_ANY_CASE = re.compile(PMCID.pattern, re.IGNORECASE)  # reference managers also write 'pmc123'
URL = re.compile(r"https?://\S+")
DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)  # a DOI written as a link

# each front-matter identifier field: its form and an example for the error message
FORMS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("doi", DOI, "10.1038/s41467-019-13162-w"),
    ("pmid", PMID, "31772157"),
    ("pmcid", PMCID, "PMC6879579"),
    ("url", URL, "https://example.org/paper"),
)
