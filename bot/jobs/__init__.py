"""Scheduled work: the ticker and what it runs (prompts and lessons, digests, alerts), and
sending under Telegram's limits (pacing). A job is a use case that starts from the clock.
May import the rules, the use cases, the materials, ``db/`` and Telegram; never ``handlers/``."""
