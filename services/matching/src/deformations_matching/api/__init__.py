"""HTTP API of the matching service (one router per subject)."""

from fastapi import APIRouter

from deformations_matching.api import (
    cafes,
    moderation,
    peers,
    proposals,
    recommendations,
    sessions,
    slots,
    speed_dating,
    statistics,
)

routers: list[APIRouter] = [
    proposals.router,
    peers.router,
    cafes.router,
    speed_dating.router,
    slots.router,
    sessions.router,
    recommendations.router,
    statistics.router,
    moderation.router,
]
