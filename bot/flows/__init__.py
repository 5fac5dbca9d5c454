"""The use cases: what happens when a person does something ("apply a tap to a session",
"record a typed check-in", "accept an invitation"). They combine the rules with ``db/`` inside a
transaction the caller opens, and return plain results that a handler renders.
May import the rules, the materials and ``db/``; never Telegram or ``handlers/``."""
