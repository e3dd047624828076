"""What every router shares: the typed runtime and the actor of a request."""

from typing import Annotated

from fastapi import Depends

from deformations_common.auth import Principal
from deformations_common.service import Runtime, get_runtime
from deformations_training.domain.policy import Actor
from deformations_training.settings import TrainingSettings

RuntimeDep = Annotated[Runtime[TrainingSettings], Depends(get_runtime)]


def actor(principal: Principal) -> Actor:
    return Actor(principal.sub, principal.authority, frozenset(principal.roles))
