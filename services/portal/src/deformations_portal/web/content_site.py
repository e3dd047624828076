"""The operators' content pages, as the app mounts them."""

from deformations_portal.web import operator_questionnaires, operator_recipes

routers = [operator_questionnaires.router, operator_recipes.router]
