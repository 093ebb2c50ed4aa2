"""Pure mapping functions: WooCommerce records in, ERPNext documents out. No I/O, no clock."""
