"""The end-to-end tests share the running stack and relay fixtures of tests/conftest.py."""
