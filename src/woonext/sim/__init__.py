"""Simulators of WooCommerce and ERPNext that answer like the real systems (see docs/architecture.md)."""
