//! Hand-written parsers for the line-based formats stacklint reads (see each module for why).
pub mod dockerfile;
pub mod dotenv;
