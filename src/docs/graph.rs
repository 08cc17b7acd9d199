//! `stacklint graph`: services and their dependencies as Mermaid or DOT (see `render`).
