"""The key masked at the boundary of a contract-suite run: every report pytest hands to the terminal
and to the JUnit XML passes through `Secret.mask` first, whatever wrote it (a violation message,
schemathesis's failure text and the bodies it quotes, a retry warning, a captured log).

- Test and collection reports (`pytest_runtest_logreport`, `pytest_collectreport`, run first,
  and `pytest_exception_interact`, run last, where schemathesis rewrites its failure text):
  the failure text as the chosen `--tb` mode, `-l`, `-vv` or `--full-trace` rendered it, the crash
  line (`--tb=line`, the short summary, JUnit's `message`), skip reasons, captured stdout, stderr
  and logs (terminal sections and JUnit's `system-out`/`system-err`), and `user_properties`
  (JUnit's `<property>`). A failure text that holds the key is replaced by its masked rendering.
- Warnings (`pytest_warning_recorded`, run first): the warnings summary.
- Live logs (`--log-cli-level`) and `--log-file`: a filter on pytest's own handlers.
- `--debug`'s file: pytest traces every hook call there with its arguments (a test's exception
  before any report is made of it), through its trace root's writer, which is wrapped.

The keys are the one in `LLAMA_CLOUD_API_KEY` and the target's (the reference server's own)."""

from __future__ import annotations

import copy
import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any, cast

import pytest

from batch_contract.secret import Secret, mask_all

Keys = Callable[[], tuple[Secret | None, ...]]


class MaskedRepr:
    """A failure text with the key masked, shown as pytest shows one (`E` lines in red)."""

    def __init__(self, text: str, reprcrash: Any) -> None:
        self.text = text
        self.reprcrash = reprcrash
        """The crash line (`path:line: message`), masked, for `--tb=line`, the short summary and
        JUnit's `message` attribute."""

    def toterminal(self, tw: Any) -> None:
        """Writes the masked text, line by line."""
        for line in self.text.splitlines():
            error = line.startswith("E ")
            tw.line(line, red=error, bold=error)

    def __str__(self) -> str:
        return self.text


class ReportMasking:
    """The pytest plugin that masks every report of a run (see the module's docstring)."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    def mask(self, text: str) -> str:
        """`text` with every form of every key of the run masked."""
        return mask_all(text, tuple(set(key for key in self.keys() if key)))

    def mask_report(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        """Masks a report in place, before any reporter reads it."""
        longrepr = report.longrepr
        if isinstance(longrepr, str):
            report.longrepr = self.mask(longrepr)
        elif isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: path, line, reason
            report.longrepr = (longrepr[0], longrepr[1], self.mask(str(longrepr[2])))
        elif longrepr is not None:
            text = report.longreprtext
            masked = self.mask(text)
            if masked != text:
                crash = self._crash(getattr(longrepr, "reprcrash", None))
                report.longrepr = cast(Any, MaskedRepr(masked, crash))  # duck-typed as pytest's
        report.sections = [(title, self.mask(content)) for title, content in report.sections]
        if isinstance(report, pytest.TestReport):
            report.user_properties = [
                (name, self._value(value)) for name, value in report.user_properties
            ]

    def _crash(self, crash: Any) -> Any:
        if crash is None:
            return None
        crash = copy.copy(crash)
        crash.message = self.mask(str(crash.message))
        return crash

    def _value(self, value: object) -> object:
        text = str(value)
        masked = self.mask(text)
        return value if masked == text else masked

    def filter_logs(self, config: pytest.Config) -> None:
        """Adds the masking filter to pytest's live-log and log-file handlers, once."""
        logging_plugin = config.pluginmanager.get_plugin("logging-plugin")
        for name in ("log_cli_handler", "log_file_handler"):
            handler = getattr(logging_plugin, name, None)
            if isinstance(handler, logging.Handler) and not any(
                isinstance(each, _LogMask) for each in handler.filters
            ):
                handler.addFilter(_LogMask(self))

    def mask_debug_file(self, config: pytest.Config) -> None:
        """Wraps the writer `--debug` set on pytest's trace root (pluggy's `TagTracer`, which
        has `setwriter` but no getter: `_writer`), once; nothing without `--debug`."""
        root = config.trace.root
        writer = getattr(root, "_writer", None)
        if writer is not None and not isinstance(writer, _MaskedWriter):
            root.setwriter(_MaskedWriter(writer, self))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Filters pytest's log handlers, registered by now."""
        self.filter_logs(session.config)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Masks a test's report before the terminal and the JUnit XML see it."""
        self.mask_report(report)

    @pytest.hookimpl(trylast=True)
    def pytest_exception_interact(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        """Masks a report again after others rewrote it when the failure was shown
        (schemathesis replaces its failure text there)."""
        self.mask_report(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Masks a collection report (an error while collecting) before it is shown."""
        self.mask_report(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage) -> None:
        """Masks a warning before the warnings summary records it."""
        text = str(warning_message.message)
        masked = self.mask(text)
        if masked != text:
            shown = copy.copy(warning_message.message)
            if isinstance(shown, BaseException):
                shown.args = (masked,)
                warning_message.message = shown
            else:
                warning_message.message = masked


class _LogMask(logging.Filter):
    """Masks a record before pytest's live-log or log-file handler formats it."""

    def __init__(self, masking: ReportMasking) -> None:
        super().__init__()
        self.masking = masking

    def filter(self, record: logging.LogRecord) -> bool:
        """Replaces the record's message (and formatted exception) by their masked text."""
        record.msg = self.masking.mask(record.getMessage())
        record.args = None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.masking.mask(text)
            record.exc_info = None
        return True


class _MaskedWriter:
    """Writes each message of pytest's trace (a hook call and its arguments) masked. A message
    traced while one is masked (the import of a module is traced) waits for it, then is masked
    in turn."""

    def __init__(self, write: Callable[[str], object], masking: ReportMasking) -> None:
        self.write = write
        self.masking = masking
        self.local = threading.local()

    def __call__(self, text: str) -> None:
        pending: list[str] | None = getattr(self.local, "pending", None)
        if pending is not None:
            pending.append(text)
            return
        self.local.pending = pending = [text]
        try:
            while pending:
                self.write(self.masking.mask(pending.pop(0)))
        finally:
            self.local.pending = None


def install(config: pytest.Config, keys: Keys) -> ReportMasking:
    """Registers the masking plugin for this run, and its filter on pytest's log handlers (now,
    or at the start of the session when pytest's logging plugin is not registered yet)."""
    masking = ReportMasking(keys)
    config.pluginmanager.register(masking, "batch-contract-masking")
    masking.filter_logs(config)
    masking.mask_debug_file(config)
    return masking
