"""Measurement-based care: trajectories, expected recovery, not-on-track signals, charts, reports.

The statistics live in `psychometrics.recovery` (pure functions); this app reads scored
submissions, keeps each couple's latest signal for the caseload, raises the not-on-track alert
through `rebond.alerts`, and draws the charts and reports.
"""
