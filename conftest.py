pytest_plugins = ["deformations_devtools.testing"]
