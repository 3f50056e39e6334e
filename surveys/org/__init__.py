"""The organisation: staff accounts, sign-in throttling and the team hierarchy."""
