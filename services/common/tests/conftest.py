from runtime_harness import harness

__all__ = ["harness"]
