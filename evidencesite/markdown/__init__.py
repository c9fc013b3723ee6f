"""Markdown to HTML with citations, footnotes and a table of contents. Sees no catalog, cache or output folder."""
