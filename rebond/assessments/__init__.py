"""Administering instruments to partners: schedules, drafts, submissions, scores.

The only app that imports `psychometrics` (through `scoring.py`, the adapter).
"""
