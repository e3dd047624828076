"""What every router of matching depends on: the service's typed runtime."""

from typing import Annotated

from fastapi import Depends

from deformations_common.service import Runtime, get_runtime
from deformations_matching.settings import MatchingSettings

RuntimeDep = Annotated[Runtime[MatchingSettings], Depends(get_runtime)]
