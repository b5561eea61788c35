"""`python -m service serve [--host H] [--port P]`: the API, the reviewer UI and the worker pool."""
from __future__ import annotations

import argparse
import sys


SWITCH_INTERVAL_S = 0.001


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="chạy API và giao diện rà soát",
                                   description="Serve the API (OpenAPI at /docs) and the reviewer UI (/ui/). "
                                               "Configuration from the environment: DATABASE_URL, PLANGAP_DATA_DIR, "
                                               "PLANGAP_TOKEN, PLANGAP_OPEN_READS, PLANGAP_WORKERS, limits.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    base = f"http://{args.host}:{args.port}"
    print(f"plangap: giao diện rà soát {base}/ui/  ·  API {base}/openapi.json", flush=True)
    # The event loop (/healthz, accepting connections) shares the GIL with the request threads: a shorter
    # switch interval than CPython's 5 ms lets it run between their slices during a burst of uploads.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    # one server process: the worker pool lives inside it (uvicorn --workers would start several pools)
    # uvloop and httptools (pinned): the loop and the HTTP parser in C rather than asyncio + h11
    uvicorn.run("service.api.main:create_app", factory=True, host=args.host, port=args.port, log_level=args.log_level,
                loop="uvloop", http="httptools")
    return 0
