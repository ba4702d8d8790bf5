"""The jobs of one server instance and how far each moving job has advanced."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from batch_contract.server.jobs import Job


class JobBook:
    """Seeded jobs plus the poll state of the moving ones (per server instance, thread-safe)."""

    def __init__(
        self,
        jobs: Mapping[str, Job],
        step_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jobs = dict(jobs)
        self.step_seconds = step_seconds
        self._clock = clock
        self._polls: dict[str, int] = {}
        self._first_poll: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        return self.jobs.get(job_id)

    def step(self, job: Job, *, advance: bool = True) -> int:
        """The step this poll sees; may run past the last step (by one at most), which callers
        clamp.

        Without `step_seconds` each advancing poll (a GET) moves one step; with it, the step is
        the time since the job's first GET divided by `step_seconds`. HEAD does not advance.
        """
        if not job.moving:
            return 0
        with self._lock:
            if self.step_seconds is None:
                seen = self._polls.get(job.id, 0)
                if advance:
                    self._polls[job.id] = seen + 1
                return seen
            now = self._clock()
            if advance:
                self._first_poll.setdefault(job.id, now)
            first = self._first_poll.get(job.id, now)
            steps = (now - first) / self.step_seconds  # inf for a tiny step, such as 5e-324
            return int(steps) if steps < len(job.steps) else len(job.steps)
