"""chatmod local mode: the whole system on one machine, standing in for Ably and AWS.

Embedded AWS (moto), an Ably emulator, the HTTP API hosting the stack's
functions, and pollers for the queue and the bans stream. A development tool,
never deployed: ``lambdas/`` never imports this package. The handlers run
unchanged; local mode differs by configuration only (endpoints, keys).
"""
