"""Duties (第六条（七）): who holds each duty in a unit, the information centre's overview, the audit export."""
