"""Server-rendered pages of the diagnosis, in French, usable without JavaScript.

``quiz`` and ``results`` hold the routes (each calls one use case); ``render``, ``flow`` and
``svg`` build the pages from plain data; ``templates/`` holds the Jinja templates and the
stylesheet of every page.
"""

from fastapi import APIRouter

from deformations_diagnosis.web import quiz, results

router = APIRouter(include_in_schema=False)
router.include_router(quiz.router)
router.include_router(results.router)
