"""The moderation engine: providers score text, the policy turns scores into decisions."""
