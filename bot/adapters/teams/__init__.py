"""Microsoft Teams: the Agents SDK adapter, its delivery, identity, installs and manifest."""
