"""A stored, analysed corpus plan for the reviewer-workflow tests, without a worker pool: the plan is
extracted and compared in-process (the real pipeline, once per test session), then stored as the
worker would store it. Extra flags can be added to the real ones (e.g. hostile text for exports)."""
from __future__ import annotations

from functools import lru_cache

from nlp.schema import ComparisonReport, Evidence, Extraction, Flag, Span
from service.config import Settings
from service.storage import repository as repo
from service.storage.db import session_scope, upgrade
from service_testlib import corpus_plan

FORMULA = '=HYPERLINK("http://example.invalid/x","bấm vào đây")'


@lru_cache(maxsize=None)
def real_report(index: int = 0) -> tuple[Extraction, ComparisonReport]:
    from nlp.compare import compare, load_bundled_parents, resolve_parents
    from nlp.pipeline import extract_file

    child = extract_file(corpus_plan(index), sandboxed=False)
    parents, unresolved = resolve_parents(child, [d for d in load_bundled_parents() if d.doc_id != child.doc_id])
    return child, compare(child, parents, unresolved=unresolved)


def hostile_flag(child: Extraction) -> Flag:
    """A finding whose evidence is an uploader's formula (issue 10: formula injection in exports)."""
    return Flag(id="hostile-formula", type="no_deadline", severity="low", message=FORMULA + " <script>alert(1)</script>",
                child=Evidence(doc=child.doc_id, section="II", span=Span(start=0, end=10), text=FORMULA),
                parent=None)


def seed_analysis(settings: Settings, index: int = 0, extra_flags: tuple[Flag, ...] = (), *,
                  without_candidates: bool = False) -> tuple[str, str]:
    """(document id, analysis id) of a corpus plan stored with its analysis done; ``without_candidates``:
    as stored before compare gave the closest plan passages of a missing item."""
    child, report = real_report(index)
    flags = [f.model_copy(update={"candidates": []}) if without_candidates else f for f in report.flags]
    report = report.model_copy(update={"flags": flags + list(extra_flags)})
    settings.ensure_dirs()
    upgrade(settings.resolved_database_url)
    with session_scope(settings.resolved_database_url) as session:
        document, _ = repo.store_document(session, corpus_plan(index).read_bytes(), corpus_plan(index).name,
                                          files_dir=settings.files_dir, extraction=child, fmt="text")
        analysis = repo.store_analysis(session, document.id, report, requested_by="admin")
        return document.id, analysis.id


def bundled_parent_texts() -> None:
    """The parents' own item wording (git-ignored corpus/parents/texts/, a build output like .venv), built
    from ../shared/parents when absent."""
    import importlib.util

    from service.ui.parent_text import TEXTS_DIR
    from service_testlib import REPO

    if all((TEXTS_DIR / f"{doc}.yml").is_file() for doc in ("57-NQ-TW", "03-NQ-CP")):
        return
    spec = importlib.util.spec_from_file_location("build_parents", REPO / "corpus" / "parents" / "build_parents.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_item_texts(REPO.parent / "shared")
