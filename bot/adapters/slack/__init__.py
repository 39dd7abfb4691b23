"""Slack: the bolt adapter, its delivery, identity, installs and manifest."""
