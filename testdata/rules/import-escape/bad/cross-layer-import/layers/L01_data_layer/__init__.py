"""L01 data layer: database and Redis clients."""
