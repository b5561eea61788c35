"""Bulk analysis of a corpus: every plan of a folder (or manifest, or uploaded zip) extracted and
compared with its parents, on a local process pool or a Dask cluster, resumable by content hash,
stored in the service's database and summarised as CSV/Parquet and an HTML overview.

    run_bulk(source, out_dir, settings=..., options=BulkOptions(workers=2, scheduler=None)) -> BulkResult
"""
from service.bulk.inputs import BulkInputError, Corpus, InputFile, discover
from service.bulk.runner import BulkOptions, BulkResult, Progress, read_status, run_bulk

__all__ = ["BulkInputError", "BulkOptions", "BulkResult", "Corpus", "InputFile", "Progress", "discover",
           "read_status", "run_bulk"]
