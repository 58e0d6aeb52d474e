"""Statutory deadlines of a case (to be completed: see calendar.py)."""


def case_deadlines(case, today=None):
    return []
