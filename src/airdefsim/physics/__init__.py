"""Physics: the ISA atmosphere, ballistic arcs, interceptor flyout and guidance laws.

Submodules (imported on demand, this package imports nothing heavy):

``atmosphere``
    U.S. Standard Atmosphere 1976, vectorised (``isa``, ``isa_geopotential``,
    ``speed_of_sound``).
``guidance``
    Guidance laws as pure functions (PN, augmented PN, zero-effort miss) and the
    linear engagement models used to verify them.
``flyout``
    ``Interceptors``: every interceptor in flight as structure of arrays, 3-DOF point
    mass over the round earth.
``ballistic``
    ``ballistic_arc``: a ballistic (or quasi-ballistic) missile trajectory sampled for
    interpolation.
``routes``
    ``RouteSet``: closed-form threat routes (great-circle, table and arc legs) of every
    object at once; ``splice``/``break_turn`` change a route from a time on.
``manoeuvre``
    Threat manoeuvres: level-turn closed forms and ``plan_evasion``, terminal dive and
    pop-up profiles, terrain following, the ballistic terminal weave.
"""
