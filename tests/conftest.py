from browser import browsers
from platform_harness import platform
from runtime_harness import harness

__all__ = ["browsers", "harness", "platform"]
