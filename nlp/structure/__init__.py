"""Structure: IngestedDocument -> StructuredDocument (heading tree, section types, items, table rows)."""
from nlp.structure.builder import build_structure, child_path

__all__ = ["build_structure", "child_path"]
