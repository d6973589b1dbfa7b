"""Safety and progress alerts: rules turn scored answers into Alert rows, for clinicians only.

An alert is written in the same transaction as the score that raised it, so it cannot be lost;
delivery (an out-of-band nudge with no clinical content) is a separate step that claims rows
with a conditional UPDATE, so several workers never send the same notification twice.
"""
