from platform_harness import platform

__all__ = ["platform"]
