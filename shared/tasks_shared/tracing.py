"""What the functions' X-Ray tracers patch: only the library the functions call, botocore.

Powertools' Tracer patches every library the X-Ray SDK knows by default (`patch_all`): that imports
`requests` (and charset_normalizer) and probes sqlite3, psycopg, pg8000, SQLAlchemy and more at every
cold start, for calls no function makes. boto3's clients are botocore clients, so patching botocore
alone still records every AWS call as a subsegment (tests/integration/test_tracing.py holds it).
"""

TRACED_MODULES = ("botocore",)
