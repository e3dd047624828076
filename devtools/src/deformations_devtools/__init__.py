"""What developers run and never ships: test support, demo scenarios, synthetic data, benchmarks.

Production images install the services only; this distribution is a dev dependency of the
workspace. Per service, its demo, synthetic data and bench support live in
``deformations_devtools.<service>``.
"""
