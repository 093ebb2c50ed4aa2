"""Reports for people and programs: the reconciliation as a terminal summary, JSON, CSV and one HTML file.

Renderers only: they take `mapping.reconcile.Report` objects and never talk to an API."""
