"""Work a build needs later, done meanwhile in a forked child where the system forks (worker_pool.start_method).

A body-only edit (build/body_edit.py) must check that the output folder is intact, which means reading the record
of 40,000 output files and a stat of each (~0.2 s at 10,000 studies), and must load the site's state (~0.35 s);
the two do not depend on each other, and the second holds the interpreter lock throughout. Forked, the first
runs on the other core. Likewise a full build saves the site's state (a 20 MB pickle, ~0.5 s) while it saves its
other caches (cache/store.py). Where the build cannot fork (Windows, macOS, EVIDENCESITE_START_METHOD=spawn), or the
child fails, the work is done in this process when it is asked for: the result is the same either way.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from evidencesite.worker_pool import start_method

Result = TypeVar("Result")


class Pending(Generic[Result]):
    """A result being computed by a forked child, or to be computed here when asked for."""

    def __init__(self, work: Callable[[], Result]) -> None:
        self.work = work
        self.child = 0
        self.pipe = -1
        if start_method() == "fork":
            self._fork()

    def _fork(self) -> None:
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # the child: compute, send the result pickled, and leave without running any cleanup
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(pickle.dumps(self.work(), protocol=pickle.HIGHEST_PROTOCOL))
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.child, self.pipe = child, read_end

    def result(self) -> Result:
        """Return the result: the child's when it delivered one, else computed here."""
        if self.child:
            descriptor, self.pipe = self.pipe, -1  # the file object owns it from here (closed even if interrupted)
            with os.fdopen(descriptor, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self.child, 0)
            self.child = 0
            if status == 0 and data:
                try:
                    return pickle.loads(data)  # type: ignore[no-any-return]
                except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
                    pass  # a child killed mid-write: do the work here
        return self.work()

    def cancel(self) -> None:
        """Stop waiting for the child (a build that no longer needs the result): reap it, discard its result."""
        if self.pipe >= 0:
            os.close(self.pipe)  # the child's write then fails and it exits
            self.pipe = -1
        if self.child:
            child, self.child = self.child, 0
            os.waitpid(child, 0)


@contextmanager
def in_background(work: Callable[[], Result]) -> Iterator[Pending[Result]]:
    """Start `work`; on leaving the block, a child whose result was not asked for is reaped."""
    pending = Pending(work)
    try:
        yield pending
    finally:
        pending.cancel()
