"""A parameter that goes from optional to required, or moves between query and path, in each
source: the suite's requests would lack it, so it is an error (the spec's cases are in the
golden corpus, specs/parameter-became-required-project-id and parameter-moved-query-to-path)."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run
from .sdk_layout import build_wheel, layout

PAGES = Path(__file__).parent / "pages"
WHERE = "GET /api/v1/beta/batch-processing/{job_id}"
SDK_WHERE = f"{WHERE} (client.beta.batch.get_status)"
RESOURCE = "llama_cloud/resources/beta/batch/batch.py"
OPTIONAL = "        project_id: Optional[str] | Omit = omit,\n"


def _sdk(run_watch: Run, tmp_path: Path, resource: str) -> tuple[int, str, str]:
    files = layout("2.13.0")
    assert OPTIONAL in files[RESOURCE]
    files[RESOURCE] = resource
    return run_watch("--sdk", str(build_wheel(tmp_path, "2.13.1", files)))


def test_sdk_argument_that_loses_its_default_is_an_error(run_watch: Run, tmp_path: Path) -> None:
    """`project_id: str` without a default in `get_status`: one error, exit 1."""
    resource = layout("2.13.0")[RESOURCE].replace(OPTIONAL, "        project_id: str,\n")
    code, out, err = _sdk(run_watch, tmp_path, resource)
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == (
        f"error: request-parameter-became-required [sdk] {SDK_WHERE}: the optional query "
        'parameter project_id becomes required (old: "optional", new: "required")'
    )
    assert out.splitlines()[1].startswith("watch: 1 error(s), 0 warning(s), 0 info (sdk ")


def test_sdk_argument_that_moves_to_the_path_is_gone_and_added(
    run_watch: Run, tmp_path: Path
) -> None:
    """`project_id` moved before the `*` (a positional argument is a path parameter): the query
    parameter is gone (warning) and a required path parameter is added (error)."""
    text = layout("2.13.0")[RESOURCE]
    resource = text.replace(OPTIONAL, "").replace(
        "        job_id: str,\n        *,\n",
        "        job_id: str,\n        project_id: str,\n        *,\n",
    )
    assert resource.count("project_id: str,") == 1
    code, out, err = _sdk(run_watch, tmp_path, resource)
    assert (code, err) == (1, "")
    assert out.splitlines()[:2] == [
        f"error: request-parameter-added [sdk] {SDK_WHERE}: a required path parameter "
        'project_id is added (old: -, new: "project_id")',
        f"warning: request-parameter-removed [sdk] {SDK_WHERE}: the query parameter project_id "
        'is gone (old: "project_id", new: -)',
    ]


def test_docs_parameter_made_required_is_an_error(run_watch: Run) -> None:
    """The page's `--project-id: optional string` becomes `--project-id: string`: one error."""
    page = PAGES / "project-id-required.md"
    code, out, err = run_watch("--docs", str(page))
    assert (code, err) == (1, "")
    assert out == (
        f"error: request-parameter-became-required [docs] {WHERE}: the optional query parameter "
        'project_id becomes required (old: "optional", new: "required")\n'
        f"watch: 1 error(s), 0 warning(s), 0 info (docs {page})\n"
    )
