from __future__ import annotations

from fastapi import APIRouter, File, Query, Response, UploadFile

from service.api import actions
from service.api.deps import DbDep, Reader, RunnerDep, SettingsDep, Uploader
from service.api.errors import ApiError, error_responses
from service.api.presenters import document_detail, document_out, version_changes
from service.api.schemas import DocumentDetail, DocumentOut, DocumentUploaded, VersionChanges
from service.storage import repository as repo, versions

router = APIRouter(prefix="/documents", tags=["documents"])


def _document_or_404(session, document_id: str):
    document = repo.get_document(session, document_id)
    if document is None:
        raise ApiError(404, "not_found", f"Không tìm thấy tài liệu {document_id}")
    return document


@router.post("", status_code=202, response_model=DocumentUploaded,
             responses={200: {"model": DocumentUploaded, "description": "Tệp đã có (trùng nội dung)"},
                        **error_responses(401, 403, 413, 415, 422, 429, 503, 507)},
             summary="Tải lên một kế hoạch (PDF, DOCX, Markdown, TXT); việc đọc tệp chạy nền")
def upload_document(response: Response, session: DbDep, runner: RunnerDep, settings: SettingsDep,
                    principal: Uploader, file: UploadFile = File(description="PDF, DOCX, MD hoặc TXT")):
    # a plain def: FastAPI runs it in a thread, so its database work never blocks the event loop
    if file.size is not None and file.size > settings.max_upload_bytes:
        raise actions.too_large(settings)
    data = file.file.read(settings.max_upload_bytes + 1)
    document, duplicate = actions.accept_upload(session, runner, settings, data, file.filename or "document", principal)
    if duplicate:
        response.status_code = 200
    counts = repo.flag_counts(session, [document.id]).get(document.id)
    return document_out(document, counts, model=DocumentUploaded, duplicate=duplicate)


@router.get("", response_model=list[DocumentOut], responses=error_responses(401),
            summary="Danh sách tài liệu, kèm số cờ theo loại")
def list_documents(session: DbDep, _reader: Reader, limit: int = Query(100, ge=1, le=1000),
                   offset: int = Query(0, ge=0, le=10 ** 9)):
    documents = repo.list_documents(session, limit=limit, offset=offset)
    counts = repo.flag_counts(session, [d.id for d in documents])
    return [document_out(d, counts.get(d.id)) for d in documents]


@router.get("/{document_id}", response_model=DocumentDetail, responses=error_responses(401, 404),
            summary="Thông tin tài liệu và kết quả trích xuất (JSON)")
def get_document(document_id: str, session: DbDep, _reader: Reader):
    document = _document_or_404(session, document_id)
    return document_detail(document, repo.flag_counts(session, [document.id]).get(document.id))


@router.get("/{document_id}/changes", response_model=VersionChanges, responses=error_responses(401, 404),
            summary="Thay đổi so với phiên bản trước: cờ mới, cờ đã hết, quyết định được giữ lại")
def get_document_changes(document_id: str, session: DbDep, _reader: Reader):
    document = _document_or_404(session, document_id)
    return version_changes(document, versions.changes(session, document))
