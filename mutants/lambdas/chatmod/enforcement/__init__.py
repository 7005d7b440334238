"""What follows a decision: bans, the strike ladder, tokens and revocation, audit events."""
