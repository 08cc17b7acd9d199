#!/bin/sh
# The development search replaces the released one: never both.
cd "$(dirname "$0")/.." && docker compose -f docker-compose.search-dev.yml up -d
