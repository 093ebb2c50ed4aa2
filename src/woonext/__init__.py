"""woonext: keeps ERPNext in step with WooCommerce stores over both REST APIs."""

__version__ = "0.1.0"
