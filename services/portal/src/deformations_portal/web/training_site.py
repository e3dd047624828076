"""The training pages of the portal, in the order their paths must be matched."""

from fastapi import APIRouter

from deformations_portal.web import (
    training,
    training_budget,
    training_next_step,
    training_programmes,
    training_trainer,
)

routers: list[APIRouter] = [
    training_trainer.router,
    training_budget.router,
    training_programmes.router,
    training_next_step.router,  # before /formations/{offer_id}
    training.router,
]
