//! Shared components: layout, form fields, status pages.

pub mod form;
pub mod landing;
pub mod layout;
pub mod status;
