"""Runtime plumbing: settings, policy, errors, deadlines, observability, shared constants."""
