"""The state of one entry being rendered by the patched citeproc-py elements (patches.py).

Variables a <substitute> printed, and citeproc-js's group context (term printed, variable called, variable
printed) for each open <group> and macro. `STATE` is a ContextVar that patches.PatchedLayout sets for
the rendering of one entry or cite and resets after it; nothing outside one render can see it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Frame:
    """citeproc-js's group context: a term printed, a variable called, a variable printed."""

    term: bool = False
    attempt: bool = False
    success: bool = False


@dataclass
class RenderState:
    suppressed: set[str] = field(default_factory=set)  # printed by a <substitute>: empty for the rest
    frames: list[Frame] = field(default_factory=lambda: [Frame()])  # the open groups and macros, innermost last
    recording: list[set[str]] = field(default_factory=list)  # variables printed inside open <substitute> children

    def attempted(self) -> None:
        self.frames[-1].attempt = True

    def printed(self, variables: list[str]) -> None:
        self.frames[-1].attempt = self.frames[-1].success = True
        for record in self.recording:
            record.update(variables)

    def printed_term(self) -> None:
        self.frames[-1].term = True

    def open(self) -> None:
        self.frames.append(Frame())

    def close(self) -> bool:
        """Close a group or macro; return whether it prints, and tell its parent as citeproc-js does."""
        frame = self.frames.pop()
        prints = frame.success or (frame.term and not frame.attempt)
        if prints:
            self.frames[-1].success = True
        else:
            self.frames[-1].attempt = frame.attempt
        return prints


STATE: ContextVar[RenderState | None] = ContextVar("csl_render_state", default=None)
