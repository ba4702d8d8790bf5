"""The file layout of the official SDK's wheels, `llama-cloud` 2.13.0 and 2.14.0, cut down to
what the watch reads: the resource modules (a `...Resource` class whose methods call
`self._get(path_template(...), cast_to=Model)`), the response models they name, and the
dist-info. The fixture wheels of the tests are zipped from these (never committed as wheels)."""

from __future__ import annotations

import zipfile
from pathlib import Path

HEADER = "# File generated from our OpenAPI spec by Stainless. See CONTRIBUTING.md for details.\n"

BATCH_RESOURCE = (
    HEADER
    + """
from __future__ import annotations

from typing import Optional

import httpx

from ...._types import Body, Omit, Query, Headers, NotGiven, omit, not_given
from ...._utils import path_template, maybe_transform
from ...._resource import SyncAPIResource, AsyncAPIResource
from ...._base_client import make_request_options
from ....types.beta import batch_get_status_params
from ....types.beta.batch_cancel_response import BatchCancelResponse
from ....types.beta.batch_get_status_response import BatchGetStatusResponse

__all__ = ["BatchResource", "AsyncBatchResource"]


class BatchResource(SyncAPIResource):
    def cancel(self, job_id: str, *, reason: Optional[str] | Omit = omit) -> BatchCancelResponse:
        return self._post(
            path_template("/api/v1/beta/batch-processing/{job_id}/cancel", job_id=job_id),
            cast_to=BatchCancelResponse,
        )

    def get_status(
        self,
        job_id: str,
        *,
        organization_id: Optional[str] | Omit = omit,
        project_id: Optional[str] | Omit = omit,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | httpx.Timeout | None | NotGiven = not_given,
    ) -> BatchGetStatusResponse:
        \"\"\"Get detailed status of a batch processing job.\"\"\"
        return self._get(
            path_template("/api/v1/beta/batch-processing/{job_id}", job_id=job_id),
            options=make_request_options(
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
                query=maybe_transform(
                    {"organization_id": organization_id, "project_id": project_id},
                    batch_get_status_params.BatchGetStatusParams,
                ),
            ),
            cast_to=BatchGetStatusResponse,
        )


class AsyncBatchResource(AsyncAPIResource):
    async def get_status(self, job_id: str) -> BatchGetStatusResponse:
        return await self._get(
            path_template("/api/v1/beta/batch-processing/{job_id}", job_id=job_id),
            cast_to=BatchGetStatusResponse,
        )
"""
)

STATUS_MODEL = (
    HEADER
    + """
from typing import Optional
from datetime import datetime
from typing_extensions import Literal

from ..._models import BaseModel

__all__ = ["BatchGetStatusResponse", "Job"]


class Job(BaseModel):
    \"\"\"Response schema for a batch processing job.\"\"\"

    id: str
    job_type: Literal["classify", "extract", "parse"]
    project_id: str
    status: Literal["cancelled", "completed", "dispatched", "failed", "pending", "running"]
    total_items: int
    completed_at: Optional[datetime] = None
    created_at: Optional[datetime] = None
    directory_id: Optional[str] = None
    effective_at: Optional[datetime] = None
    error_message: Optional[str] = None
    failed_items: Optional[int] = None
    job_record_id: Optional[str] = None
    processed_items: Optional[int] = None
    skipped_items: Optional[int] = None
    started_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    workflow_id: Optional[str] = None


class BatchGetStatusResponse(BaseModel):
    \"\"\"Detailed status response for a batch processing job.\"\"\"

    job: Job
    progress_percentage: float
"""
)

BATCHES_RESOURCE = (
    HEADER
    + """
from __future__ import annotations

from typing import Optional

from ..types import batch_get_params
from .._types import Omit, SequenceNotStr, omit
from .._utils import path_template
from .._resource import SyncAPIResource, AsyncAPIResource
from ..types.batch_get_response import BatchGetResponse
from ..types.batch_cancel_response import BatchCancelResponse

__all__ = ["BatchesResource", "AsyncBatchesResource"]


class BatchesResource(SyncAPIResource):
    def cancel(self, batch_id: str) -> BatchCancelResponse:
        return self._post(
            path_template("/api/v2/batches/{batch_id}/cancel", batch_id=batch_id),
            cast_to=BatchCancelResponse,
        )

    def get(
        self,
        batch_id: str,
        *,
        expand: Optional[SequenceNotStr[str]] | Omit = omit,
        organization_id: Optional[str] | Omit = omit,
        project_id: Optional[str] | Omit = omit,
    ) -> BatchGetResponse:
        \"\"\"Get a batch by ID.\"\"\"
        return self._get(
            path_template("/api/v2/batches/{batch_id}", batch_id=batch_id),
            cast_to=BatchGetResponse,
        )


class AsyncBatchesResource(AsyncAPIResource):
    pass
"""
)

BATCH_MODEL = (
    HEADER
    + """
from typing import List, Optional
from datetime import datetime
from typing_extensions import Literal

from .._models import BaseModel

__all__ = ["BatchGetResponse", "Result"]


class Result(BaseModel):
    source_directory_file_id: str
    error_message: Optional[str] = None


class BatchGetResponse(BaseModel):
    \"\"\"A top-level batch.\"\"\"

    id: str
    project_id: str
    source_directory_id: str
    status: Literal["CANCELLED", "COMPLETED", "FAILED", "PENDING", "RUNNING", "THROTTLED"]
    created_at: Optional[datetime] = None
    results: Optional[List[Result]] = None
    updated_at: Optional[datetime] = None
"""
)

COMMON = {
    "llama_cloud/__init__.py": HEADER,
    "llama_cloud/_models.py": "class BaseModel:\n    pass\n",
    "llama_cloud/resources/__init__.py": HEADER,
    "llama_cloud/resources/batches.py": BATCHES_RESOURCE,
    "llama_cloud/resources/beta/__init__.py": HEADER,
    "llama_cloud/resources/beta/beta.py": HEADER + "\nclass BetaResource:\n    pass\n",
    "llama_cloud/types/__init__.py": HEADER,
    "llama_cloud/types/batch_get_response.py": BATCH_MODEL,
    "llama_cloud/types/beta/__init__.py": HEADER,
}
ONLY_2_13 = {
    "llama_cloud/resources/beta/batch/__init__.py": HEADER,
    "llama_cloud/resources/beta/batch/batch.py": BATCH_RESOURCE,
    "llama_cloud/types/beta/batch_get_status_response.py": STATUS_MODEL,
}


def layout(version: str) -> dict[str, str]:
    """The files of the cut-down wheel of a release (2.13.0 has the endpoint, 2.14.0 has not)."""
    files = dict(COMMON)
    if version == "2.13.0":
        files.update(ONLY_2_13)
    metadata = f"Metadata-Version: 2.3\nName: llama-cloud\nVersion: {version}\n"
    files[f"llama_cloud-{version}.dist-info/METADATA"] = metadata
    files[f"llama_cloud-{version}.dist-info/RECORD"] = "".join(f"{name},,\n" for name in files)
    return files


def build_wheel(folder: Path, version: str, files: dict[str, str] | None = None) -> Path:
    """A wheel (a zip file) of the release's layout, or of the given files, in `folder`."""
    path = folder / f"llama_cloud-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, text in (files if files is not None else layout(version)).items():
            wheel.writestr(name, text)
    return path


def unpack(folder: Path, version: str, files: dict[str, str] | None = None) -> Path:
    """The release's layout as an unpacked tree (site-packages style) in `folder`."""
    for name, text in (files if files is not None else layout(version)).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder
