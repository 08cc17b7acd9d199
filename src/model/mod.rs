//! The cross-file world: every file's facts and claims, indexed for the rules.
pub mod endpoints;
pub mod images;
pub mod interpolate;
pub mod invocations;
pub mod listen;
pub mod names;
pub mod project;
pub mod stack;
pub mod units;

pub use stack::Stack;
