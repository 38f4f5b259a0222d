//! The registrations exports: one event's registrations with a column per question, in the
//! event's time zone (`/dashboard/pages/{id}/registrations.csv`), and every registration of the
//! organization with its page (`/dashboard/export/registrations.csv`).

use super::store::{ExportRow, export_after, organization_export_after};
use crate::error::AppError;
use crate::infra::csv::{self, After, BATCH, Batch};
use crate::infra::db::{Db, DbError};
use crate::pages::customization::Customization;
use crate::pages::settings::{PageSettings, PageType};
use crate::registrations::form::Answer;
use chrono::NaiveDateTime;
use std::collections::BTreeMap;

/// One page's export: its questions (id and label, in the form's order) and its time zone.
#[derive(Clone)]
pub struct PageExport {
    page_id: String,
    questions: Vec<(String, String)>,
    zone: chrono_tz::Tz,
}

impl PageExport {
    /// The export of one of the organization's pages (not found for another tenant's).
    pub async fn of(db: &Db, org_id: &str, page_id: &str) -> Result<PageExport, AppError> {
        let row = crate::pages::backend::store::get(db, org_id, page_id).await?.ok_or_else(crate::pages::backend::store::not_found)?;
        let settings = PageType::parse(&row.page_type).and_then(|kind| PageSettings::from_json(kind, &row.settings).ok());
        let (questions, zone) = match &settings {
            Some(PageSettings::EventRegistration(s)) => {
                (s.custom_fields.iter().map(|q| (q.id.clone(), q.label.clone())).collect(), s.time_zone.parse().unwrap_or(chrono_tz::UTC))
            }
            _ => (Vec::new(), chrono_tz::UTC),
        };
        Ok(PageExport { page_id: row.id, questions, zone })
    }

    /// The header line: the registration's columns, then one per question.
    pub fn head(&self) -> String {
        let mut head: Vec<&str> = vec!["registered_at", "status", "name", "email", "phone", "attended_at"];
        head.extend(self.questions.iter().map(|(_, label)| label.as_str()));
        csv::line(&head)
    }

    /// The page's registrations after `after`, oldest first.
    pub async fn batch(&self, db: &Db, after: Option<&After>) -> Result<Batch, DbError> {
        let rows = export_after(db, &self.page_id, after, BATCH).await?;
        Ok(Batch::of(&rows, |r| self.line(r), |r| (r.registered_at, r.id.clone())))
    }

    fn line(&self, r: &ExportRow) -> String {
        let time = |t: NaiveDateTime| t.and_utc().with_timezone(&self.zone).format("%Y-%m-%d %H:%M:%S %Z").to_string();
        let answers: BTreeMap<String, Answer> = serde_json::from_str(&r.answers).unwrap_or_default();
        let mut cells = registration_cells(r, time).to_vec();
        cells.extend(self.questions.iter().map(|(id, _)| answers.get(id).map(Answer::display).unwrap_or_default()));
        csv::line(&cells.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

/// The registration's own cells, in both exports' order: registered, status, name, email, phone,
/// attended (the times as `time` writes them).
fn registration_cells(r: &ExportRow, time: impl Fn(NaiveDateTime) -> String) -> [String; 6] {
    [
        time(r.registered_at),
        r.status.clone(),
        r.name.clone(),
        r.email.clone(),
        r.phone.clone().unwrap_or_default(),
        r.attended_at.map(&time).unwrap_or_default(),
    ]
}

/// The header line of the organization's export.
pub fn organization_head() -> String {
    csv::line(&["page", "short_link", "registered_at_utc", "status", "name", "email", "phone", "attended_at_utc", "answers"])
}

/// Every registration of the organization's pages after `after`, oldest first, with its page.
pub async fn organization_batch(db: &Db, org_id: &str, public_url: &str, after: Option<&After>) -> Result<Batch, DbError> {
    let rows = organization_export_after(db, org_id, after, BATCH).await?;
    let time = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let line = |(short_id, look, r): &(String, String, ExportRow)| {
        let headline = Customization::from_json(look).map(|c| c.headline).unwrap_or_default();
        let mut cells = vec![headline, format!("{public_url}/p/{short_id}")];
        cells.extend(registration_cells(r, time));
        cells.push(r.answers.clone());
        csv::line(&cells.iter().map(String::as_str).collect::<Vec<_>>())
    };
    Ok(Batch::of(&rows, line, |(_, _, r)| (r.registered_at, r.id.clone())))
}
