"""Rehab Buddy: the application, settings, CLI, scheduling and the Bot API emulator."""

__version__ = "0.1.0"
