"""Where the contract suite points: a live deployment (`--live`), the in-process reference server
(`--reference`) or the recorded cassettes (no option). Each target resolves to the base URL, the
key and the job ids the tests are parametrized with; a live target missing any of them is a usage
error at start, never a skip."""

from __future__ import annotations

import contextlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

from batch_contract.errors import UsageError
from batch_contract.secret import Secret

Kind = Literal["live", "reference", "replay"]
PRODUCTION_BASE_URL = "https://api.cloud.llamaindex.ai"
"""Named in the line that asks for a base URL: a live run never falls back to production."""
KEY_ENV = "LLAMA_CLOUD_API_KEY"
BASE_URL_ENV = "LLAMA_CLOUD_BASE_URL"
JOB_IDS_ENV = "BATCH_CONTRACT_JOB_IDS"
UNKNOWN_JOB_ID = "bjb-ffffffff-ffff-4fff-bfff-ffffffffffff"
"""A well-formed job id that no deployment holds: the not-found test asks for it."""
REPLAY_BASE_URL = "http://replay.invalid"
"""Where replayed requests pretend to go: cassettes are matched on method and path only."""
DEFAULT_POLL_INTERVAL: dict[Kind, float] = {"live": 2.0, "reference": 0.05, "replay": 0.0}


@dataclass(frozen=True)
class Target:
    """One resolved target: where to send requests, with which key, about which jobs."""

    kind: Kind
    base_url: str
    api_key: Secret | None
    status_job_ids: tuple[str, ...]
    lifecycle_job_ids: tuple[str, ...]
    organization_id: str | None = None
    project_id: str | None = None


@dataclass(frozen=True)
class Options:
    """The command-line choices that decide the target (read once from pytest's config)."""

    live: bool
    reference: bool
    base_url: str | None
    job_ids: tuple[str, ...]
    organization_id: str | None
    project_id: str | None
    profile: str
    cassette_dir: Path
    allow_insecure_http: bool = False

    @property
    def kind(self) -> Kind:
        """The target these options select."""
        if self.live and self.reference:
            raise UsageError("choose one target: --live or --reference, not both")
        return "live" if self.live else "reference" if self.reference else "replay"


MAX_SEGMENT = 200
"""The longest job id, percent-encoded, that a request path and a cassette file name take."""


def path_segment(job_id: str) -> str:
    """`job_id` percent-encoded as one path segment: of a request path, and of a cassette's file
    name (every byte but the unreserved ones encoded, and a dot too in `.` or `..`), so no id
    can add a segment, climb out of a folder or name another file."""
    segment = quote(job_id, safe="")
    return segment.replace(".", "%2E") if segment.strip(".") == "" else segment


def _split_ids(values: tuple[str, ...]) -> tuple[str, ...]:
    ids = [part.strip() for value in values for part in value.split(",")]
    for job_id in ids:
        if len(path_segment(job_id)) > MAX_SEGMENT:
            raise UsageError(
                f"--job-id {job_id[:40]!r}...: too long for a path segment and a file name "
                f"(at most {MAX_SEGMENT} characters percent-encoded)"
            )
    return tuple(dict.fromkeys(part for part in ids if part))


def live_target(options: Options, environ: dict[str, str] | None = None) -> Target:
    """The live target, or a one-line `UsageError` naming what to set."""
    env = dict(os.environ if environ is None else environ)
    key = Secret.from_env(KEY_ENV, env)
    if key is None:
        raise UsageError(f"--live needs an API key: set {KEY_ENV} (never pass it as an option)")
    base_url = (options.base_url or "").strip() or env.get(BASE_URL_ENV, "").strip()
    if not base_url:
        raise UsageError(
            f"--live needs a base URL: set {BASE_URL_ENV} or pass --base-url (production is "
            f"{PRODUCTION_BASE_URL}, never assumed)"
        )
    if not base_url.startswith(("http://", "https://")):
        raise UsageError(
            f"--live needs an http(s) base URL: --base-url or {BASE_URL_ENV}, got {base_url!r}"
        )
    if not options.allow_insecure_http and not secure_enough(base_url):
        raise UsageError(
            f"--live would send the key in clear text to {base_url}: use https://, or pass "
            "--allow-insecure-http if that network is trusted"
        )
    ids = _split_ids(options.job_ids) or _split_ids((env.get(JOB_IDS_ENV, ""),))
    if not ids:
        raise UsageError(
            f"--live needs at least one job id: --job-id ID (repeatable) or {JOB_IDS_ENV}=id1,id2"
        )
    return Target(
        "live", base_url.rstrip("/"), key, ids, ids, options.organization_id, options.project_id
    )


def is_contract_test(item: Any) -> bool:
    """Whether a collected test is one of the suite's contract tests: it uses the target."""
    return "contract_target" in getattr(item, "fixturenames", ())


def secure_enough(base_url: str) -> bool:
    """Whether a key may go to this base URL: https, or plain http to a loopback host."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


JOBS_FILE = "jobs.txt"
"""The jobs a cassette folder was recorded with, one `<status|lifecycle> <job id>` a line (the id
percent-encoded as its cassette's file name is): replay runs the tests of every one of them, so a
deleted cassette fails its tests instead of dropping them."""
_JOBS_HEADER = (
    "# The jobs these cassettes were recorded with: replay runs the tests of each one, and a job\n"
    "# whose cassette is missing fails. Recording runs add to it; one `<kind> <job id>` a line.\n"
)


def replay_job_ids(cassette_dir: Path, folder: str) -> tuple[str, ...]:
    """The job ids of one kind (`status`, `lifecycle`) recorded in `cassette_dir`: those listed
    in its jobs.txt and those with a cassette under `cassette_dir/folder/`."""
    listed = read_jobs(cassette_dir).get(folder, ())
    found = (unquote(path.stem) for path in (cassette_dir / folder).glob("*.yaml"))
    return tuple(sorted({*listed, *found}))


def read_jobs(cassette_dir: Path) -> dict[str, tuple[str, ...]]:
    """The job ids of each kind that jobs.txt lists (nothing when there is no such file)."""
    try:
        text = (cassette_dir / JOBS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {cassette_dir / JOBS_FILE}: {error}") from None
    jobs: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2 or words[0] not in ("status", "lifecycle"):
            raise UsageError(
                f"{cassette_dir / JOBS_FILE}:{number}: expected `status <job id>` or "
                f"`lifecycle <job id>`, got {line.strip()!r}"
            )
        jobs.setdefault(words[0], []).append(unquote(words[1]))
    return {kind: tuple(ids) for kind, ids in jobs.items()}


def write_jobs(cassette_dir: Path, names: list[str]) -> None:
    """Adds the jobs of the cassettes just recorded (`status/<id>`, `lifecycle/<id>`) to the
    folder's jobs.txt."""
    known = read_jobs(cassette_dir)
    recorded = [
        (kind, unquote(segment))  # the cassette names hold the ids percent-encoded
        for kind, segment in (name.split("/", 1) for name in names if name.count("/") == 1)
    ]
    status = sorted({*known.get("status", ()), *(j for k, j in recorded if k == "status")})
    lifecycle = sorted({*known.get("lifecycle", ()), *(j for k, j in recorded if k == "lifecycle")})
    lines = [f"status {path_segment(job)}" for job in status]
    lines += [f"lifecycle {path_segment(job)}" for job in lifecycle]
    cassette_dir.mkdir(parents=True, exist_ok=True)
    (cassette_dir / JOBS_FILE).write_text(_JOBS_HEADER + "\n".join(lines) + "\n", "utf-8")


def replay_target(options: Options) -> Target | None:
    """The replay target from the cassette folder, or None when nothing has been recorded.
    `--job-id` selects recorded jobs; one that was never recorded is a usage error."""
    status = replay_job_ids(options.cassette_dir, "status")
    lifecycle = replay_job_ids(options.cassette_dir, "lifecycle")
    if not status and not lifecycle:
        return None
    wanted = _split_ids(options.job_ids)
    if wanted:
        unknown = [job for job in wanted if job not in status and job not in lifecycle]
        if unknown:
            raise UsageError(
                f"--job-id {unknown[0]}: no cassette of that job under {options.cassette_dir} "
                "(replay checks recorded jobs only; record it with --reference or --live and "
                "--record-mode=rewrite)"
            )
        status = tuple(job for job in status if job in wanted)
        lifecycle = tuple(job for job in lifecycle if job in wanted)
    return Target("replay", REPLAY_BASE_URL, None, status, lifecycle)


class ReferenceServer:
    """The in-process reference server, started on first use and stopped at the end."""

    def __init__(self, profile: str, breaks: tuple[str, ...] = ()) -> None:
        from batch_contract.server.breaks import check_breaks

        self._stack = contextlib.ExitStack()
        self._target: Target | None = None
        self._profile = profile
        self._breaks = check_breaks(breaks)

    def target(self) -> Target:
        """The reference target (starts the server the first time)."""
        if self._target is None:
            from batch_contract.server import running_server

            key = Secret.from_env(KEY_ENV)
            server: Any = self._stack.enter_context(
                running_server(api_key=key, breaks=self._breaks)
            )
            moving = tuple(server.moving_job_ids)
            static = tuple(job for job in server.job_ids if job not in moving)
            if self._profile == "strict":
                static = tuple(job for job in static if _strict_clean(job))
                moving = tuple(job for job in moving if _strict_clean(job))
            self._target = Target("reference", server.base_url, server.api_key, static, moving)
        return self._target

    def close(self) -> None:
        """Stops the server if it was started."""
        self._stack.close()


def _strict_clean(job_id: str) -> bool:
    """Whether the reference server promises that every body of this job is strict-valid."""
    from batch_contract.server.jobs import build_jobs

    job = build_jobs().get(job_id)
    return job is None or job.strict_clean
