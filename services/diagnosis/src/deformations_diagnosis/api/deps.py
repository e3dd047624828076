"""What a request handler of the diagnosis receives: the runtime, typed with its settings."""

from typing import Annotated

from fastapi import Depends

from deformations_common.service import Runtime, get_runtime
from deformations_diagnosis.settings import DiagnosisSettings

RuntimeDep = Annotated[Runtime[DiagnosisSettings], Depends(get_runtime)]
