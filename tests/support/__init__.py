"""What the tests share: clients (`clients`), local HTTP servers (`servers`), fixtures (`fixtures`,
registered in tests/conftest.py), and helpers for moderation (`moderation`) and the portal index (`portal`).

Test modules import from here, never from each other and never from bench/.
"""
