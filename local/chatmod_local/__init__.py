"""chatmod local mode: development tools that stand in for Ably and AWS on one machine.

Not Lambda runtime: ``lambdas/`` never imports this package.
"""
