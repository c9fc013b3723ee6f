"""The preview server: file watching, rebuilds and the fast path for a one-page edit."""
