"""The training pages of the portal, in the order their paths must be matched."""

from fastapi import APIRouter

from deformations_portal.web import training

routers: list[APIRouter] = [training.router]
