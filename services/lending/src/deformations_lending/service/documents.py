"""The convention and attestation of a loan, and the questionnaires' results per offer."""

from uuid import UUID

from deformations_common.vocabulary.french import PARIS
from deformations_lending.documents import Document, Party, build_attestation, build_convention
from deformations_lending.domain.collectivites import Collectivite, describe
from deformations_lending.domain.errors import OfferNotFoundError
from deformations_lending.domain.feedback import Respondent, RespondentResults, summarise
from deformations_lending.domain.policy import Actor, Command, Parties
from deformations_lending.service.access import allow
from deformations_lending.service.loans import visible_loan
from deformations_lending.service.uow import LendingUnitOfWork


def _party(collectivite: Collectivite) -> Party:
    return Party(siren=collectivite.siren, name=collectivite.name, kind=collectivite.kind)


async def convention(uow: LendingUnitOfWork, actor: Actor, loan_id: UUID) -> Document:
    """The convention de mise à disposition between the two collectivités."""
    record = await visible_loan(uow, actor, loan_id, Command.DOWNLOAD_CONVENTION)
    loan = record.loan
    offer = await uow.offers.get_offer(loan.offer_id)
    assert offer is not None
    return build_convention(
        loan,
        offer,
        lender=_party(describe(loan.lender)),
        borrower=_party(describe(loan.borrower)),
        issued_on=uow.now().astimezone(PARIS).date(),
    )


async def attestation(uow: LendingUnitOfWork, actor: Actor, loan_id: UUID) -> Document:
    """The attestation of the half-days held, for the agent."""
    record = await visible_loan(uow, actor, loan_id, Command.DOWNLOAD_ATTESTATION)
    loan = record.loan
    return build_attestation(
        loan,
        lender=_party(describe(loan.lender)),
        borrower=_party(describe(loan.borrower)),
        issued_on=uow.now().astimezone(PARIS).date(),
    )


async def offer_feedback(
    uow: LendingUnitOfWork, actor: Actor, offer_id: UUID
) -> dict[Respondent, RespondentResults]:
    """Results of the questionnaires of an offer's loans; the agents' answers show only
    from three answers on."""
    allow(actor, Command.BROWSE, Parties())
    offer = await uow.offers.get_offer(offer_id)
    if offer is None:
        raise OfferNotFoundError("Cette offre n'existe pas.")
    return summarise(await uow.loans.feedback_of_offer(offer_id))
