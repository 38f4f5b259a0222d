//! Shared components: layout, form fields, status pages.

pub mod fields;
pub mod head;
pub mod landing;
pub mod layout;
pub mod status;
#[cfg(feature = "hydrate")]
pub mod islands;
#[cfg(feature = "hydrate")]
pub mod post;
