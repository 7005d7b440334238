"""Adapters: everything that talks to AWS, Ably or a provider, behind small interfaces."""
