"""The data's whole life: how long a clinic keeps closed cases, the daily retention sweep,
erasing a case, and erasing one partner's own data on request (GDPR Art. 17)."""
