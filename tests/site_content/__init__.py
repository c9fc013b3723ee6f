"""Tests of this site's own content (content/, site_config.yaml), kept apart from the generator's tests.

They check what the pages say against the research dossiers and the site's own skeletons. A site on another
topic deletes this folder; every test under tests/ directly checks the generator on sites it builds itself.
"""
