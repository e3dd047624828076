"""What the endpoints share: the service's runtime, typed with its settings."""

from typing import Annotated

from fastapi import Depends

from deformations_common.service import Runtime, get_runtime
from deformations_notifications.settings import NotificationsSettings

RuntimeDep = Annotated[Runtime[NotificationsSettings], Depends(get_runtime)]
