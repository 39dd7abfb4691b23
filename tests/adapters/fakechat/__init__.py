"""FakeChat: a third chat platform that exists only in the tests, plugged in like Slack and Teams.

It is the worked example of CONTRIBUTING.md "Adding a platform": a `ChatPlatform` object
(`platform.py`), a renderer (`render.py`), and one registration (the contract suite passes
`(*PLATFORMS, FakeChatPlatform(...))` to the server where `bot/adapters/registry.py` lists the
real ones). Its chat service is a loopback stand-in (`standin.py`).
"""
