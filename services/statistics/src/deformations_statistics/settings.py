"""Settings of the statistics service."""

from pydantic import Field

from deformations_common.settings import ServiceSettings


class StatisticsSettings(ServiceSettings):
    service_name: str = Field(default="statistics", pattern=r"^[a-z][a-z0-9_]*$")
    http_port: int = 8007
    # The licence of the open-data export (Etalab's Licence Ouverte 2.0 by default).
    open_data_licence: str = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
    open_data_licence_url: str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
