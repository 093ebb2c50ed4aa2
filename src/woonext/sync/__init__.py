"""Business flows: one module per flow (setup, orders, migration, live sync). They read like the
process they run and leave every decision about money to `woonext.mapping`."""
