"""What every router shares: the typed runtime, and who may read the statistics."""

from typing import Annotated

from fastapi import Depends

from deformations_common.auth import CurrentPrincipal, Principal
from deformations_common.service import Runtime, get_runtime
from deformations_common.vocabulary.roles import Role
from deformations_statistics.settings import StatisticsSettings

RuntimeDep = Annotated[Runtime[StatisticsSettings], Depends(get_runtime)]


def reader(principal: CurrentPrincipal) -> Principal:
    """Operators of the platform and its partners (Région, départements) read the figures."""
    principal.require(Role.OPERATOR, Role.PARTNER)
    return principal


Reader = Annotated[Principal, Depends(reader)]
