//! Shared components: layout, form fields, status pages.

pub mod fields;
pub mod head;
#[cfg(feature = "hydrate")]
pub mod islands;
pub mod landing;
pub mod layout;
#[cfg(feature = "hydrate")]
pub mod post;
pub mod status;
