"""HTTP → event → notification latency (filled in once the slice exists)."""

from deformations_common.testing import Infra


async def measure_slice(infra: Infra, *, rate: float, seconds: float) -> dict[str, float]:
    del infra, rate, seconds
    return {}
