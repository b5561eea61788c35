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

# What each rule checked, in plain words, shown under a finding's message.
FLAG_EXPLANATIONS = {
    "missing_task_group": "Văn bản cấp trên có nhóm nhiệm vụ này nhưng không tìm thấy phần nào của kế hoạch nói về nó.",
    "missing_task": "Văn bản cấp trên giao nhiệm vụ này cho địa phương nhưng kế hoạch không có nhiệm vụ nào đủ giống.",
    "missing_target": "Văn bản cấp trên có chỉ tiêu này (địa phương thực hiện được) nhưng kế hoạch không nêu.",
    "weaker_target": "Cùng một chỉ tiêu, kế hoạch đặt mức thấp hơn, mốc năm muộn hơn hoặc phạm vi hẹp hơn văn bản cấp trên "
                     "(ký hiệu: kế hoạch < cấp trên).",
    "later_deadline": "Nhiệm vụ giao cho địa phương có thời hạn muộn hơn thời hạn văn bản cấp trên yêu cầu.",
    "no_owner": "Nhiệm vụ chưa nêu cơ quan chủ trì (nguyên tắc “5 rõ”: rõ người).",
    "no_deadline": "Nhiệm vụ chưa có thời hạn hoàn thành (nguyên tắc “5 rõ”: rõ thời gian).",
    "citation_error": "Số hiệu, ký hiệu, cơ quan ban hành hoặc ngày của văn bản được dẫn không khớp với văn bản đó.",
    "internal_conflict": "Cùng một chỉ tiêu và năm, kế hoạch ghi hai giá trị khác nhau ở hai chỗ.",
    "duplicate_item": "Hai nhiệm vụ gần như giống hệt nhau trong cùng một phần của kế hoạch.",
    "stale_deadline": "Thời hạn đã qua trước ngày ban hành kế hoạch.",
    "unresolved_parent": "Kế hoạch dẫn một văn bản cấp trên chưa có trong hệ thống nên chưa đối chiếu được.",
    "incomplete_tasks": "Các nhiệm vụ của mục này chưa đủ “5 rõ”: nhiệm vụ nào thiếu cơ quan chủ trì, thiếu thời hạn "
                        "được liệt kê (không tính nơi kế hoạch đã giao ở phần tổ chức thực hiện hoặc phụ lục).",
    "owner_conflict": "Cùng một nhiệm vụ được nêu hai lần trong kế hoạch, mỗi lần giao một cơ quan chủ trì khác nhau.",
    "lead_is_partner": "Cơ quan chủ trì của nhiệm vụ đồng thời được ghi là cơ quan phối hợp.",
}

# How close a plan passage is to a parent item it reportedly lacks, by its score's share of the
# alignment threshold (at or above the threshold compare counts the passage as the item).
SIMILARITY_BANDS = [
    (1.0, "near", "đủ giống để coi là cùng nội dung"),
    (0.75, "near", "gần ngưỡng: có thể là cùng nội dung viết khác đi, nên đọc kỹ"),
    (0.45, "partial", "giống một phần: cùng chủ đề, nội dung khác"),
    (0.0, "far", "ít giống: nội dung khác hẳn"),
]

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
