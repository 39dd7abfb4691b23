"""Local stand-ins of the Slack Web API and the Teams connector, for tests and the demo."""
