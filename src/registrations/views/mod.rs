//! The registration screens: the form on an event page, the registrant's manage page, and the
//! creator's list with check-in.

pub mod dashboard;
pub mod form;
pub mod manage;
pub mod unsubscribe;

pub use dashboard::RegistrationsRoute;
pub use form::RegistrationForm;
pub use manage::{DeletedRoute, ManageRoute};
pub use unsubscribe::UnsubscribeRoute;
