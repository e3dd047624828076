"""The training pages of the portal, in the order their paths must be matched."""

from fastapi import APIRouter

from deformations_portal.web import (
    programme_boussole,
    programme_carnet,
    programme_open_space,
    programme_recipes,
    training,
    training_budget,
    training_next_step,
    training_programmes,
    training_trainer,
)

routers: list[APIRouter] = [
    training_trainer.router,
    training_budget.router,
    programme_open_space.router,
    programme_carnet.router,
    programme_boussole.router,
    programme_recipes.router,
    training_programmes.router,
    training_next_step.router,  # before /formations/{offer_id}
    training.router,
]
