"""The training pages of the portal, in the order their paths must be matched."""

from fastapi import APIRouter

from deformations_portal.web import (
    training,
    training_budget,
    training_programmes,
    training_trainer,
)

routers: list[APIRouter] = [
    training_trainer.router,
    training_budget.router,
    training_programmes.router,
    training.router,
]
