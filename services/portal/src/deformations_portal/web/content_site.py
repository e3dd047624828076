"""The operators' content pages, as the app mounts them."""

from deformations_portal.web import operator_questionnaires

routers = [operator_questionnaires.router]
