"""Vietnamese labels for what the UI shows."""
from __future__ import annotations

FLAG_TYPES = {
    "missing_task_group": "Thiếu nhóm nhiệm vụ",
    "missing_task": "Thiếu nhiệm vụ",
    "missing_target": "Thiếu chỉ tiêu",
    "weaker_target": "Chỉ tiêu thấp hơn",
    "later_deadline": "Thời hạn muộn hơn",
    "no_owner": "Không rõ đơn vị chủ trì",
    "no_deadline": "Không có thời hạn",
    "citation_error": "Trích dẫn sai",
    "internal_conflict": "Mâu thuẫn nội bộ",
    "duplicate_item": "Nội dung trùng lặp",
    "stale_deadline": "Thời hạn đã qua",
    "unresolved_parent": "Chưa xác định văn bản cấp trên",
}

SEVERITIES = {"high": "Cao", "medium": "Trung bình", "low": "Thấp", "info": "Thông tin"}

# "Bỏ qua" read as "skip": a dismissal says the finding is wrong, so it is "bác bỏ" (rejected).
REVIEW_STATUSES = {"open": "Chưa xử lý", "accepted": "Đã chấp nhận", "dismissed": "Đã bác bỏ"}

DISMISS_REASONS = {
    "wrong_extraction": "Trích xuất sai",
    "not_applicable_level": "Không áp dụng cho cấp này",
    "present_other_wording": "Đã có, diễn đạt khác",
    "wrong_parent_item": "Đối chiếu sai mục cấp trên",
    "other": "Lý do khác",
}

JOB_STATUSES = {"queued": "Đang chờ", "running": "Đang xử lý", "done": "Hoàn tất", "failed": "Lỗi"}

ROLES = {"uploader": "Người tải lên", "reviewer": "Người rà soát", "admin": "Quản trị"}

COVERAGE_METRICS = {"task_groups": "Nhóm nhiệm vụ", "tasks": "Nhiệm vụ", "targets": "Chỉ tiêu"}


def label(table: dict[str, str], key) -> str:
    return table.get(key, str(key) if key is not None else "")
