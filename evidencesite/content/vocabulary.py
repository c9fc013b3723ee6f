"""The site's vocabulary: its taxonomies (the cross-cutting axes), study designs and note skeletons.

The generator serves any evidence topic, so none of these words are built into the pipeline: they are
a `Vocabulary` value read from site_config.yaml (`taxonomies:`, `designs:`, `note_sections:`), with the
defaults below for a site that says nothing (the ketamine site's mechanisms x substances). The value is
passed along (on `SiteConfig`); validation depends on it, so its `fingerprint` is part of every cache key
that holds validated pages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from evidencesite.models import Design, DesignGroup


@dataclass(frozen=True)
class Taxonomy:
    """One axis, e.g. interventions: the study-note field, the content folder and the URL folder are all `key`."""

    key: str
    title: str  # plural label: headings, navigation, the explorer's column
    singular: str  # 'Intervention': filters, badges, messages
    required: bool = False  # every study note lists at least one (unless `background: true`)
    sections: tuple[str, ...] = ()  # the body sections of a new page of this axis (`new`)
    in_text: str = ""  # how running text names one ('proposed mechanism'); default: the singular, lower-cased

    @property
    def phrase(self) -> str:
        """The singular as running text names it: 'the table counts studies for each proposed mechanism'."""
        return self.in_text or self.name

    @property
    def name(self) -> str:
        """The singular in running text: 'unknown intervention 'x''."""
        return self.singular[:1].lower() + self.singular[1:]

    @property
    def param(self) -> str:
        """The explorer's filter and query parameter ('?intervention=exercise'): the singular as a slug."""
        return re.sub(r"[^a-z0-9]+", "-", self.singular.lower()).strip("-")


def _design(value: str, label: str, group: DesignGroup, plural: str = "", weak: bool = False) -> tuple[str, ...]:
    return (value, label, plural or _plural(label), group.value, "weak" if weak else "")


def _plural(label: str) -> str:
    """'Cohort study' -> 'Cohort studies', 'Case series' stays, 'Meta-analysis' -> 'Meta-analyses'."""
    if label.endswith("study"):
        return label[: -len("study")] + "studies"
    if label.endswith("series"):
        return label
    if label.endswith("sis"):
        return label[:-3] + "ses"
    return label + "s"


_R, _T, _H, _L = DesignGroup.REVIEW, DesignGroup.RANDOMISED, DesignGroup.HUMAN, DesignGroup.LABORATORY
# The generator's designs in evidence order, strongest first (a site may add, replace or drop them).
DEFAULT_DESIGN_ROWS = (
    _design("meta-analysis", "Meta-analysis", _R),
    _design("network-meta-analysis", "Network meta-analysis", _R),
    _design("systematic-review", "Systematic review", _R),
    _design("guideline", "Clinical guideline", _R),
    _design("rct", "Randomised controlled trial", _T),
    _design("cluster-rct", "Cluster-randomised trial", _T),
    _design("crossover-rct", "Randomised crossover trial", _T),
    _design("non-randomised-trial", "Non-randomised trial", _H),
    _design("open-label", "Open-label study", _H),
    _design("cohort", "Cohort study", _H),
    _design("diagnostic-accuracy", "Diagnostic accuracy study", _H),
    _design("cross-sectional", "Cross-sectional study", _H),
    _design("secondary-analysis", "Secondary analysis", _H),
    _design("human-laboratory", "Human laboratory study", _H),
    _design("qualitative", "Qualitative study", _H),
    _design("case-series", "Case series", _H),
    _design("case-report", "Case report", _H, weak=True),
    _design("narrative-review", "Narrative review", _R),
    _design("preclinical-animal", "Animal study", _L, weak=True),
    _design("preclinical-in-vitro", "In-vitro study", _L, weak=True),
)


def make_designs(rows: list[tuple[str, ...]]) -> tuple[Design, ...]:
    """Return designs from (value, label, plural, group, 'weak'|'') rows, ranked in the rows' order."""
    return tuple(
        Design(value, label, plural, DesignGroup(group), rank, weak == "weak")
        for rank, (value, label, plural, group, weak) in enumerate(rows)
    )


DEFAULT_NOTE_SECTIONS = (
    "Question",
    "Design and participants",
    "Intervention",
    "Main findings",
    "Limitations",
    "What it means",
)
DEFAULT_TERM_SECTIONS = (
    "The idea in plain language",
    "The biology",
    "Human evidence",
    "Animal evidence",
    "Open questions",
)


@dataclass(frozen=True)
class Vocabulary:
    """Everything a site names in its own words; validation, views and templates read it from here."""

    taxonomies: tuple[Taxonomy, ...]
    designs: tuple[Design, ...]
    note_sections: tuple[str, ...] = DEFAULT_NOTE_SECTIONS

    def design(self, value: str) -> Design | None:
        return next((design for design in self.designs if design.value == value), None)

    @property
    def design_values(self) -> tuple[str, ...]:
        return tuple(design.value for design in self.designs)

    def taxonomy(self, key: str) -> Taxonomy | None:
        return next((taxonomy for taxonomy in self.taxonomies if taxonomy.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(taxonomy.key for taxonomy in self.taxonomies)

    @property
    def study_taxonomies(self) -> tuple[Taxonomy, ...]:
        """The taxonomies in the order a study shows them (facts, explorer, filters): required ones first."""
        return tuple(sorted(self.taxonomies, key=lambda taxonomy: not taxonomy.required))

    @property
    def fingerprint(self) -> str:
        """A hash of the whole vocabulary: cached validated pages are trusted only under the same one."""
        return hashlib.sha1(repr(self).encode(), usedforsecurity=False).hexdigest()


DEFAULT_TAXONOMIES = (
    Taxonomy("mechanisms", "Mechanisms", "Mechanism", sections=DEFAULT_TERM_SECTIONS, in_text="proposed mechanism"),
    Taxonomy("substances", "Substances", "Substance", required=True),
)
DEFAULT_VOCABULARY = Vocabulary(DEFAULT_TAXONOMIES, make_designs(list(DEFAULT_DESIGN_ROWS)))
