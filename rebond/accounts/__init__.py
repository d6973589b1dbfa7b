"""Clinics (the tenants), clinicians with roles, login; `access.py` is the clinical gateway."""
