"""`supportbot demo`: a scripted tour through the real adapters against local stand-ins."""
