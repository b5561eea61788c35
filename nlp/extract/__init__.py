"""Extract: StructuredDocument -> Extraction (document info, references, tasks, targets).

The extractors run as spaCy components (nlp.extract.pipeline); the grammars they use
(deadlines, quantities, references, agencies, roles) are plain functions over text with
their lexicons under nlp/resources/.
"""
from __future__ import annotations

from nlp.schema import Extraction, StructuredDocument


def extract_document(doc: StructuredDocument, *, include_text: bool = True) -> Extraction:
    from nlp.extract.pipeline import build_pipeline
    from nlp.limits import check_text_length
    from nlp.pipeline import doc_id_for

    check_text_length(doc.text)
    nlp = build_pipeline()
    sdoc = nlp.make_doc(doc.text)
    sdoc._.structure = doc
    for _, component in nlp.pipeline:
        sdoc = component(sdoc)
    return Extraction(doc_id=doc_id_for(doc.source), source=doc.source, document=sdoc._.plan,
                      references=sdoc._.references or [], tasks=sdoc._.tasks or [], targets=sdoc._.targets or [],
                      text=doc.text if include_text else None, ocr=doc.ocr, profile=sdoc._.profile)
