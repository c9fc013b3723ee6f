"""Citation styles: CSL style files (through citeproc-py) and the built-in formats, turning works into formatted references and in-text labels."""
