"""The simulated AWS estate: a seeded moto server (see ``control.Estate``) and the case as data."""

from awsassess.demo.control import Estate, EstateError

__all__ = ["Estate", "EstateError"]
