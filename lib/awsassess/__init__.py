"""awsassess: read-only AWS architecture assessment suite."""

__version__ = "0.1.0"
