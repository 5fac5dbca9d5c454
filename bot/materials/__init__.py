"""Words and pictures: loading the exercise and lesson catalogue from ``content/``, rendering
message templates, the content check, and the charts. The data itself lives in ``content/``.
May import the rules; never Telegram, ``db/`` or ``handlers/``."""
