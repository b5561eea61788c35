"""Where the documents of a bulk run are computed: in this process, a local process pool, or a Dask
distributed cluster. Each backend maps ``analyse_document`` over jobs with a bounded number in flight
(the bytes of waiting documents are not read yet) and yields results as they finish."""
from __future__ import annotations

import multiprocessing
import signal
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Protocol

from service.bulk.job import AnalyseOptions, Outcome, analyse_document, warm_up


@dataclass
class Job:
    key: str              # unique within the run (the content hash)
    name: str
    load: Callable[[], bytes]     # reads the bytes when the job is submitted
    data: Optional[bytes] = None  # kept while in flight, for the driver to store with the result


Result = tuple[Job, "Outcome | BaseException"]


class Backend(Protocol):
    workers: int

    def run(self, jobs: Iterable[Job], options: AnalyseOptions) -> Iterator[Result]: ...

    def close(self) -> None: ...


def _loaded(job: Job) -> "bytes | BaseException":
    try:
        job.data = job.load()
    except OSError as exc:
        return exc
    return job.data


class InlineBackend:
    """In this process, one document after the other (``--workers 0``; notebooks, debugging)."""

    workers = 1

    def run(self, jobs: Iterable[Job], options: AnalyseOptions) -> Iterator[Result]:
        for job in jobs:
            data = _loaded(job)
            yield job, data if isinstance(data, BaseException) else analyse_document(job.name, data, options)

    def close(self) -> None:
        pass


def _pool_init() -> None:
    # Ctrl-C goes to the driver, which shuts the pool down; a worker must not die mid-document
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # one process per core already: BLAS threads inside each would only compete for the same cores
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    warm_up()


class LocalPoolBackend:
    """A ``ProcessPoolExecutor`` of N worker processes on this machine.

    A worker that dies (out of memory, a crash in a C extension) breaks the whole pool: the pool is
    started again and the documents that were in flight are retried one at a time, so that only the
    document that kills a worker on its own is reported as ``worker_crashed``."""

    def __init__(self, workers: int, *, window: Optional[int] = None, max_tasks_per_child: Optional[int] = None):
        self.workers = max(1, workers)
        self.window = window or 2 * self.workers + 2
        self.max_tasks_per_child = max_tasks_per_child
        self._pool: Optional[ProcessPoolExecutor] = None

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: the driver may run threads (the API server, tqdm); forking those is unsafe
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_pool_init, max_tasks_per_child=self.max_tasks_per_child)

    def run(self, jobs: Iterable[Job], options: AnalyseOptions) -> Iterator[Result]:
        self._pool = self._pool or self._new_pool()
        waiting = iter(jobs)
        suspects: deque[tuple[Job, bytes]] = deque()     # in flight when a worker died
        in_flight: dict[Future, tuple[Job, bytes]] = {}
        solo = False                                     # a suspect runs alone in the pool
        while True:
            while not solo and suspects and not in_flight:
                job, data = suspects.popleft()
                in_flight[self._pool.submit(analyse_document, job.name, data, options)] = (job, data)
                solo = True
            while not solo and not suspects and len(in_flight) < self.window:
                job = next(waiting, None)
                if job is None:
                    break
                data = _loaded(job)
                if isinstance(data, BaseException):
                    yield job, data
                    continue
                in_flight[self._pool.submit(analyse_document, job.name, data, options)] = (job, data)
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                job, data = in_flight.pop(future)
                error = future.exception()
                if isinstance(error, BrokenProcessPool):
                    broken = True
                    if solo:
                        yield job, error          # it killed a worker on its own
                    else:
                        suspects.append((job, data))
                else:
                    yield job, error if error is not None else future.result()
            if broken:
                for future, (job, data) in list(in_flight.items()):   # the pool is gone: all of them failed
                    suspects.append((job, data))
                in_flight.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            if solo and not in_flight:
                solo = False

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskBackend:
    """Tasks on a Dask distributed cluster (``dask scheduler`` + ``dask worker`` on each machine).

    The driver ships each document's bytes with its task, so workers need the code (this package
    installed) but no shared disk and no database. Dask itself retries a task whose worker died and
    gives up with ``KilledWorker``, which is reported as that document's failure."""

    def __init__(self, scheduler: Any, *, window: Optional[int] = None):
        from distributed import Client

        if isinstance(scheduler, Client):
            self.client, self._own_client = scheduler, False
        else:
            self.client, self._own_client = Client(scheduler), True   # an address or a cluster object
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
        self.window = window or 2 * self.workers + 2

    def run(self, jobs: Iterable[Job], options: AnalyseOptions) -> Iterator[Result]:
        from distributed import as_completed

        self.client.run(warm_up)
        run_token = uuid.uuid4().hex[:8]    # keys unique per run: a cluster may still hold an older result
        waiting = iter(jobs)
        owners: dict[str, Job] = {}
        completed = as_completed()

        def submit_next() -> Iterator[Result]:
            while completed.count() < self.window:
                job = next(waiting, None)
                if job is None:
                    return
                data = _loaded(job)
                if isinstance(data, BaseException):
                    yield job, data
                    continue
                future = self.client.submit(analyse_document, job.name, data, options, pure=False,
                                            key=f"plangap-analyse-{run_token}-{job.key[:16]}")
                owners[future.key] = job
                completed.add(future)

        yield from submit_next()
        while not completed.is_empty():
            future = next(completed)
            job = owners.pop(future.key)
            try:
                yield job, future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost connection: that document's failure
                yield job, exc
            finally:
                future.release()
            yield from submit_next()

    def close(self) -> None:
        if self._own_client:
            self.client.close()


def make_backend(workers: int, scheduler: Any = None, *, window: Optional[int] = None) -> Backend:
    if scheduler is not None:
        return DaskBackend(scheduler, window=window)
    if workers <= 0:
        return InlineBackend()
    return LocalPoolBackend(workers, window=window)
