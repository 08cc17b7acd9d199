//! `stacklint docs`: generated blocks in Markdown files.
