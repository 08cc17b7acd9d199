#!/usr/bin/env python3
"""Builds a starting corpus for each fuzz target from the project's own fixtures (testdata/).

Run from fuzz/: `python3 seed.py`, then `cargo +nightly fuzz run <target> corpus/<target>`.
Multi-file targets take NUL-separated texts in the order their source file names them, so a seed
is a fixture directory's files joined in that order (a missing file is an empty text).
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "testdata"
OUT = pathlib.Path(__file__).resolve().parent / "corpus"


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def text(p):
    try:
        return p.read_bytes()
    except OSError:
        return b""


def seed_single(target, patterns):
    n = 0
    for pat in patterns:
        for p in sorted(ROOT.rglob(pat)):
            if p.is_file():
                write(target, f"{n:04}", text(p))
                n += 1


def first(d, names):
    for name in names:
        for p in sorted(d.rglob(name)):
            if p.is_file():
                return text(p)
    return b""


def seed_multi(target, slots):
    """slots: one list of candidate file names per NUL-separated part."""
    n = 0
    for d in sorted({p.parent for p in ROOT.rglob("*") if p.is_file()}):
        parts = [first(d, names) for names in slots]
        if sum(1 for p in parts if p) >= 1:
            write(target, f"{n:04}", b"\0".join(parts))
            n += 1


YAML = ["*.yml", "*.yaml"]
COMPOSE = ["docker-compose.yml", "compose.yaml", "docker-compose.yaml", "compose.yml"]
seed_single("yaml", YAML)
seed_single("config", [".stacklint.yaml", ".stacklint.yml"])
seed_single("dockerfile", ["Dockerfile*"])
seed_single("dotenv", [".env", "*.env"])
seed_single("systemd", ["*.service"])
seed_multi("compose", [COMPOSE, ["docker-compose.override.yml"], [".env"], ["Dockerfile"], ["docker-compose.prod.yml"]])
seed_multi("k8s", [["*.yaml"], ["kustomization.yaml"], ["kustomization.yml"], ["*.yml"]])
seed_multi("markdown", [["README.md"], COMPOSE, ["*.md"]])
seed_multi("claims", [COMPOSE, ["ports.yaml", "*registry*"], ["prometheus*.yml"], ["*rules*.yml"],
                      ["nginx.conf", "*.conf"], ["*.sh"], ["Makefile"], ["ci.yml"]])
for d in sorted(OUT.iterdir()):
    print(f"{d.name}: {len(list(d.iterdir()))} seeds")
