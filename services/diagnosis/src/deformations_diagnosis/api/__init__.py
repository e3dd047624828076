"""The HTTP API of the diagnosis: thin routers that parse, call one use case and render."""

from deformations_diagnosis.api import calibration, campaigns, questionnaire_versions, responses

routers = (
    responses.router,
    campaigns.router,
    calibration.router,
    questionnaire_versions.router,
)
