//! Hand-written parsers for the line-based formats stacklint reads (see each module for why).
pub mod dockerfile;
pub mod dotenv;
pub mod nginx;
pub mod prometheus;
pub mod python;
pub mod registry;
pub mod systemd;
