#!/bin/sh
set -e
cd "$(dirname "$0")/.."
docker compose -f compose.yaml up -d
docker compose -f "$COMPOSE_FILE" up -d
docker compose up -d api db
docker compose exec db psql -U postgres
docker compose logs -f --tail 50 api
docker compose run --rm api pytest tests
docker compose down --remove-orphans
docker logs shop-db
docker logs shop-api-1
docker logs "$CONTAINER"
docker build -f api/Dockerfile api
docker build -f - . < Dockerfile
sudo systemctl restart billing
sudo systemctl restart billing.service docker nginx
systemctl daemon-reload
systemctl start backup.timer
systemctl restart "$UNIT"
# docker compose up -d ghost
