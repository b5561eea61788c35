"""Bulk analysis as an admin job: POST /bulk (a folder the server may read, or an uploaded zip),
progress from GET /bulk/{id}, the run's tables and overview from GET /bulk/{id}/files/{name}.
Thin: the work is in service.bulk.jobs.

Include it in the app with: ``app.include_router(bulk.router)`` (from service.api.routes import bulk)."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict

from service.api.deps import Admin, SettingsDep
from service.api.errors import ApiError, error_responses
from service.bulk.inputs import BulkInputError
from service.bulk.jobs import BulkBusy, BulkJobs

router = APIRouter(prefix="/bulk", tags=["bulk"])

INPUT_STATUS = {"not_found": 404, "forbidden_path": 403, "too_large": 413, "zip_bomb": 413}
COPY_CHUNK = 1 << 20


class BulkJobOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    kind: str                       # folder | zip
    source: str
    status: str                     # queued | running | done | failed | interrupted
    total: int = 0
    to_process: int = 0
    processed: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    rate_per_hour: Optional[float] = None
    eta_s: Optional[float] = None
    error: Optional[str] = None
    reading: list[dict[str, Any]] = []   # being read now: [{"name", "stage": "ocr", "done", "total"}] (local workers)
    files: dict[str, str] = {}      # output name -> URL


def bulk_jobs(request: Request) -> BulkJobs:
    """One manager per app, made on first use (the app's state holds it)."""
    jobs = getattr(request.app.state, "bulk_jobs", None)
    if jobs is None:
        jobs = request.app.state.bulk_jobs = BulkJobs(request.app.state.settings)
    return jobs


def _out(status: dict[str, Any]) -> BulkJobOut:
    files = {name: f"/bulk/{status['id']}/files/{path}" for name, path in (status.get("outputs") or {}).items()}
    return BulkJobOut(**{**status, "files": files})


def _input_error(exc: BulkInputError) -> ApiError:
    return ApiError(INPUT_STATUS.get(exc.code, 422), exc.code, exc.message)


async def _save_zip(jobs: BulkJobs, upload, destination: Path) -> None:
    """Copy the uploaded zip to disk, counting (the declared length was checked before parsing)."""
    size = 0
    with open(destination, "wb") as sink:
        while chunk := await upload.read(COPY_CHUNK):
            size += len(chunk)
            if size > jobs.config.max_zip_bytes:
                raise ApiError(413, "too_large", f"Tệp nén quá lớn: tối đa {jobs.config.max_zip_bytes / 1048576:g} MB")
            sink.write(chunk)


@router.post("", status_code=202, response_model=BulkJobOut,
             responses=error_responses(400, 401, 403, 404, 409, 411, 413, 422),
             summary="Phân tích hàng loạt (quản trị): một thư mục trên máy chủ hoặc một tệp nén ZIP",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "properties": {
                     "file": {"type": "string", "format": "binary", "description": "tệp ZIP chứa các kế hoạch"},
                     "folder": {"type": "string", "description": "thư mục trên máy chủ (trong PLANGAP_BULK_ROOTS)"}}}}}}})
async def start_bulk(request: Request, settings: SettingsDep, principal: Admin):
    jobs = bulk_jobs(request)
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise ApiError(411, "length_required", "Cần header Content-Length cho tệp tải lên")
    if int(declared) > jobs.config.max_zip_bytes + 64 * 1024:
        raise ApiError(413, "too_large", f"Tệp nén quá lớn: tối đa {jobs.config.max_zip_bytes / 1048576:g} MB")
    form = await request.form(max_files=1, max_fields=5)
    upload, folder = form.get("file"), form.get("folder")
    if (upload is None) == (not folder) or isinstance(upload, str):
        raise ApiError(422, "invalid_request", "Gửi đúng một trong hai: 'file' (tệp ZIP) hoặc 'folder' (thư mục)")
    try:
        if folder:
            job_id = jobs.start_folder(str(folder), principal.name)
        else:
            with tempfile.TemporaryDirectory(dir=settings.data_dir) as tmp:
                archive = Path(tmp) / "upload.zip"
                await _save_zip(jobs, upload, archive)
                job_id = jobs.start_zip(archive, upload.filename or "upload.zip", principal.name)
    except BulkBusy:
        raise ApiError(409, "bulk_busy", "Đang có một lượt phân tích hàng loạt chạy; hãy chờ nó xong")
    except BulkInputError as exc:
        raise _input_error(exc) from exc
    return _out(jobs.status(job_id))


@router.get("", response_model=list[BulkJobOut], responses=error_responses(401, 403),
            summary="Các lượt phân tích hàng loạt (quản trị)")
def list_bulk(request: Request, _admin: Admin):
    return [_out(status) for status in bulk_jobs(request).list()]


@router.get("/{job_id}", response_model=BulkJobOut, responses=error_responses(401, 403, 404),
            summary="Tiến độ và kết quả của một lượt phân tích hàng loạt (quản trị)")
def get_bulk(job_id: str, request: Request, _admin: Admin):
    status = bulk_jobs(request).status(job_id)
    if status is None:
        raise ApiError(404, "not_found", f"Không tìm thấy lượt phân tích {job_id}")
    return _out(status)


@router.get("/{job_id}/files/{name}", responses=error_responses(401, 403, 404),
            summary="Tệp kết quả (quản trị): documents.csv/.parquet, flags.csv/.parquet, overview.html")
def get_bulk_file(job_id: str, name: str, request: Request, _admin: Admin):
    path = bulk_jobs(request).output_path(job_id, name)
    if path is None:
        raise ApiError(404, "not_found", f"Không tìm thấy tệp {name} của lượt phân tích {job_id}")
    return FileResponse(path, filename=name)
