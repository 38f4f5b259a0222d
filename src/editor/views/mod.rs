//! The creator's page screens: the dashboard home with its list of pages, and the editor.

mod block_editor;
mod dashboard;
mod editor;
mod editor_fields;
mod hero;
mod list;
mod preview_pane;
mod question_rows;

pub use dashboard::Dashboard;
pub use editor::PageEditorRoute;
pub use list::PagesPanel;

use crate::pages::phase::Phase;

/// A short status word and its CSS modifier.
pub fn status(phase: Phase) -> (&'static str, &'static str) {
    match phase {
        Phase::Scheduled { .. } => ("Scheduled", "scheduled"),
        Phase::Live { .. } => ("Live", "live"),
        Phase::Ended { .. } => ("Ended", "ended"),
        Phase::Inactive => ("Off", "off"),
    }
}
