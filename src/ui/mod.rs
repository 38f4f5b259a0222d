//! Shared components: layout, form fields, status pages.

pub mod form;
pub mod head;
pub mod landing;
pub mod layout;
pub mod status;
