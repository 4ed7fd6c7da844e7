"""Media links, signed locally with no network call: CDN token authentication, Stream tokens, R2 presigning.

``cdn`` and ``stream`` are on the play path and import only the standard library
(``stream`` adds ``cryptography`` when first used); ``r2`` imports boto3 lazily.
"""
