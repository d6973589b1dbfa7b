"""The couple's case: a couple, its two partners, and the clinicians on it."""
