"""The pure domain of the diagnosis: validation, scoring, collective results, calibration.

No I/O, no clock, no unseeded randomness: the service layer wires these functions to HTTP,
PostgreSQL and RabbitMQ.
"""
