"""Tests of the treadmill adapters."""
