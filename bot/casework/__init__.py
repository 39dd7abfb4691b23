"""Case services shared by the command handlers and the scheduler's sweeps.

Writing a case change with its timers (`tracking`), queueing notifications in the outbox
(`alerts`, encoded by `payload`) and the incident status cards (`incident_notices`). They sit
below `bot.commands` and `bot.jobs` so that a sweep never reaches into a handler's module.
"""
