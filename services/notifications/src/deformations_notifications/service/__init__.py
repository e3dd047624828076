"""Use cases of the notifications service: one function per command or query, each over
a :class:`~deformations_notifications.service.uow.NotificationsUow`."""
