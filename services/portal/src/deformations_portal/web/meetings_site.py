"""The meeting pages of the portal (peer groups, cafés, speed dating), matching's."""

from fastapi import APIRouter

from deformations_portal.web import (
    meetings_cafe_review,
    meetings_gatherings,
    meetings_peers,
    meetings_relay,
    meetings_sessions,
)

routers: list[APIRouter] = [
    meetings_peers.router,
    meetings_sessions.router,
    meetings_gatherings.router,
    meetings_cafe_review.router,
    meetings_relay.router,
]
