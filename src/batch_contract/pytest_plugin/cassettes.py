"""The cassette side of a contract-suite run: replay (the default, offline), record (a target and
`--record-mode`), or neither (a target alone). Knows where each test's cassette lives, stages
recordings and moves each into place only when its test passed."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any, Literal
from urllib.parse import unquote

from batch_contract.errors import UsageError
from batch_contract.pytest_plugin.client import retried_status
from batch_contract.pytest_plugin.recording import (
    REFERENCE_BASE_URL,
    CassetteRefused,
    Scrubber,
    Secrets,
    StagingPersister,
    commit,
)
from batch_contract.pytest_plugin.targets import (
    JOBS_FILE,
    Kind,
    Target,
    path_segment,
    read_jobs,
    write_jobs,
)

Mode = Literal["replay", "record", "off"]
NONE_RECORDED = "none-recorded"
"""The job id a replayed test is given when its folder has no cassette: the test then fails."""
NONE_ASKED = "none-asked"
"""The job id a replayed test is given when none of the jobs `--job-id` chose has a cassette of
its kind (a job recorded for its status alone has no life-cycle): the test is then deselected,
and the summary says why."""
RECORDING_MODES = frozenset({"once", "new_episodes", "all", "rewrite"})
LOOPBACK = [r"^127\.0\.0\.1$", r"^::1$"]
"""Hosts a default run still lets tests reach (servers the tests start themselves)."""
RECORD_HINT = "pytest contract_tests --reference --record-mode=rewrite"
"""The command that records the cassettes, quoted alone so it can be copied."""
STAGING_HINT = " (or `--live` instead of `--reference`, against your staging)"


@dataclass
class CassetteRun:
    """Where cassettes are read and written in one run, and what happened to each."""

    mode: Mode
    cassette_dir: Path
    record_mode: str | None = None
    stage_dir: Path | None = None
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    refused: dict[Path, CassetteRefused] = field(default_factory=dict)
    """Cassettes the staging persister refused to write (see `StagingPersister.refused`)."""

    @property
    def directory(self) -> Path:
        """The folder pytest-recording reads and writes (the staging folder when recording)."""
        return self.stage_dir if self.stage_dir is not None else self.cassette_dir

    def path(self, name: str) -> Path:
        """The cassette file of a scenario name such as `status/bjb-...`."""
        return self.cassette_dir / f"{name}.yaml"

    def persister(self, secrets: Secrets) -> StagingPersister | None:
        """The staging persister when recording, else None (pytest-recording's own)."""
        if self.stage_dir is None:
            return None
        return StagingPersister(
            self.stage_dir, self.cassette_dir, self.record_mode == "rewrite", secrets, self.refused
        )

    def finish(self, name: str, passed: bool) -> None:
        """After a recorded test: move its cassette into place if it passed, else drop it;
        `CassetteRefused` when the persister refused to write it (the old cassette stays)."""
        if self.stage_dir is None:
            return
        staged = self.stage_dir / f"{name}.yaml"
        refusal = self.refused.pop(self.path(name), None)
        if refusal is not None:
            staged.unlink(missing_ok=True)
            self.kept.append(name)
            raise refusal
        if passed:
            if commit(staged, self.path(name)):
                self.written.append(name)
        else:
            staged.unlink(missing_ok=True)
            self.kept.append(name)

    def close(self) -> None:
        """Lists the jobs recorded in the folder's jobs.txt; removes the staging folder."""
        if self.written:
            write_jobs(self.cassette_dir, self.written)
        if self.stage_dir is not None:
            shutil.rmtree(self.stage_dir, ignore_errors=True)

    def summary(self) -> list[str]:
        """Lines for the end of the run: what was recorded and what was kept."""
        if self.mode != "record":
            return []
        lines = [f"recorded {len(self.written)} cassette(s) into {self.cassette_dir}"]
        if self.kept:
            lines.append(
                f"kept {len(self.kept)} cassette(s) unchanged because their test failed: "
                + ", ".join(sorted(self.kept))
            )
        return lines


def cassette_run(kind: Kind, record_mode: str | None, cassette_dir: Path) -> CassetteRun:
    """The cassette mode for a target and `--record-mode`. Without a target it is replay, even
    with a recording `--record-mode` (which may be meant for a project's own vcr tests):
    `check_replay_mode` refuses that once contract tests are collected."""
    recording = record_mode in RECORDING_MODES
    if kind == "replay":
        return CassetteRun("replay", cassette_dir, record_mode)
    if not recording:
        return CassetteRun("off", cassette_dir, record_mode)
    stage = Path(tempfile.mkdtemp(prefix="batch-contract-recording-"))
    return CassetteRun("record", cassette_dir, record_mode, stage)


def check_replay_mode(run: CassetteRun) -> None:
    """Recording the contract tests without a target is a usage error: nothing to record from."""
    if run.mode == "replay" and run.record_mode in RECORDING_MODES:
        raise UsageError(
            f"--record-mode={run.record_mode} records from a server: add --reference or --live"
        )


def check_jobs_file(cassette_dir: Path, templates: Iterable[str] = ()) -> None:
    """A replayed folder of cassettes must have its jobs.txt: the jobs it lists are run whether
    or not their cassettes are there, so a deleted cassette fails its tests instead of dropping
    them. Without it, replay would only run the cassettes it finds. Every cassette must be one a
    test plays: one of a listed job, by the name the suite records it under (the contract tests'
    `contract_cassette` `templates`); any other would never be read, and a job's cassettes left
    behind when its line went would drop unseen."""
    if not (cassette_dir / JOBS_FILE).is_file():
        raise UsageError(
            f"batch-contract: {cassette_dir} holds cassettes but no {JOBS_FILE}: without it a "
            f"deleted cassette's tests would be dropped unseen; re-record with `{RECORD_HINT}`"
            f"{STAGING_HINT}, which writes it, or write one `status <job id>` or "
            f"`lifecycle <job id>` line per recorded job into {cassette_dir / JOBS_FILE}"
        )
    listed = read_jobs(cassette_dir)
    for kind in ("status", "lifecycle"):
        for path in sorted((cassette_dir / kind).glob("*.yaml")):
            segment = path_segment(unquote(path.stem))
            if unquote(path.stem) not in listed.get(kind, ()) and segment == path.stem:
                raise UsageError(
                    f"batch-contract: {path} is not listed in {cassette_dir / JOBS_FILE}: a job "
                    "it does not list would be dropped unseen once its cassette is deleted; add "
                    f"the line `{kind} {segment}` (recording adds it), or delete the cassette"
                )
    for path in _never_played(cassette_dir, listed, templates):
        raise UsageError(
            f"batch-contract: {path}: no test plays this cassette (it is no cassette of a job "
            f"{JOBS_FILE} lists, under the name the suite records it by), so it would never be "
            f"checked; delete it, or list its job in {cassette_dir / JOBS_FILE}"
        )


def _never_played(
    cassette_dir: Path, listed: Mapping[str, tuple[str, ...]], templates: Iterable[str]
) -> list[Path]:
    """The cassettes under the folders the `templates` write to that no template names for a
    listed job (a folder no collected test writes to is not looked at)."""
    expected: set[str] = set()
    folders: set[str] = set()
    for template in templates:
        folders.add(template.split("/", 1)[0])
        fields = [name for _, name, _, _ in Formatter().parse(template) if name]
        if not fields:
            expected.add(template + ".yaml")
        elif len(fields) == 1 and fields[0].endswith("_job_id"):
            kind = fields[0].removesuffix("_job_id")
            for job in listed.get(kind, ()):
                expected.add(template.format(**{fields[0]: path_segment(job)}) + ".yaml")
        else:
            folders.discard(template.split("/", 1)[0])  # not a name this check can tell
    found = (path for folder in sorted(folders) for path in (cassette_dir / folder).glob("*.yaml"))
    return sorted(p for p in found if p.relative_to(cassette_dir).as_posix() not in expected)


def cassette_name(item: Any) -> str | None:
    """The scenario name of a contract test, from its `contract_cassette` marker and parameters.
    Each text parameter (a job id) is one path segment, percent-encoded (`path_segment`), so the
    cassette stays inside its folder whatever the id holds (`../../x` is `%2E%2E%2F%2E%2E%2Fx`)."""
    marker = item.get_closest_marker("contract_cassette")
    if marker is None or not marker.args:
        return None
    params = getattr(getattr(item, "callspec", None), "params", {})
    safe = {k: path_segment(v) if isinstance(v, str) else v for k, v in params.items()}
    return str(marker.args[0]).format(**safe)


def scrubber_for(target: Target) -> Scrubber:
    """The scrubber of a target's recordings: its key and ids, and a stable base URL."""
    secrets = Secrets(target.api_key, target.organization_id, target.project_id)
    stored = REFERENCE_BASE_URL if target.kind == "reference" else target.base_url
    return Scrubber(secrets, target.base_url, stored)


def missing_message(path: Path) -> str:
    """Why a replayed test failed when its cassette does not exist, and how to record it."""
    return (
        f"batch-contract: cassette {path} is missing: record it with `{RECORD_HINT}`{STAGING_HINT}"
    )


def missing_folder_message(folder: Path) -> str:
    """Why replay cannot run: no cassettes of a kind were recorded, and how to record them."""
    return (
        f"batch-contract: no cassettes under {folder}: record them with `{RECORD_HINT}`"
        f"{STAGING_HINT}"
    )


def unmatched_message(name: str, error: BaseException | None) -> str:
    """Why a replayed request found no answer in its cassette, and how to re-record it. When the
    cassette's answers to it (same method and path) were all played already, it says so, and
    that they were only failed answers when every one is a status the client retries."""
    request = getattr(error, "failed_request", None)
    what = f"{request.method} {request.path}" if request is not None else "a request"
    hint = f"re-record it with `{RECORD_HINT}`{STAGING_HINT}"
    codes = _played_answers(error)
    if codes:
        failed = all(retried_status(code) for code in codes)
        return (
            f"batch-contract: {what} was asked again, but cassette {name}.yaml holds no more "
            f"answers to it: its {len(codes)} answer(s) (HTTP {', '.join(map(str, codes))}) "
            "were all played"
            + (", only failed answers the client retries" if failed else "")
            + f"; {hint}"
        )
    return (
        f"batch-contract: {what} is not in cassette {name}.yaml (the test asked for more than "
        f"was recorded): {hint}"
    )


def unplayed_message(name: str, cassette: Any) -> str | None:
    """Why a replayed test that passed fails all the same: its cassette (the vcrpy `Cassette`
    pytest-recording's `vcr` fixture gives, or None) holds answers the test never asked for,
    which replay therefore never checked; None when every answer was played. Each answer is
    played once at most (`allow_playback_repeats` is off), so a retried 503 and the 200 after
    it are both played."""
    if cassette is None:
        return None
    total = len(cassette)
    unplayed = total - sum(1 for count in cassette.play_counts.values() if count)
    if unplayed <= 0:
        return None
    return (
        f"batch-contract: cassette {name}.yaml holds {unplayed} of its {total} answer(s) that "
        f"the test never asked for, so they were never checked; re-record it with "
        f"`{RECORD_HINT}`{STAGING_HINT}"
    )


def _played_answers(error: BaseException | None) -> list[int]:
    """The status codes of a cassette's answers to the request that found none (same method and
    path), when there are some and each was played already; else nothing."""
    cassette = getattr(error, "cassette", None)
    request = getattr(error, "failed_request", None)
    if cassette is None or request is None:
        return []
    found = [
        (index, answer)
        for index, (stored, answer) in enumerate(getattr(cassette, "data", ()))
        if (stored.method, stored.path) == (request.method, request.path)
    ]
    if not found or any(cassette.play_counts[index] == 0 for index, _ in found):
        return []
    status = [answer.get("status", {}) if isinstance(answer, dict) else {} for _, answer in found]
    return [int(code) for each in status if isinstance(code := each.get("code"), int)]


def only_failed_message(name: str, error: BaseException) -> str:
    """Why a replayed request failed when every attempt got an answer the client retries."""
    return (
        f"batch-contract: cassette {name}.yaml answered {error}: only failed answers; "
        f"re-record it with `{RECORD_HINT}`{STAGING_HINT}"
    )


def blocked_message(host: str) -> str:
    """Why a test of an offline run failed when it tried to open a connection."""
    return (
        f"batch-contract: this run is offline (replay): the test tried to connect to {host!r}; "
        f"run against a server with --reference or --live"
    )
