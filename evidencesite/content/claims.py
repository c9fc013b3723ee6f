"""A topic page's 'claims': each a statement with its strength and the studies that are its evidence."""

from __future__ import annotations

from typing import Any

from evidencesite.content.field_reader import FieldReader, choices_of, no_value
from evidencesite.content.frontmatter import Scalar
from evidencesite.content.loader import SLUG
from evidencesite.errors import did_you_mean
from evidencesite.models import Claim, EvidenceRef, Role, Source, Strength

CLAIM_FIELDS = ("id", "text", "strength", "evidence")


def read_claims(reader: FieldReader) -> tuple[Claim, ...]:
    """Return the page's well-formed claims, reporting every problem in the others."""
    value = reader.data.get("claims")
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.error("'claims' must be a list of {id, text, strength, evidence}", "claims")
        return ()
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        path = ("claims", index)
        if not isinstance(item, dict):
            reader.error("each claim must be a mapping with id, text, strength and evidence", *path)
            continue
        for key in item:
            if key not in CLAIM_FIELDS:
                reader.diagnostics.warning(
                    reader.raw.path,
                    reader.line(*path, key),
                    f"unknown claim field '{key}'{did_you_mean(key, CLAIM_FIELDS)}",
                )
        fields = {key: _claim_text(reader, item, path, key) for key in ("id", "text", "strength")}
        claim_id, text, strength_text = fields["id"], fields["text"], fields["strength"]
        if claim_id and not SLUG.fullmatch(claim_id):
            reader.error(
                f"claim id '{claim_id}' must be lowercase a-z, 0-9 and '-' (it becomes the claim's anchor)", *path, "id"
            )
        elif claim_id in seen:
            reader.error(f"duplicate claim id '{claim_id}' (first used on line {seen[claim_id]})", *path, "id")
        elif claim_id:
            seen[claim_id] = reader.line(*path, "id")
        strength = reader.member(Strength, strength_text, "strength", *path, "strength")
        evidence = _evidence(reader, item.get("evidence"), path)
        if claim_id and text and strength and evidence is not None:
            claims.append(
                Claim(
                    claim_id,
                    text,
                    strength,
                    evidence,
                    Source(reader.diagnostics.display_path(reader.raw.path), reader.line(*path)),
                )
            )
    return tuple(claims)


def _claim_text(reader: FieldReader, item: dict[str, Any], path: tuple[str | int, ...], key: str) -> str:
    value = item.get(key)
    if isinstance(value, Scalar) and value.text.strip():
        return value.text.strip()
    reader.error(f"claim needs '{key}' as text", *path, *((key,) if key in item else ()))
    return ""


def _evidence(reader: FieldReader, value: Any, path: tuple[str | int, ...]) -> tuple[EvidenceRef, ...] | None:
    """The claim's evidence: citation keys, each alone or as {key, role} (None when any entry is wrong)."""
    if not isinstance(value, list) or not value:
        reader.error(
            "claim needs 'evidence': a non-empty list of citation keys",
            *path,
            *(("evidence",) if value is not None else ()),
        )
        return None
    refs = []
    ok = True
    for index, item in enumerate(value):
        where = (*path, "evidence", index)
        line = reader.line(*where)
        source = Source(reader.diagnostics.display_path(reader.raw.path), line)
        key, role = "", Role.SUPPORTS
        if isinstance(item, Scalar):
            key = item.text.strip().lstrip("@")
        elif isinstance(item, dict) and isinstance(item.get("key"), Scalar):
            key = item["key"].text.strip().lstrip("@")
            role_value = item.get("role")
            if role_value is None and "role" in item:
                reader.error(no_value("role", choices_of(Role)), *where, "role")
                ok = False
            elif role_value is not None:
                parsed = reader.member(
                    Role, role_value.text if isinstance(role_value, Scalar) else "", "role", *where, "role"
                )
                ok = ok and parsed is not None
                role = parsed or role
        else:
            reader.error("evidence entries are citation keys or {key, role}", *where)
            ok = False
            continue
        if not SLUG.fullmatch(key):
            reader.error(f"evidence key '{key}' must be lowercase a-z, 0-9 and '-'", *where)
            ok = False
            continue
        refs.append(EvidenceRef(key, role, source))
    return tuple(refs) if ok else None
