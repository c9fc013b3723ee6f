"""Reading the author's files: site_config.yaml, front matter, study notes, pages, references.bib/.json, and the catalog that cross-checks them. The only stage that reads author files."""
