"""Rendering each page's body: Markdown plus citations, with the render cache and worker processes for large sites."""
