#!/usr/bin/env python3
"""Deterministic generator of a synthetic GitOps monorepo for the stacklint benchmark.

    gen_monorepo.py OUT_DIR [--k8s N] [--compose M] [--docs K] [--scale F]

Writes, under OUT_DIR (which must not exist or be empty):
  k8s/<team>/app-<i>.yaml        N files, each a Deployment + Service + ConfigMap (3 documents)
  compose/proj-<j>/              M projects: docker-compose.yml, docker-compose.override.yml,
                                 docker-compose.prod.yml, .env, a Dockerfile for the built service
  docs/doc-<k>.md                K Markdown docs with a port table and a `docker compose -f` command
  ports.yaml                     a port registry naming every compose service
  monitoring/prometheus.yml      a Prometheus config scraping every Kubernetes Service

Same arguments, same bytes: no clock, no randomness beyond a seeded PRNG. `--scale F` multiplies
N, M and K (for the 10x scaling check). Only the standard library is used (Python 3.8+).
"""

import argparse
import os
import random
import sys

IMAGES = ["nginx:1.27", "redis:7.2", "postgres:16.3", "python:3.12-slim", "node:22-alpine", "busybox:1.36"]


def k8s_file(i: int, n: int, rng: random.Random) -> str:
    name = f"app-{i}"
    peer = (i + 1) % n
    ns = f"team-{i % 20}"
    port = 8000 + (i % 900)
    replicas = 1 + rng.randrange(3)
    image = f"registry.example.com/{name}:1.{i % 50}.{rng.randrange(10)}"
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
    tier: backend
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
        tier: backend
    spec:
      containers:
        - name: {name}
          image: {image}
          args: ["--port", "{port}", "--host", "0.0.0.0"]
          ports:
            - name: http
              containerPort: {port}
          env:
            - name: LOG_LEVEL
              value: info
            - name: UPSTREAM_URL
              value: http://app-{peer}.team-{peer % 20}.svc.cluster.local:80
          envFrom:
            - configMapRef:
                name: {name}-config
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          livenessProbe:
            httpGet:
              path: /health
              port: {port}
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: {ns}
data:
  FEATURE_FLAGS: "a,b,c"
  CACHE_TTL: "{60 + i % 600}"
  settings.ini: |
    [server]
    port = {port}
    workers = {1 + i % 8}
"""


def compose_project(j: int, rng: random.Random) -> dict:
    svc_count = 3 + (j % 4)
    base_port = 10000 + j * 10
    lines = ["services:"]
    names = []
    for s in range(svc_count):
        name = f"svc{s}"
        names.append(name)
        lines.append(f"  {name}:")
        if s == 0:
            lines += ["    build:", "      context: .", "      dockerfile: Dockerfile"]
            lines.append('    command: ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]')
        else:
            lines.append(f"    image: {IMAGES[(j + s) % len(IMAGES)]}")
        lines.append(f"    container_name: proj-{j}-{name}")
        lines.append("    ports:")
        lines.append(f'      - "{base_port + s}:{8000 + s}"')
        lines.append("    environment:")
        lines.append("      LOG_LEVEL: ${LOG_LEVEL:-info}")
        lines.append(f"      DATABASE_URL: postgres://app@db-{j}:5432/app")
        lines.append("      FEATURE_X: ${FEATURE_X}")
        lines.append("    healthcheck:")
        lines.append(f'      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:{8000 + s}/health"]')
        lines.append("      interval: 10s")
        if s > 0:
            lines.append("    depends_on:")
            lines.append("      svc0:")
            lines.append("        condition: service_healthy")
        lines.append("    restart: unless-stopped")
        lines.append("    networks: [backend]")
    lines += ["networks:", "  backend: {}", "volumes:", "  data: {}", ""]
    base = "\n".join(lines)
    override = f"""services:
  svc0:
    environment:
      DEBUG: "1"
    volumes:
      - ./src:/app/src
  svc1:
    ports:
      - "{base_port + 9}:9{rng.randrange(100):03d}"
"""
    prod = f"""services:
  svc0:
    image: registry.example.com/proj-{j}/svc0:2.{j % 30}
    deploy:
      replicas: 2
    environment:
      LOG_LEVEL: warning
"""
    env = f"LOG_LEVEL=info\nFEATURE_X={rng.randrange(2)}\nCOMPOSE_PROJECT_NAME=proj{j}\n"
    dockerfile = f"""FROM python:3.12-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
FROM python:3.12-slim
COPY --from=build /app /app
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
"""
    return {
        "docker-compose.yml": base,
        "docker-compose.override.yml": override,
        "docker-compose.prod.yml": prod,
        ".env": env,
        "Dockerfile": dockerfile,
        "requirements.txt": "gunicorn==22.0.0\n",
        "_services": [(n, base_port + s) for s, n in enumerate(names)],
    }


def markdown_doc(k: int, projects: list) -> str:
    out = [f"# Service notes {k}", "", "Ports published on the developer machine:", ""]
    out += ["| service | port | notes |", "|---|---|---|"]
    j = k % max(1, len(projects))
    if projects:
        for name, port in projects[j]:
            out.append(f"| {name} | {port} | project {j} |")
    out += ["", "Start it with:", "", "```sh"]
    out.append(f"docker compose -f compose/proj-{j}/docker-compose.yml up -d svc0")
    out += ["```", "", "Then `curl localhost:%d/health`." % (10000 + j * 10), ""]
    for p in range(3):
        out.append(f"Paragraph {p}: lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 2)
        out.append("")
    return "\n".join(out)


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--k8s", type=int, default=5000)
    ap.add_argument("--compose", type=int, default=1000)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=8)
    a = ap.parse_args()
    n, m, k = (int(round(x * a.scale)) for x in (a.k8s, a.compose, a.docs))
    if os.path.exists(a.out) and os.listdir(a.out):
        print(f"{a.out}: not empty", file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    files = 0
    for i in range(n):
        write(os.path.join(a.out, "k8s", f"team-{i % 20}", f"app-{i}.yaml"), k8s_file(i, n, rng))
        files += 1
    projects = []
    for j in range(m):
        p = compose_project(j, rng)
        projects.append(p.pop("_services"))
        for name, text in p.items():
            write(os.path.join(a.out, "compose", f"proj-{j}", name), text)
            files += 1
    for d in range(k):
        write(os.path.join(a.out, "docs", f"doc-{d}.md"), markdown_doc(d, projects))
        files += 1
    reg = ["# Port registry: one entry per published compose port", "ports:"]
    for j, svcs in enumerate(projects):
        for name, port in svcs:
            reg += [f"  - service: proj-{j}-{name}", f"    port: {port}", "    protocol: tcp"]
    write(os.path.join(a.out, "ports.yaml"), "\n".join(reg) + "\n")
    prom = ["global:", "  scrape_interval: 30s", "scrape_configs:"]
    for i in range(n):
        prom += [
            f"  - job_name: app-{i}",
            "    static_configs:",
            f"      - targets: ['app-{i}.team-{i % 20}.svc.cluster.local:80']",
        ]
    write(os.path.join(a.out, "monitoring", "prometheus.yml"), "\n".join(prom) + "\n")
    files += 2
    print(f"generated {files} files in {a.out}: {n} k8s, {m} compose projects, {k} docs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
