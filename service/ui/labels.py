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
    "incomplete_tasks": "Nhiệm vụ chưa đủ “5 rõ”",
    "owner_conflict": "Một nhiệm vụ, hai cơ quan chủ trì",
    "lead_is_partner": "Chủ trì đồng thời là phối hợp",
}

SEVERITIES = {"high": "Cao", "medium": "Trung bình", "low": "Thấp", "info": "Thông tin"}

REVIEW_STATUSES = {"open": "Chưa xử lý", "accepted": "Đã chấp nhận", "dismissed": "Đã bỏ qua"}

JOB_STATUSES = {"queued": "Đang chờ", "running": "Đang xử lý", "done": "Hoàn tất", "failed": "Lỗi"}

ROLES = {"uploader": "Người tải lên", "reviewer": "Người rà soát", "admin": "Quản trị"}

COVERAGE_METRICS = {"task_groups": "Nhóm nhiệm vụ", "tasks": "Nhiệm vụ", "targets": "Chỉ tiêu"}


def label(table: dict[str, str], key) -> str:
    return table.get(key, str(key) if key is not None else "")
