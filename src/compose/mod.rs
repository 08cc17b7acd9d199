//! Docker Compose: the typed model, its reader, and port syntax.
pub mod model;
pub mod ports;
pub mod read;
pub mod schema;

pub use model::*;
pub use ports::{PortMapping, PortRange};
