"""The workout core: programs and the session state machine.

Pure Python: nothing in this package imports Home Assistant. Time comes from an
injected clock so every rule can be tested deterministically.
"""
