"""The async path: Ably's integration-rule envelope and the SQS batch consumer."""
