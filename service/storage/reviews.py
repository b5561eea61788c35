"""Reviewers' decisions on flags: the current decision (``Review``, one per document and fingerprint,
with a version for optimistic concurrency) and its append-only history (``ReviewEvent``), plus the
aggregate of decisions by flag type that tells how often reviewers agree with each rule."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.storage.models import Document, FlagRow, Review, ReviewEvent, utcnow
from service.storage.repository import clean_text

# Dismissals that say the rule itself was wrong about this finding. "other" says nothing about the
# rule (a reviewer's own reason), so it does not lower the rule's precision.
RULE_ERROR_REASONS = frozenset({"wrong_extraction", "not_applicable_level", "present_other_wording",
                                "wrong_parent_item"})


class StaleDecision(Exception):
    """Someone decided this flag after the caller last saw it (their version is older)."""

    def __init__(self, review: Optional[Review]):
        super().__init__("stale decision")
        self.review = review


def record_decision(session: Session, row: FlagRow, *, reviewer: str, status: Optional[str] = None,
                    reason: Optional[str] = None, comment: Optional[str] = None,
                    expected_version: Optional[int] = None) -> Review:
    """Apply a decision and append it to the flag's history; committed by the caller.

    ``expected_version``: the version the reviewer saw (0 = never decided). When another decision was
    recorded since, nothing changes and StaleDecision is raised. The update itself is conditional on
    the version read, so two decisions racing on one flag cannot both win."""
    key = (row.document_id, row.fingerprint)
    review = session.get(Review, key, populate_existing=True)
    current_version = review.version if review is not None else 0
    if expected_version is not None and expected_version != current_version:
        raise StaleDecision(review)
    from_status = review.status if review is not None else "open"
    to_status = status or from_status
    values = {"status": to_status, "reviewer": clean_text(reviewer)[:100], "updated_at": utcnow(),
              "version": current_version + 1,
              # a reason belongs to a dismissal: accepting or reopening clears it
              "reason": (reason or (review.reason if review is not None and status is None else None))
              if to_status == "dismissed" else None}
    if comment is not None:
        values["comment"] = clean_text(comment)
    if review is None:
        try:
            session.add(Review(document_id=row.document_id, fingerprint=row.fingerprint, **values))
            session.flush()
        except IntegrityError:   # a first decision on this flag was recorded at the same moment
            session.rollback()
            raise StaleDecision(session.get(Review, key)) from None
    else:
        result = session.execute(update(Review).where(Review.document_id == row.document_id,
                                                      Review.fingerprint == row.fingerprint,
                                                      Review.version == current_version).values(**values)
                                 .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise StaleDecision(session.get(Review, key, populate_existing=True))
    session.add(ReviewEvent(document_id=row.document_id, fingerprint=row.fingerprint, flag_type=row.type,
                            reviewer=values["reviewer"], at=values["updated_at"], from_status=from_status,
                            to_status=to_status, reason=values["reason"], comment=values.get("comment")))
    session.flush()
    return session.get(Review, key, populate_existing=True)


def history(session: Session, document_id: str, fingerprint: str) -> list[ReviewEvent]:
    """Every decision on one flag, oldest first."""
    return list(session.scalars(select(ReviewEvent)
                                .where(ReviewEvent.document_id == document_id, ReviewEvent.fingerprint == fingerprint)
                                .order_by(ReviewEvent.at, ReviewEvent.id)))


@dataclass
class RuleStats:
    """Reviewers' verdicts on the current flags of one type."""

    flag_type: str
    accepted: int = 0
    dismissed: int = 0
    open: int = 0
    reasons: Counter = field(default_factory=Counter)

    @property
    def rule_errors(self) -> int:
        return sum(n for reason, n in self.reasons.items() if reason in RULE_ERROR_REASONS)

    @property
    def precision(self) -> Optional[float]:
        """Accepted / (accepted + dismissed for a rule error); None before any such decision."""
        judged = self.accepted + self.rule_errors
        return round(self.accepted / judged, 3) if judged else None

    @property
    def confidence_factor(self) -> float:
        """What a new finding of this rule is worth, as reviewers have judged the rule so far: the
        precision under a Beta(4, 1) prior (a rule is trusted until reviewers say otherwise; four
        decisions weigh as much as the prior). 1.0 with no decisions."""
        prior_accept, prior_reject = 4.0, 1.0
        base = prior_accept / (prior_accept + prior_reject)
        estimate = (self.accepted + prior_accept) / (self.accepted + self.rule_errors + prior_accept + prior_reject)
        return round(min(1.0, estimate / base), 3)


def decision_stats(session: Session) -> dict[str, RuleStats]:
    """Per flag type: accepted / dismissed (by reason) / open over each document's current flags."""
    query = (select(FlagRow.type, Review.status, Review.reason, func.count())
             .join(Document, Document.current_analysis_id == FlagRow.analysis_id)
             .outerjoin(Review, (Review.document_id == FlagRow.document_id)
                        & (Review.fingerprint == FlagRow.fingerprint))
             .group_by(FlagRow.type, Review.status, Review.reason))
    stats: dict[str, RuleStats] = {}
    for flag_type, status, reason, count in session.execute(query):
        rule = stats.setdefault(flag_type, RuleStats(flag_type))
        if status == "accepted":
            rule.accepted += count
        elif status == "dismissed":
            rule.dismissed += count
            rule.reasons[reason or "other"] += count
        else:
            rule.open += count
    return dict(stats)


def confidence_factors(session: Session) -> dict[str, float]:
    return {flag_type: rule.confidence_factor for flag_type, rule in decision_stats(session).items()}
