//! The creator's product screens: the list, a new product, and one product (edit, switch off or
//! on, delete). Rendered on the server with plain form posts (no island): every action works
//! without JavaScript and costs the browser no wasm.

mod editor;
mod fields;
mod frame;
mod list;

pub use editor::{NewProductRoute, ProductRoute};
pub use list::ProductsRoute;
