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
    /// A sandbox deployment: every message says it comes from one (see [`sandboxed`]).
    sandbox: bool,
}

/// Marks a message of a sandbox deployment (its payments are the test checkout's), so that no
/// recipient takes a receipt or a payment request in it for real.
pub fn sandboxed(mail: &OutgoingMail) -> OutgoingMail {
    const NOTE: &str = "TEST MODE: this message comes from a test deployment; no payment in it is real.";
    let mut marked = mail.clone();
    if !marked.subject.starts_with("[Test]") {
        marked.subject = format!("[Test] {}", marked.subject);
    }
    marked.text = format!("{NOTE}\n\n{}", marked.text);
    marked.html = marked.html.map(|h| format!("<p><strong>{NOTE}</strong></p>{h}"));
    marked
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
        Ok(Mailer { from, route, sandbox: false })
    }

    /// The same mailer for a sandbox deployment: every message is marked as a test.
    pub fn in_sandbox(self) -> Mailer {
        Mailer { sandbox: true, ..self }
    }

    /// Where mail goes, for the start-up log line.
    pub fn describe(&self) -> String {
        match &self.route {
            Route::Smtp(_) => "SMTP".to_string(),
            Route::Files { dir, .. } => format!(".eml files in {}", dir.display()),
        }
    }

    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let marked;
        let mail = if self.sandbox {
            marked = sandboxed(mail);
            &marked
        } else {
            mail
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_mail_says_so_once() {
        let mail = OutgoingMail {
            to: "a@b.co".into(),
            subject: "Your receipt: X".into(),
            text: "Paid".into(),
            html: Some("<p>Paid</p>".into()),
            ..Default::default()
        };
        let marked = sandboxed(&mail);
        assert_eq!(marked.subject, "[Test] Your receipt: X");
        assert!(marked.text.starts_with("TEST MODE") && marked.text.ends_with("Paid"));
        assert!(marked.html.as_deref().is_some_and(|h| h.contains("TEST MODE") && h.ends_with("<p>Paid</p>")));
        assert_eq!(sandboxed(&marked).subject, marked.subject, "never twice in the subject");
    }
}
