//! Where a message goes: an SMTP server, or `.eml` files in a folder (the embedded default).

use super::MailSettings;
use super::outbox::OutgoingMail;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// Why a message was not delivered. `permanent` ones are not tried again (an address that is
/// not one, a recipient the server refuses for good).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    fn permanent(message: impl std::fmt::Display) -> SendError {
        SendError { permanent: true, message: message.to_string() }
    }
    fn transient(message: impl std::fmt::Display) -> SendError {
        SendError { permanent: false, message: message.to_string() }
    }
}

enum Route {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files { transport: AsyncFileTransport<Tokio1Executor>, dir: PathBuf },
}

/// Sends messages the configured way (a part of the app state).
pub struct Mailer {
    from: Mailbox,
    route: Route,
}

impl Mailer {
    pub fn open(settings: &MailSettings) -> Result<Mailer, String> {
        let from = settings.from.parse::<Mailbox>().map_err(|e| format!("MAIL_FROM: {e}"))?;
        let route = match &settings.smtp_url {
            Some(url) => {
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("SMTP_URL: {e}"))?;
                Route::Smtp(builder.timeout(Some(Duration::from_secs(20))).build())
            }
            None => {
                std::fs::create_dir_all(&settings.dir).map_err(|e| format!("cannot create {}: {e}", settings.dir.display()))?;
                Route::Files { transport: AsyncFileTransport::new(&settings.dir), dir: settings.dir.clone() }
            }
        };
        Ok(Mailer { from, route })
    }

    /// Where mail goes, for the start-up log line.
    pub fn describe(&self) -> String {
        match &self.route {
            Route::Smtp(_) => "SMTP".to_string(),
            Route::Files { dir, .. } => format!(".eml files in {}", dir.display()),
        }
    }

    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let message = self.build(mail)?;
        match &self.route {
            Route::Smtp(transport) => match transport.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::permanent(e)),
                Err(e) => Err(SendError::transient(e)),
            },
            Route::Files { transport, dir } => {
                let id = transport.send(message).await.map_err(SendError::transient)?;
                tracing::info!(to = %mail.to, subject = %mail.subject, path = %dir.join(format!("{id}.eml")).display(), "mail written to a file (no SMTP_URL set)");
                Ok(())
            }
        }
    }

    /// The MIME message: plain text, with an HTML alternative and attachments when there are any.
    fn build(&self, mail: &OutgoingMail) -> Result<Message, SendError> {
        let to = mail.to.parse::<Mailbox>().map_err(|e| SendError::permanent(format!("the address '{}' is not valid: {e}", mail.to)))?;
        let mut builder = Message::builder().from(self.from.clone()).to(to).subject(&mail.subject);
        for (name, value) in &mail.headers {
            let name = HeaderName::new_from_ascii(name.clone()).map_err(|e| SendError::permanent(format!("header '{name}': {e}")))?;
            builder = builder.raw_header(HeaderValue::new(name, value.clone()));
        }
        let text = SinglePart::plain(mail.text.clone());
        let body = match &mail.html {
            Some(html) => MultiPart::alternative().singlepart(text).singlepart(SinglePart::html(html.clone())),
            None if mail.attachments.is_empty() => return builder.singlepart(text).map_err(SendError::permanent),
            None => MultiPart::mixed().singlepart(text),
        };
        let body = if mail.attachments.is_empty() {
            body
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for a in &mail.attachments {
                let content_type = ContentType::parse(&a.content_type).map_err(|e| SendError::permanent(format!("attachment '{}': {e}", a.name)))?;
                mixed = mixed.singlepart(Attachment::new(a.name.clone()).body(a.content.clone(), content_type));
            }
            mixed
        };
        builder.multipart(body).map_err(SendError::permanent)
    }
}
