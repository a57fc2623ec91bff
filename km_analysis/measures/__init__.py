"""Measures: the period of a report, each tambon's progress, the province, the KM tools' data.

Functions here take `Records` and plain values and return numbers or frames; they never read
files or draw.
"""
