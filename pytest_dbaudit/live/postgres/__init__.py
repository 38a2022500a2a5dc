"""PostgreSQL live probes, one module per audit topic; importing registers them."""
