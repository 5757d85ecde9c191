"""Imported once by the fork server that collector worker processes fork from.

It imports the collectors and loads the botocore models (API, endpoint rules, paginators) of every
service they call into the process-wide loader (:func:`awsassess.aws.tune_session` shares it), so a
worker forks with them parsed: about 1.5 s of CPU per worker otherwise (0.8 s of imports, 0.7 s of
model JSON), on the 2-core reference machine.
"""

from awsassess.collect.workers import warm_models

warm_models()
