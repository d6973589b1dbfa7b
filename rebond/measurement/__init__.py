"""Measurement-based care: trajectories, the honest progress signal, charts, reports.

The statistics live in `psychometrics.signals` (pure functions: reliable change from intake,
the review session, divergence; no expected line); this app reads scored submissions, keeps
each couple's latest signal for the caseload, raises the progress alert through
`rebond.alerts`, and draws the charts and reports.
"""
