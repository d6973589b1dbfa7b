"""Outcome benchmarking for the clinic (issue 17 item 4): how much the partners of its closed
cases changed, side by side with published couple-therapy benchmarks, as a page, a chart and a
PDF for the clinic's annual review. The arithmetic is `psychometrics.benchmarks`; which rows
count and who may see them is `rebond.access.outcomes`; docs/benchmarks.md explains it all."""
