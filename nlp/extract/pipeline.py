"""The extraction pipeline as spaCy components over the document's canonical text.

``spacy.blank("vi")`` with an underthesea-backed tokenizer; one component per extractor,
declared with ``Language.factory`` (what each assigns and requires is stated there). Every
extractor writes ``doc.spans[...]`` with character-true spans, so the UI can render them
with displaCy's span style and every flag can point at its evidence.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span as SpacySpan
from spacy.vocab import Vocab

from nlp.schema import StructuredDocument

for _name in ("plan", "references", "tasks", "targets", "structure", "profile"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class UndertheseaTokenizer:
    """Syllable tokens from underthesea's rule tokenizer (the fast first stage of its word
    segmenter), aligned back onto the text so that ``doc.text`` is the canonical text."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

        words: list[str] = []
        spaces: list[bool] = []

        def gap(chunk: str) -> None:
            """Text between two tokens: a single space marks the previous token; anything else
            (newlines, runs of spaces, characters underthesea dropped) becomes its own token."""
            if not chunk:
                return
            if chunk[0] == " " and words and not spaces[-1]:
                spaces[-1] = True
                chunk = chunk[1:]
            if chunk:
                words.append(chunk)
                spaces.append(False)

        pos = 0
        for token in tokenize(text):
            found = text.find(token, pos)
            if found < 0:
                continue              # underthesea rewrote the token: its text stays in the gap
            gap(text[pos:found])
            words.append(token)
            spaces.append(False)
            pos = found + len(token)
        gap(text[pos:])
        return Doc(self.vocab, words=words, spaces=spaces)


def _char_span(doc: Doc, start: int, end: int, label: str) -> SpacySpan | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


def _structure(doc: Doc) -> StructuredDocument:
    structure = doc._.structure
    if structure is None:
        raise ValueError("plangap components need doc._.structure (a StructuredDocument)")
    return structure


@Language.factory("plangap_document", assigns=["doc._.plan"], requires=["doc._.structure"])
def make_document_component(nlp: Language, name: str):
    from nlp.extract.document import extract_document_info

    def component(doc: Doc) -> Doc:
        doc._.plan = extract_document_info(_structure(doc))
        return doc

    return component


@Language.factory("plangap_references", assigns=["doc._.references", "doc.spans"], requires=["doc._.plan"])
def make_references_component(nlp: Language, name: str):
    from nlp.extract.references import find_references

    def component(doc: Doc) -> Doc:
        own = [doc._.plan.number] if doc._.plan and doc._.plan.number else []
        refs = find_references(doc.text, exclude_numbers=own)
        doc._.references = refs
        doc.spans["references"] = [s for r in refs for m in r.mentions
                                   if (s := _char_span(doc, m.start, m.end, "REF")) is not None]
        return doc

    return component


@Language.factory("plangap_profile", assigns=["doc._.profile"], requires=["doc._.plan", "doc._.references"])
def make_profile_component(nlp: Language, name: str):
    from nlp.extract.profile import plan_profile

    def component(doc: Doc) -> Doc:
        doc._.profile = plan_profile(doc._.plan, doc._.references or [], doc.text) if doc._.plan else None
        return doc

    return component


@Language.factory("plangap_tasks", assigns=["doc._.tasks", "doc.spans"], requires=["doc._.structure", "doc._.plan"])
def make_tasks_component(nlp: Language, name: str):
    from nlp.extract.agencies import default_matcher
    from nlp.extract.tasks import extract_tasks

    def component(doc: Doc) -> Doc:
        plan = doc._.plan
        plan_date = date.fromisoformat(plan.issued) if plan and plan.issued else None
        doc._.tasks = extract_tasks(_structure(doc), default_matcher(), plan_date=plan_date)
        doc.spans["tasks"] = [s for t in doc._.tasks if t.span
                              and (s := _char_span(doc, t.span.start, t.span.end, "TASK")) is not None]
        return doc

    return component


@Language.factory("plangap_targets", assigns=["doc._.targets", "doc.spans"], requires=["doc._.structure", "doc._.plan"])
def make_targets_component(nlp: Language, name: str):
    from nlp.extract.agencies import default_matcher
    from nlp.extract.targets import extract_targets

    def component(doc: Doc) -> Doc:
        plan = doc._.plan
        plan_date = date.fromisoformat(plan.issued) if plan and plan.issued else None
        doc._.targets = extract_targets(_structure(doc), default_matcher(), plan_date=plan_date)
        doc.spans["targets"] = [s for t in doc._.targets if t.span
                                and (s := _char_span(doc, t.span.start, t.span.end, "TARGET")) is not None]
        return doc

    return component


@lru_cache(maxsize=1)
def build_pipeline() -> Language:
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})
    nlp.tokenizer = UndertheseaTokenizer(nlp.vocab)
    # spaCy's 1,000,000-character default (E088) guards its parser and NER (~1 GB per 100k characters);
    # this pipeline has neither: the Doc holds tokens and span markers only, so the documented limit of
    # nlp.limits (checked before work starts) is the only one that applies.
    nlp.max_length = 10 ** 9
    for name in ("plangap_document", "plangap_references", "plangap_profile", "plangap_tasks", "plangap_targets"):
        nlp.add_pipe(name)
    return nlp
