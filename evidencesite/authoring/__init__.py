"""Commands that write new author files: `new` (scaffold a note) and `init` (a new site). They never overwrite."""
