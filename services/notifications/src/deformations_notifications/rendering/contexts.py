"""From an event's data (as stored with its notification) to the context of its template.

Contexts are built when the message is sent, not when the event arrives, so that a
template fixed later still renders notifications waiting in the queue. Collectivités are
named from the vendored geography; people are never named (events carry no names).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deformations_contracts.base import EventData
from deformations_contracts.events.diagnosis import (
    MIN_TEAM_RESPONSES,
    DiagnosisCompleted,
    DiagnosisTeamUpdated,
)
from deformations_contracts.events.lending import (
    LoanAction,
    LoanActionRequested,
    LoanAgreed,
    LoanCancelled,
    LoanCompleted,
)
from deformations_contracts.events.matching import MatchProposed, ProposalKind
from deformations_contracts.events.moderation import ContentHidden, ContentKind
from deformations_contracts.events.programmes import ProgrammeInvited, ProgrammeReviewDue
from deformations_contracts.events.sessions import (
    SessionCancelled,
    SessionKind,
    SessionRescheduled,
    SessionScheduled,
)
from deformations_contracts.events.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    EvaluationDue,
    RebondProposed,
)
from deformations_contracts.registry import EVENTS
from deformations_contracts.themes import label as theme_label
from deformations_contracts.values import HALF_DAY_HOURS
from deformations_notifications.rendering.training import (
    offer_url,
    programme_url,
    training_context,
)

SESSION_TITLES = {
    SessionKind.LOAN_HALF_DAY: "Demi-journée de mise à disposition",
    SessionKind.PEER_GROUP: "Groupe d'entraide entre pairs",
    SessionKind.CAFE_ELUS_TECHNICIENS: "Café élus-techniciens",
    SessionKind.SPEED_DATING_ROUND: "Speed-dating entre voisins",
    SessionKind.TRAINING_SESSION: "Séance de formation",
    SessionKind.PROGRAMME_SESSION: "Séance du programme",
}

Namer = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Links:
    app_url: str

    def to(self, *parts: object) -> str:
        return "/".join([self.app_url.rstrip("/"), *(str(p) for p in parts)])


def _family(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _diagnosis(event: DiagnosisCompleted, links: Links) -> dict[str, Any]:
    return {
        "family_label": event.family_label or _family(event.family),
        "results_url": links.to("diagnostic", "resultats", event.response_id),
        "priority_themes": [theme_label(t) for t in event.priority_themes],
        "next_steps": [step.label for step in event.next_steps],
    }


def _families(event: DiagnosisTeamUpdated, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Families of at least 3 people; smaller ones only together, when they make 3."""
    shown, others = [], 0
    for code, n in sorted(event.family_distribution.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= MIN_TEAM_RESPONSES:
            shown.append({"label": labels.get(code) or _family(code), "count": n})
        else:
            others += n
    if others >= MIN_TEAM_RESPONSES:
        shown.append({"label": "Autres profils", "count": others})
    return shown


def _team(
    event: DiagnosisTeamUpdated, links: Links, name: Namer, labels: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "team_name": event.team_label or f"l'équipe de {name(event.collectivite_siren)}",
        "respondents": event.response_count,
        "results_url": links.to("campagnes", event.campaign_id, "resultats"),
        "families": _families(event, labels),
        "priority_themes": [theme_label(t) for t in event.shared_priority_themes],
    }


def _match(event: MatchProposed, links: Links, name: Namer) -> dict[str, Any]:
    theme = theme_label(event.theme) if event.theme else "les transitions"
    ctx: dict[str, Any] = {
        "details_url": links.to("propositions", event.proposal_id),
        "reasons": list(event.reasons),
        "theme": theme,
    }
    if event.kind in (ProposalKind.NEED_OFFER, ProposalKind.GROUPED_OFFER):
        requesters = sorted({name(r.collectivite_siren) for r in event.requests})
        lender = name(event.offer.collectivite_siren) if event.offer else "une collectivité"
        return {
            **ctx,
            "kind": "need_offer",
            "lender_name": lender,
            "requester_name": ", ".join(requesters),
            "need_label": f"un appui en « {theme} »",
            "offer_label": f"une compétence en « {theme} »",
        }
    if event.kind is ProposalKind.PEER_GROUP:
        return {**ctx, "kind": "peer_group", "group_size": len(event.members)}
    if event.kind is ProposalKind.ELU_TECHNICIEN_PAIR:
        partner = "un binôme élu·e–technicien·ne de votre territoire"
        return {**ctx, "kind": "pair", "partner_label": partner}
    partner = f"{len(event.rounds)} tour(s) de rencontres entre {len(event.members)} élu·es voisins"
    return {**ctx, "kind": "rotation", "partner_label": partner}


def _loan(event: LoanAgreed | LoanCompleted | LoanCancelled, links: Links, name: Namer) -> Any:
    ctx: dict[str, Any] = {
        "skill_label": f"{event.agent_role} – {theme_label(event.theme)}",
        "lender_name": name(event.lender_siren),
        "borrower_name": name(event.borrower_siren),
        "half_days": event.half_days_agreed,
        "loan_url": links.to("prets", event.loan_id),
    }
    if isinstance(event, LoanCompleted):
        ctx["hours"] = event.half_days_used * HALF_DAY_HOURS
        ctx["feedback_url"] = links.to("prets", event.loan_id, "avis")
    if isinstance(event, LoanCancelled):
        ctx["reason"] = event.reason
    return ctx


# What the mail asks, in the words of the loan's page.
ACTION_LABELS = {
    LoanAction.ACCEPT: "accepter la proposition de mise à disposition",
    LoanAction.APPROVE: "donner l'accord de la collectivité qui prête",
    LoanAction.AGENT_CONSENT: "donner ou refuser votre accord pour être mis·e à disposition",
    LoanAction.CONFIRM_SESSION: "confirmer la demi-journée proposée, ou la déplacer",
}


def _action(event: LoanActionRequested, links: Links, name: Namer) -> dict[str, Any]:
    """The per-person signed link is added when the mail is composed (``Composer``)."""
    return {
        "skill_label": f"{event.agent_role} – {theme_label(event.theme)}",
        "lender_name": name(event.lender_siren),
        "borrower_name": name(event.borrower_siren),
        "half_days": event.half_days_agreed,
        "action_label": ACTION_LABELS[event.action],
        "personal": event.agent_person_id is not None,
        "loan_url": links.to("prets", event.loan_id),
    }


SessionEvent = SessionScheduled | SessionRescheduled | SessionCancelled


def _session_url(event: SessionEvent, links: Links) -> str:
    """The portal's page of what the session belongs to: a training offer, a programme,
    or the session itself (a loan's half-day and the gatherings of matching)."""
    if event.kind is SessionKind.TRAINING_SESSION:
        return offer_url(links.to, event.related_id)
    if event.kind is SessionKind.PROGRAMME_SESSION:
        return programme_url(links.to, event.related_id)
    return links.to("seances", event.session_id)


def marks_url(links: Links, payload: Mapping[str, Any]) -> str:
    """The evening's page, where its participants mark whom they would see again."""
    return links.to("speed-dating", f"{payload['related_id']}#atomes-crochus")


def _session(
    event: SessionScheduled | SessionRescheduled | SessionCancelled, links: Links, name: Namer
) -> dict[str, Any]:
    location = event.place_label
    if location is None and event.place_insee is not None:
        location = name(event.place_insee)
    ctx: dict[str, Any] = {
        "title": event.title or SESSION_TITLES.get(event.kind, "Séance"),
        "start": event.starts_at,
        "end": event.ends_at,
        "session_url": _session_url(event, links),
        "modality": "remote" if event.remote else "on_site",
        "location": location,
    }
    if isinstance(event, SessionRescheduled):
        ctx["previous_start"] = event.previous_starts_at
    if isinstance(event, SessionCancelled):
        ctx["reason"] = event.reason
    return ctx


# What was hidden, and the page where its author still sees it (marked hidden, with why).
_HIDDEN = {
    ContentKind.PEER_CALL: ("votre appel à pairs", ("pairs",)),
    ContentKind.OFFER: ("votre offre de compétence", ("competences", "publications")),
    ContentKind.REQUEST: ("votre demande de compétence", ("competences", "publications")),
}


def _hidden(event: ContentHidden, links: Links) -> dict[str, Any]:
    what, page = _HIDDEN[event.kind]
    return {"content_label": what, "reason": event.reason, "content_url": links.to(*page)}


def parse_event(event_type: str, payload: Mapping[str, Any]) -> EventData | None:
    """The catalogue's event of a notification; None for the service's own (relay)."""
    model = EVENTS.get(event_type)
    return None if model is None else model.model_validate(payload)


def context_for(
    event_type: str,
    payload: Mapping[str, Any],
    links: Links,
    name: Namer,
    family_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The template context of a notification; relay messages carry theirs as they are."""
    event = parse_event(event_type, payload)
    match event:
        case DiagnosisCompleted():
            return _diagnosis(event, links)
        case DiagnosisTeamUpdated():
            return _team(event, links, name, family_labels or {})
        case MatchProposed():
            return _match(event, links, name)
        case LoanAgreed() | LoanCompleted() | LoanCancelled():
            return dict(_loan(event, links, name))
        case LoanActionRequested():
            return _action(event, links, name)
        case SessionScheduled() | SessionRescheduled() | SessionCancelled():
            return _session(event, links, name)
        case (
            EnrolmentConfirmed()
            | EnrolmentWaitlisted()
            | EnrolmentPromoted()
            | EnrolmentCancelled()
            | RebondProposed()
            | EvaluationDue()
            | ProgrammeInvited()
            | ProgrammeReviewDue()
        ):
            return training_context(event, links.to, name)
        case ContentHidden():
            return _hidden(event, links)
    return dict(payload)
