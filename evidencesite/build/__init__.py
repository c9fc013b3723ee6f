"""The build: read -> validate -> catalog -> render -> plan -> write, and writing planned pages across processes."""
