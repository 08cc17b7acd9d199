#!/bin/sh
set -e
docker compose -f compose.prod.yaml up -d  # expect: doc-dead-reference
docker compose up -d apii db  # expect: doc-dead-reference
docker compose logs -f --tail 50 worker  # expect: doc-dead-reference
docker logs shop-cache  # expect: doc-dead-reference
docker build -f api/Dockerfile.prod .  # expect: doc-dead-reference
sudo systemctl restart biling  # expect: doc-dead-reference
