"""Demo contexts for every template, as the service layer would build them.

Used by the demo sender and the tests; they double as the documentation of each
template's context (see also ``templates/README.md``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

START = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)  # 14 h 30 in Paris (winter time)
END = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)

SAMPLES: dict[str, dict[str, Any]] = {
    "diagnosis.completed": {
        "family_label": "Les éclaireurs",
        "family_description": "Vous voyez loin et vous aimez embarquer les autres.",
        "priority_themes": ["Alimentation et agriculture", "Énergie"],
        "next_steps": ["Un module d'une heure en soirée", "Un café avec un technicien"],
        "results_url": "https://deformations.example/diagnostic/r/42",
    },
    "diagnosis.team_updated": {
        "team_name": "Conseil municipal de Saint-Éloy",
        "respondents": 5,
        "families": [
            {"label": "Les éclaireurs", "count": 3},
            {"label": "Les prudents", "count": 2},
        ],
        "priority_themes": ["Mobilités"],
        "results_url": "https://deformations.example/diagnostic/equipe/7",
    },
    "match.proposed": {
        "kind": "need_offer",
        "theme": "Alimentation",
        "lender_name": "Communauté de communes du Pays d'Évian",
        "requester_name": "Commune d'Abondance",
        "need_label": "Monter un projet alimentaire territorial",
        "offer_label": "Technicienne alimentation, une demi-journée",
        "reasons": ["Collectivités voisines", "Disponibilités communes le mardi"],
        "details_url": "https://deformations.example/propositions/9",
    },
    "match.group_formed": {
        "theme": "Alimentation et agriculture",
        "group_size": 5,
        "reasons": ["Même difficulté : Alimentation et agriculture", "Créneau commun : le soir"],
        "details_url": "https://deformations.example/propositions/10",
    },
    "loan.action_requested": {
        "skill_label": "Technicien alimentation",
        "lender_name": "CC du Pays d'Évian",
        "borrower_name": "Commune d'Abondance",
        "half_days": 2,
        "action_label": "donner l'accord de la collectivité qui prête",
        "loan_url": "https://deformations.example/prets/3",
        "action_url": "https://deformations.example/prets/3?action=accord&jeton=exemple",
    },
    "loan.agreed": {
        "skill_label": "Technicien alimentation",
        "lender_name": "CC du Pays d'Évian",
        "borrower_name": "Commune d'Abondance",
        "half_days": 2,
        "agent_label": "Technicien alimentation de la CC",
        "loan_url": "https://deformations.example/prets/3",
    },
    "loan.completed": {
        "skill_label": "Technicien alimentation",
        "lender_name": "CC du Pays d'Évian",
        "borrower_name": "Commune d'Abondance",
        "hours": 7.5,
        "feedback_url": "https://deformations.example/prets/3/avis",
    },
    "loan.cancelled": {
        "skill_label": "Technicien alimentation",
        "lender_name": "CC du Pays d'Évian",
        "borrower_name": "Commune d'Abondance",
        "reason": "Agent indisponible",
        "loan_url": "https://deformations.example/prets/3",
    },
    "session.scheduled": {
        "title": "Café élus-techniciens",
        "start": START.isoformat(),
        "end": END.isoformat(),
        "modality": "on_site",
        "location": "Mairie d'Abondance, salle du conseil",
        "session_url": "https://deformations.example/seances/11",
    },
    "session.rescheduled": {
        "title": "Café élus-techniciens",
        "previous_start": "2026-11-30T17:00:00+00:00",
        "start": START,
        "end": END,
        "modality": "remote",
        "join_url": "https://visio.example/cafe",
        "session_url": "https://deformations.example/seances/11",
    },
    "session.reminder": {
        "title": "Café élus-techniciens",
        "when": "demain à 18 h",
        "start": START,
        "end": END,
        "modality": "remote",
        "join_url": "https://visio.example/cafe",
        "session_url": "https://deformations.example/seances/11",
    },
    "speed_dating.marks_due": {
        "title": "Speed dating entre voisins — soirée de 3 tour(s)",
        "start": START,
        "marks_url": "https://deformations.example/speed-dating/12#atomes-crochus",
    },
    "session.cancelled": {
        "title": "Café élus-techniciens",
        "start": START,
        "reason": "Tempête annoncée",
    },
    "relay.message": {
        "sender_label": "Une élue de la commune d'Abondance",
        "subject": "Votre retour sur le PAT",
        "body": "Bonjour,\nPourriez-vous me raconter comment vous avez démarré ?",
        "reply_url": "https://deformations.example/relais/abc",
        "report_url": "https://deformations.example/v1/relay/report?token=sample",
    },
    "content.hidden": {
        "content_label": "votre appel à pairs",
        "reason": "Propos injurieux envers une autre commune",
        "content_url": "https://deformations.example/pairs",
    },
    "enrolment.confirmed": {
        "theme": "Énergie",
        "format_label": "une soirée",
        "price": "75\u00a0€",
        "grouped": True,
        "offer_url": "https://deformations.example/formations/21",
    },
    "enrolment.waitlisted": {
        "theme": "Énergie",
        "format_label": "une soirée",
        "position": 2,
        "grouped": False,
        "offer_url": "https://deformations.example/formations/21",
    },
    "enrolment.promoted": {
        "theme": "Énergie",
        "format_label": "une soirée",
        "price": "150\u00a0€",
        "grouped": False,
        "offer_url": "https://deformations.example/formations/21",
    },
    "enrolment.cancelled": {
        "theme": "Énergie",
        "format_label": "une soirée",
        "was_waitlisted": False,
        "grouped": False,
        "offer_url": "https://deformations.example/formations/21",
    },
    "rebond.proposed": {
        "theme": "Alimentation et agriculture",
        "rebond_label": "un autre module",
        "one_year_later": False,
        "rebond_url": "https://deformations.example/formations/parcours",
        "offer_url": "https://deformations.example/formations/22",
    },
    "evaluation.due": {
        "theme": "Énergie",
        "evaluation_label": "Impact à 6 mois",
        "impact": True,
        "reminder": False,
        "evaluation_url": "https://deformations.example/formations/questionnaires/5",
    },
    "programme.invited": {
        "recipe_title": "La non-conférence",
        "territory_name": "CC du Clunisois",
        "programme_url": "https://deformations.example/programmes/31",
    },
    "programme.review_due": {
        "recipe_title": "La non-conférence",
        "questions": 3,
        "programme_url": "https://deformations.example/programmes/31",
    },
}
