"""The French pages that the links of mails open (unsubscribe, reply), with their templates."""

from fastapi import APIRouter

from deformations_notifications.web import relay, unsubscribe

routers: list[APIRouter] = [unsubscribe.router, relay.router]
