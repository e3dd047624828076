pytest_plugins = ["deformations_common.testing"]
