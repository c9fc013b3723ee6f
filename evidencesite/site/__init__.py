"""The site as a set of output files: views (page contexts), templates, feeds, search index, the evidence matrix and the plan of every file."""
