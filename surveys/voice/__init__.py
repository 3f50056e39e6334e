"""Customer voice on the write side: contact details given with consent, and the follow-up cases they open."""
