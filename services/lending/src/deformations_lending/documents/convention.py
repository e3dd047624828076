"""The mise à disposition convention between the two collectivités.

Legal frame (fonction publique territoriale): code général de la fonction publique,
articles L. 512-6 (definition), L. 512-7 (the agent's agreement and a convention between
the administrations), L. 512-8 (possible hosts, among them collectivités territoriales),
L. 512-9 (the host's rules of service) and L. 512-11 (reimbursement as the rule); décret
n° 2008-580 du 18 juin 2008 (content of the convention, prior information of the
deliberative assembly, three years at most, renewable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from deformations_contracts.themes import label as theme_label
from deformations_contracts.types import Modality
from deformations_contracts.values import HALF_DAY_MINUTES
from deformations_lending.domain.calendar import day_label, half_days_label
from deformations_lending.domain.errors import InvalidTransitionError
from deformations_lending.domain.ledger import hours
from deformations_lending.domain.loan_model import Approval, Loan, LoanStatus, SessionStatus
from deformations_lending.domain.offers import REIMBURSEMENT_LABELS, Offer, ReimbursementBasis

from .model import Document, Section


@dataclass(frozen=True, slots=True)
class Party:
    """A collectivité as named in a document."""

    siren: str
    name: str
    kind: str = "commune"  # "commune", or an EPCI / département named in full by ``name``

    @property
    def designation(self) -> str:
        """« la commune de Péronnas », « la commune d'Ambérieu-en-Bugey »; others by name."""
        if self.kind != "commune":
            return self.name
        elided = self.name[:1].lower() in "aeiouyhàâéèêîôûœ"
        return f"la commune {'d' + chr(39) if elided else 'de '}{self.name}"


LEGAL_BASIS = (
    "Vu le code général des collectivités territoriales ;",
    "Vu le code général de la fonction publique, notamment ses articles L. 512-6 à L. 512-9 "
    "et L. 512-11 relatifs à la mise à disposition ;",
    "Vu le décret n° 2008-580 du 18 juin 2008 relatif au régime de la mise à disposition "
    "applicable aux collectivités territoriales et aux établissements publics administratifs "
    "locaux ;",
)

MODALITY_LABELS = {
    Modality.ON_SITE: "dans les locaux de la collectivité d'accueil",
    Modality.REMOTE: "à distance",
    Modality.EITHER: (
        "dans les locaux de la collectivité d'accueil ou à distance, selon les séances"
    ),
}


def reference(loan: Loan) -> str:
    return f"MAD-{loan.id.hex[:8].upper()}"


def _parties_text(lender: Party, borrower: Party) -> tuple[str, ...]:
    return (
        f"Entre {lender.designation} (SIREN {lender.siren}), représentée par son autorité "
        "territoriale, ci-après « la collectivité d'origine »,",
        f"et {borrower.designation} (SIREN {borrower.siren}), représentée par son autorité "
        "territoriale, ci-après « la collectivité d'accueil »,",
        "il est convenu ce qui suit.",
    )


def _schedule(loan: Loan) -> tuple[str, ...]:
    planned = sorted(
        s.half_day
        for s in loan.sessions
        if s.status in {SessionStatus.SCHEDULED, SessionStatus.CONFIRMED, SessionStatus.HELD}
    )
    return tuple(h.label() for h in planned)


def _reimbursement(offer: Offer, loan: Loan) -> tuple[str, ...]:
    basis = REIMBURSEMENT_LABELS[offer.reimbursement]
    paragraphs = [
        "Conformément à l'article L. 512-11 du code général de la fonction publique, la mise à "
        "disposition donne lieu à remboursement par la collectivité d'accueil à la collectivité "
        "d'origine, sauf dérogation prévue par les textes.",
        f"Modalités retenues : {basis}.",
    ]
    if offer.reimbursement_details:
        paragraphs.append(f"Précisions : {offer.reimbursement_details}")
    if offer.reimbursement in {ReimbursementBasis.EXPENSES_ONLY, ReimbursementBasis.NONE}:
        paragraphs.append(
            "Les parties attestent que les conditions de la dérogation au remboursement sont "
            "réunies ; à défaut, la rémunération de l'agent est remboursée au prorata des "
            "demi-journées effectuées."
        )
    paragraphs.append(
        "Le remboursement est établi au vu de l'état des demi-journées effectivement "
        f"effectuées (une demi-journée comptant pour {hours(HALF_DAY_MINUTES)}), tenu par "
        f"la plateforme pour un maximum de {half_days_label(loan.half_days)}."
    )
    return tuple(paragraphs)


def build_convention(
    loan: Loan, offer: Offer, *, lender: Party, borrower: Party, issued_on: date
) -> Document:
    """The convention of an agreed (or completed) loan."""
    if loan.status not in {LoanStatus.AGREED, LoanStatus.COMPLETED}:
        raise InvalidTransitionError(
            "La convention n'est établie qu'une fois le prêt convenu par les deux collectivités."
        )
    if lender.siren != loan.lender or borrower.siren != loan.borrower:
        raise InvalidTransitionError("Les collectivités indiquées ne sont pas celles du prêt.")
    consent = loan.approvals.get(Approval.AGENT)
    consent_text = (
        f"L'agent a donné son accord à la présente mise à disposition le "
        f"{day_label(consent.date())}, conformément à l'article L. 512-7 du code général de la "
        "fonction publique."
        if consent
        else "L'accord de l'agent est requis (article L. 512-7 du code général de la fonction "
        "publique)."
    )
    schedule = _schedule(loan)
    possible = ", ".join(w.label() for w in sorted(loan.possible_half_days))
    sections = (
        Section(
            "Article 1 – Objet",
            (
                f"La présente convention a pour objet la mise à disposition, par la collectivité "
                f"d'origine au profit de la collectivité d'accueil, d'un agent exerçant les "
                f"fonctions de {loan.agent_role}, pour une durée de "
                f"{half_days_label(loan.half_days)}, dans le domaine "
                f"« {theme_label(loan.theme)} ».",
            ),
        ),
        Section(
            "Article 2 – Nature et périmètre des activités",
            (
                f"L'agent mis à disposition exerce les activités suivantes : {loan.scope}",
                f"Compétence mobilisée : {offer.description}",
                "Ces fonctions sont d'un niveau hiérarchique comparable à celles qu'il exerce "
                "dans sa collectivité d'origine.",
            ),
        ),
        Section(
            "Article 3 – Durée et calendrier",
            (
                f"La mise à disposition est conclue {loan.period.label()}, pour "
                f"{half_days_label(loan.half_days)} au plus, soit "
                f"{hours(loan.half_days * HALF_DAY_MINUTES)} de travail.",
                f"Les demi-journées ont lieu {MODALITY_LABELS[loan.modality]}, parmi les "
                f"créneaux suivants : {possible}.",
                "Demi-journées déjà planifiées :"
                if schedule
                else "Les demi-journées sont "
                "planifiées d'un commun accord entre les parties, sur la plateforme, et "
                "communiquées à l'agent.",
            ),
            schedule,
        ),
        Section(
            "Article 4 – Conditions d'emploi",
            (
                "Conformément à l'article L. 512-6 du code général de la fonction publique, "
                "l'agent demeure dans son cadre d'emplois, est réputé occuper son emploi et "
                "continue de percevoir la rémunération correspondante, versée par la "
                "collectivité d'origine.",
                "Pendant les demi-journées de mise à disposition, l'agent est soumis aux règles "
                "d'organisation et de fonctionnement du service qui l'accueille (article "
                "L. 512-9). La collectivité d'origine conserve la gestion de sa situation "
                "administrative : congés, formation, évaluation et pouvoir disciplinaire.",
                "Les frais de déplacement engagés par l'agent pour la mission lui sont remboursés "
                "selon la réglementation applicable aux agents territoriaux ; leur prise en "
                "charge entre les collectivités suit l'article 5.",
            ),
        ),
        Section("Article 5 – Remboursement", _reimbursement(offer, loan)),
        Section(
            "Article 6 – Accord et information de l'agent",
            (
                consent_text,
                "La présente convention lui est communiquée avant le début de la mise à "
                "disposition. L'organe délibérant de la collectivité d'origine en est "
                "préalablement informé.",
            ),
        ),
        Section(
            "Article 7 – Suivi et valorisation",
            (
                "À l'issue de la mise à disposition, la collectivité d'accueil, la collectivité "
                "d'origine et l'agent sont invités à répondre à un court questionnaire de "
                "retour d'expérience. Une attestation de mise à disposition est remise à "
                "l'agent.",
            ),
        ),
        Section(
            "Article 8 – Modification et fin anticipée",
            (
                "Toute modification de la présente convention fait l'objet d'un avenant. La "
                "mise à disposition peut prendre fin avant son terme à la demande de l'une des "
                "parties ou de l'agent, en prévenant les autres parties ; les demi-journées "
                "non effectuées ne donnent pas lieu à remboursement.",
            ),
        ),
    )
    return Document(
        kind="convention",
        title="Convention de mise à disposition d'un agent",
        subtitle="Prêt de compétences entre collectivités territoriales",
        reference=f"Référence : {reference(loan)}",
        preamble=(*LEGAL_BASIS, *_parties_text(lender, borrower)),
        sections=sections,
        signatures=(
            f"Pour {lender.name}, collectivité d'origine, l'autorité territoriale",
            f"Pour {borrower.name}, collectivité d'accueil, l'autorité territoriale",
        ),
        place_and_date=f"Établie le {day_label(issued_on)}, en deux exemplaires originaux.",
        notice=(
            "Document établi à partir des informations saisies sur la plateforme de prêt de "
            "compétences ; il est à relire par les services juridiques et des ressources "
            "humaines avant signature."
        ),
    )
