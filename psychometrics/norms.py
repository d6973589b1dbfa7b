"""Norm arithmetic: standard errors and Jacobson-Truax clinical cut-offs.

Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical
approach to defining meaningful change in psychotherapy research. Journal of
Consulting and Clinical Psychology, 59(1), 12-19. Formulas as checked in
INSTRUMENTS-VERIFICATION.md section 11 (psyctc.org RC calculator; R package
clinicalsignificance):

- SE = SD * sqrt(1 - r); Sdiff = sqrt(2) * SE.
- a = M_dysfunctional +/- 2 SD_dysfunctional (towards the functional side).
- b = M_functional -/+ 2 SD_functional (towards the dysfunctional side).
- c = (SD_f * M_d + SD_d * M_f) / (SD_f + SD_d).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from psychometrics.errors import InvalidNorms
from psychometrics.model import Norms

__all__ = [
    "Population",
    "check_norms",
    "cutoff_a",
    "cutoff_b",
    "cutoff_c",
    "standard_error",
    "standard_error_of_difference",
]


@dataclass(frozen=True, slots=True)
class Population:
    """Mean and SD of a functional or dysfunctional norm group."""

    mean: float
    sd: float


def check_norms(norms: Norms) -> Norms:
    """Return the norms if usable: SD > 0 and reliability in [0, 1)."""
    if not (math.isfinite(norms.sd) and norms.sd > 0):
        raise InvalidNorms(f"SD must be a positive number, not {norms.sd}")
    if not 0 <= norms.reliability < 1:
        raise InvalidNorms(f"reliability must be at least 0 and below 1, not {norms.reliability}")
    return norms


def standard_error(sd: float, reliability: float) -> float:
    """Return the standard error of measurement, SD * sqrt(1 - r)."""
    return sd * math.sqrt(1 - reliability)


def standard_error_of_difference(sd: float, reliability: float) -> float:
    """Return Sdiff = sqrt(2 * SE^2) = sqrt(2) * SE."""
    return math.sqrt(2) * standard_error(sd, reliability)


def cutoff_a(dysfunctional: Population, *, higher_is_better: bool) -> float:
    """Return cut-off a: two SDs beyond the dysfunctional mean, towards health."""
    step = 2 * dysfunctional.sd
    return dysfunctional.mean + step if higher_is_better else dysfunctional.mean - step


def cutoff_b(functional: Population, *, higher_is_better: bool) -> float:
    """Return cut-off b: two SDs from the functional mean, towards dysfunction."""
    step = 2 * functional.sd
    return functional.mean - step if higher_is_better else functional.mean + step


def cutoff_c(functional: Population, dysfunctional: Population) -> float:
    """Return cut-off c, the SD-weighted midpoint of the two norm groups."""
    weighted = functional.sd * dysfunctional.mean + dysfunctional.sd * functional.mean
    return weighted / (functional.sd + dysfunctional.sd)
