"""Solvable models, one module each, all following the same protocol.

Each module defines a frozen, validated config dataclass and two pure functions::

    simulate(config, *, seeds, ...) -> SimulationResult   # Monte Carlo, exact where possible
    predict(config, ...) -> Prediction                     # theory: closed form / equations

Import the module you need, e.g. ``from scalinglab.models import mrs``.
"""
