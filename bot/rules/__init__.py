"""The rules: plain functions over plain data (placement, plan, progression, due times, stats,
typed check-ins, time zones, family, practice). No Telegram, no database, no clock read: time
and content are passed in. May import only other rule modules and the standard library."""
