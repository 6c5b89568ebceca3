"""会签: the units a page concerns confirm exactly the content to be published.

The requesting unit names the units (ConfirmationTarget, its schema); each gets a request with a
snapshot of the content in the public schema (ConfirmationRequest), so the other unit never reads the
requesting unit's schema. The 会签确认 task waits for every answer; deadlines remind and escalate.
"""
