"""Everything that remembers an earlier build: the generator fingerprint, rendered bodies, parsed documents, input stamps and in-memory memos."""
