"""The console's routes, one router per audience (included by ``create_app``):

- :mod:`.auth` — login, logout, the home redirect, the cookie notice;
- :mod:`.trainee` — my activities, starting an exercise, the console page;
- :mod:`.sessions` — results and reviews (the trainee, their instructor, admins);
- :mod:`.instructor` — scenarios, assignments, trainees' results;
- :mod:`.admin` — accounts;
- :mod:`.live` — the console's WebSocket;
- :mod:`.common` — the basemap and the health check.
"""
