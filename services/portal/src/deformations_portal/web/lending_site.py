"""The skill-lending pages of the portal."""

from fastapi import APIRouter

from deformations_portal.web import lending, lending_loans, lending_results

# The ledger's fixed path comes before the loan page's /prets/{loan_id}.
routers: list[APIRouter] = [lending_results.router, lending.router, lending_loans.router]
