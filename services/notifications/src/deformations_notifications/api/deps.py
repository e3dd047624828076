"""What the endpoints share: the service's clock and settings."""

from typing import Annotated

from fastapi import Depends, Request

from deformations_notifications.clock import Clock
from deformations_notifications.settings import NotificationsSettings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_settings(request: Request) -> NotificationsSettings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, NotificationsSettings)
    return settings


ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[NotificationsSettings, Depends(get_settings)]
