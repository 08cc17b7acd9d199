#!/bin/sh
# Runs the mailer's own docker-compose.yml (kept outside the repository) with its dev overlay.
docker compose -f docker-compose.yml -f ./dev/docker-compose.dev.yml down -v
