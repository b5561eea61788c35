"""Compare a plan with its parent plans and flag every gap, with evidence on both sides.

    compare(child, parents, unresolved=...) -> ComparisonReport
    load_bundled_parents() -> [57-NQ-TW, 03-NQ-CP (as amended by 71/NQ-CP)]
    resolve_parents(child, available) -> (parents found, cited parents not found)
"""
from nlp.compare.engine import compare
from nlp.compare.parents import load_bundled_parents, resolve_parents

__all__ = ["compare", "load_bundled_parents", "resolve_parents"]
