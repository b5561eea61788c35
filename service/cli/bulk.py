"""`python -m service bulk PATH --out DIR [--workers N] [--scheduler ADDRESS]`: analyse a corpus."""
from __future__ import annotations

import argparse
import os
import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "bulk", help="phân tích hàng loạt một thư mục kế hoạch",
        description="Extract and compare every plan under PATH (a folder, or a manifest such as corpus/manifest.yml) "
                    "with its parents. Results go to the database (DATABASE_URL, default SQLite under "
                    "PLANGAP_DATA_DIR) and DIR (documents.csv/.parquet, flags.csv/.parquet, overview.html, "
                    "status.json). Re-running skips documents already analysed (same content).")
    parser.add_argument("path", help="thư mục, tệp danh sách (manifest .yml) hoặc một tệp")
    parser.add_argument("--out", required=True, help="thư mục kết quả")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                        help="số tiến trình xử lý trên máy này (0: ngay trong tiến trình này); mặc định 2")
    parser.add_argument("--scheduler", help="địa chỉ Dask scheduler (tcp://host:8786): chạy trên cụm Dask")
    parser.add_argument("--retry-failed", action="store_true",
                        help="xử lý lại cả các tệp đã lỗi do chính tệp (mặc định chỉ thử lại lỗi do máy)")
    parser.add_argument("--sandbox", choices=["binary", "always", "never"], default="binary",
                        help="đọc tệp trong tiến trình con cách ly: PDF/DOCX (mặc định), mọi tệp, hoặc không")
    parser.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến độ")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from service.bulk import BulkInputError, BulkOptions, run_bulk
    from service.bulk.job import AnalyseOptions
    from service.config import get_settings

    settings = get_settings()
    options = BulkOptions(workers=args.workers, scheduler=args.scheduler, retry_failed=args.retry_failed,
                          progress=not args.no_progress,
                          analyse=AnalyseOptions(sandbox=args.sandbox, max_pages=settings.max_pages,
                                                 timeout_s=settings.job_timeout_s))
    try:
        result = run_bulk(args.path, args.out, settings=settings, options=options)
    except BulkInputError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 2
    p = result.progress
    print(f"{p.total} tệp: {p.done} đã phân tích, {p.failed} lỗi; lần này xử lý {p.processed}, "
          f"bỏ qua {p.skipped + p.duplicates} (đã có kết quả) trong {p.elapsed_s:.1f} giây.")
    for name in ("overview", "documents_csv", "documents_parquet", "flags_csv"):
        print(f"  {result.outputs[name]}")
    return 0
