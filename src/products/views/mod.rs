//! The creator's product screens: the list, a new product, and one product (edit, switch off or
//! on, delete, its file). Rendered on the server with plain form posts: every action works
//! without JavaScript. The one island, loaded on demand, shows a file upload's progress.

mod editor;
mod fields;
mod frame;
mod list;
mod upload;

pub use editor::{NewProductRoute, ProductRoute};
pub use list::ProductsRoute;
