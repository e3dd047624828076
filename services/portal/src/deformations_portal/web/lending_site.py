"""The skill-lending pages of the portal."""

from fastapi import APIRouter

from deformations_portal.web import lending, lending_loans

routers: list[APIRouter] = [lending.router, lending_loans.router]
