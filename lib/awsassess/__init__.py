"""awsassess: read-only AWS architecture assessment suite."""

# Not bumped per change: caches and resume digests identify the code by awsassess.codedigest.code_digest().
__version__ = "0.1.0"
