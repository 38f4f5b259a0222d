//! The mail path: the outbox, the sender and its transports, against a real SMTP server on
//! loopback (aiosmtpd) and the embedded `.eml` default, on SQLite and PostgreSQL. The tests that
//! need the SMTP server are named `smtp_…` (the test command leaves them out, and says so, when
//! aiosmtpd is not installed outside CI).

use crate::common;

use chrono::{NaiveDateTime, TimeDelta, Utc};
use common::smtp::{SmtpServer, free_port};
use common::{Backend, Options, TestApp};
use flashpage::infra::db::DbError;
use flashpage::infra::db::prelude::*;
use flashpage::infra::db::schema::mail_outbox;
use flashpage::infra::mail::outbox::{OutgoingMail, TextAttachment, enqueue};
use flashpage::infra::mail::sender::{Round, deliver_due};
use flashpage::infra::mail::transport::Mailer;
use std::sync::Arc;

/// Now, to the microsecond (what PostgreSQL keeps), so that times read back compare equal.
fn now() -> NaiveDateTime {
    use chrono::SubsecRound;
    Utc::now().naive_utc().trunc_subsecs(6)
}

fn mail(to: &str, subject: &str) -> OutgoingMail {
    OutgoingMail { to: to.into(), subject: subject.into(), text: format!("Hello {to}"), ..Default::default() }
}

fn mailer(app: &TestApp) -> &Mailer {
    app.state.part::<Arc<Mailer>>()
}

async fn app_with_smtp(backend: Backend, port: u16) -> Option<TestApp> {
    TestApp::start_with(backend, Options { env: SmtpServer::env(port), ..Default::default() }).await
}

/// One row of the outbox: (attempts, sent, failed, due_at, last_error).
async fn row(app: &TestApp, subject: &str) -> (i32, bool, bool, NaiveDateTime, Option<String>) {
    let subject = subject.to_string();
    let r: Result<_, DbError> = flashpage::db_read!(app.state.db, conn => {
        let (attempts, sent, failed, due, error): (i32, Option<NaiveDateTime>, Option<NaiveDateTime>, NaiveDateTime, Option<String>) = mail_outbox::table
            .filter(mail_outbox::subject.eq(&subject))
            .select((mail_outbox::attempts, mail_outbox::sent_at, mail_outbox::failed_at, mail_outbox::due_at, mail_outbox::last_error))
            .first(conn)
            .await?;
        Ok((attempts, sent.is_some(), failed.is_some(), due, error))
    });
    r.expect("outbox row")
}

/// Without `SMTP_URL`, a message becomes an `.eml` file under `DATA_DIR/mail`.
async fn files_by_default(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else { return };
    enqueue(&app.state.db, &mail("fan@example.com", "Your receipt"), now()).await.expect("queued");
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now()).await.expect("round"), Round { sent: 1, ..Default::default() });
    let dir = app.state.config.data_dir.join("mail");
    let files: Vec<String> = std::fs::read_dir(&dir).expect("mail folder").filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect();
    assert_eq!(files.len(), 1, "one .eml file in {}", dir.display());
    assert!(files[0].contains("Subject: Your receipt") && files[0].contains("To: fan@example.com"), "{}", files[0]);
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now()).await.expect("round"), Round::default(), "sent once");
    // Sent mail (with whatever links it carried) leaves the outbox after a week; unsent mail stays.
    enqueue(&app.state.db, &mail("later@example.com", "Not yet sent"), now() + chrono::TimeDelta::days(30)).await.expect("queued");
    use flashpage::infra::mail::outbox::purge_done;
    assert_eq!(purge_done(&app.state.db, now() + chrono::TimeDelta::days(6)).await.expect("purge"), 0);
    assert_eq!(purge_done(&app.state.db, now() + chrono::TimeDelta::days(8)).await.expect("purge"), 1);
    assert!(!row(&app, "Not yet sent").await.1, "the unsent message is kept");
    app.finish().await;
}

/// A message with an HTML alternative, a calendar attachment and extra headers reaches the SMTP
/// server as written.
async fn smtp_delivers_the_whole_message(backend: Backend) {
    let server = SmtpServer::start();
    let Some(app) = app_with_smtp(backend, server.port).await else { return };
    let message = OutgoingMail {
        html: Some("<p>You are <strong>in</strong>.</p>".into()),
        headers: vec![("List-Unsubscribe".into(), "<https://flashpage.example/u/abc>".into())],
        attachments: vec![TextAttachment {
            name: "invite.ics".into(),
            content_type: "text/calendar; charset=utf-8; method=REQUEST".into(),
            content: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n".into(),
        }],
        ..mail("guest@example.com", "You're registered")
    };
    enqueue(&app.state.db, &message, now()).await.expect("queued");
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now()).await.expect("round").sent, 1);
    let received = server.messages();
    assert_eq!(received.len(), 1);
    let m = &received[0];
    assert!(m.contains("X-RcptTo: guest@example.com"), "{m}");
    assert!(m.contains("Subject: You're registered"), "{m}");
    assert!(m.contains("List-Unsubscribe: <https://flashpage.example/u/abc>"), "{m}");
    assert!(m.contains("multipart/alternative") && m.contains("text/html"), "{m}");
    assert!(m.contains("text/calendar") && m.contains("invite.ics"), "{m}");
    let (attempts, sent, failed, _, error) = row(&app, "You're registered").await;
    assert_eq!((attempts, sent, failed, error), (1, true, false, None));
    app.finish().await;
}

/// While the mail server is down nothing is lost: the message waits, backing off, and goes out
/// once the server is back.
async fn smtp_down_delays_mail_but_loses_none(backend: Backend) {
    let port = free_port();
    let Some(app) = app_with_smtp(backend, port).await else { return };
    let t0 = now();
    enqueue(&app.state.db, &mail("buyer@example.com", "Your download"), t0).await.expect("queued");
    assert_eq!(deliver_due(&app.state.db, mailer(&app), t0).await.expect("round"), Round { retry_later: 1, ..Default::default() });
    let (attempts, sent, failed, due, error) = row(&app, "Your download").await;
    assert_eq!((attempts, sent, failed), (1, false, false));
    assert_eq!(due, t0 + TimeDelta::seconds(3), "tried again after e^1 seconds");
    assert!(error.is_some_and(|e| !e.is_empty()), "the reason is kept");
    assert_eq!(deliver_due(&app.state.db, mailer(&app), t0 + TimeDelta::seconds(1)).await.expect("round"), Round::default(), "not before it is due");

    let server = SmtpServer::start_on(port);
    assert_eq!(deliver_due(&app.state.db, mailer(&app), t0 + TimeDelta::seconds(3)).await.expect("round").sent, 1);
    assert_eq!(server.messages().len(), 1);
    let (attempts, sent, _, _, error) = row(&app, "Your download").await;
    assert_eq!((attempts, sent, error), (2, true, None));
    app.finish().await;
}

/// An address that is not one is given up at once, with the reason; other mail still goes.
async fn smtp_bad_address_fails_at_once(backend: Backend) {
    let server = SmtpServer::start();
    let Some(app) = app_with_smtp(backend, server.port).await else { return };
    enqueue(&app.state.db, &mail("not an address", "Broken"), now()).await.expect("queued");
    enqueue(&app.state.db, &mail("ok@example.com", "Fine"), now()).await.expect("queued");
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now()).await.expect("round"), Round { sent: 1, failed: 1, ..Default::default() });
    let (attempts, sent, failed, _, error) = row(&app, "Broken").await;
    assert_eq!((attempts, sent, failed), (1, false, true));
    assert!(error.is_some_and(|e| e.contains("not valid")));
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now() + TimeDelta::days(1)).await.expect("round"), Round::default(), "never again");
    assert_eq!(server.messages().len(), 1);
    app.finish().await;
}

/// Mail written in a transaction that rolls back is never sent: it goes with its change or not at all.
async fn mail_leaves_with_its_transaction(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else { return };
    let message = mail("fan@example.com", "Rolled back");
    let t = now();
    let r: Result<(), DbError> = flashpage::db_write!(app.state.db, conn => {
        flashpage::enqueue_mail!(conn, &message, t)?;
        Err(DbError::Query(diesel::result::Error::RollbackTransaction))
    });
    assert!(r.is_err());
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now()).await.expect("round"), Round::default());
    app.finish().await;
}

/// Three senders at once (as three app instances would) send each of 45 messages exactly once.
async fn smtp_concurrent_senders_send_each_message_once(backend: Backend) {
    let server = SmtpServer::start();
    let Some(app) = app_with_smtp(backend, server.port).await else { return };
    let t = now();
    for i in 0..45 {
        enqueue(&app.state.db, &mail(&format!("person{i}@example.com"), &format!("Message {i}")), t).await.expect("queued");
    }
    let mut total = 0;
    loop {
        let (a, b, c) =
            tokio::join!(deliver_due(&app.state.db, mailer(&app), t), deliver_due(&app.state.db, mailer(&app), t), deliver_due(&app.state.db, mailer(&app), t));
        let sent: usize = [a, b, c].into_iter().map(|r| r.expect("round").sent).sum();
        if sent == 0 {
            break;
        }
        total += sent;
    }
    assert_eq!(total, 45);
    let mut recipients: Vec<String> =
        server.messages().iter().filter_map(|m| m.lines().find_map(|l| l.strip_prefix("X-RcptTo: ").map(str::to_string))).collect();
    assert_eq!(recipients.len(), 45, "45 messages reached the server");
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 45, "none twice");
    app.finish().await;
}

/// A sender that died holding a message (its lease still running) delays it, and the message is
/// claimed again once the lease has run out.
async fn smtp_a_dead_senders_lease_runs_out(backend: Backend) {
    let server = SmtpServer::start();
    let Some(app) = app_with_smtp(backend, server.port).await else { return };
    let t0 = now();
    enqueue(&app.state.db, &mail("late@example.com", "Leased"), t0).await.expect("queued");
    let lease_end = t0 + TimeDelta::minutes(10);
    let r: Result<usize, DbError> = flashpage::db_write!(app.state.db, conn => {
        Ok(diesel::update(mail_outbox::table).set((mail_outbox::leased_until.eq(Some(lease_end)), mail_outbox::attempts.eq(1))).execute(conn).await?)
    });
    assert_eq!(r.expect("leased"), 1);
    assert_eq!(deliver_due(&app.state.db, mailer(&app), t0 + TimeDelta::minutes(5)).await.expect("round"), Round::default(), "still leased");
    assert_eq!(deliver_due(&app.state.db, mailer(&app), lease_end).await.expect("round").sent, 1, "claimed again once the lease ran out");
    assert_eq!(server.messages().len(), 1);
    app.finish().await;
}

/// The whole stored message: (recipient, subject, text, html, headers, attachments, sent, failed).
type Stored = (String, String, String, Option<String>, String, String, bool, bool);

async fn stored(app: &TestApp, subject: &str) -> Stored {
    let subject = subject.to_string();
    let r: Result<Stored, DbError> = flashpage::db_read!(app.state.db, conn => {
        let (to, subject, text, html, headers, attachments, sent, failed): (String, String, String, Option<String>, String, String, Option<NaiveDateTime>, Option<NaiveDateTime>) = mail_outbox::table
            .filter(mail_outbox::subject.eq(&subject))
            .select((mail_outbox::recipient, mail_outbox::subject, mail_outbox::text_body, mail_outbox::html_body, mail_outbox::headers, mail_outbox::attachments, mail_outbox::sent_at, mail_outbox::failed_at))
            .first(conn)
            .await?;
        Ok((to, subject, text, html, headers, attachments, sent.is_some(), failed.is_some()))
    });
    r.expect("outbox row")
}

fn with_links(to: &str, subject: &str) -> OutgoingMail {
    OutgoingMail {
        html: Some("<a href=\"https://flashpage.example/reset-password/secret\">Reset</a>".into()),
        text: "https://flashpage.example/reset-password/secret".into(),
        headers: vec![("List-Unsubscribe".into(), "<https://flashpage.example/u/abc/secret>".into())],
        attachments: vec![TextAttachment {
            name: "invite.ics".into(),
            content_type: "text/calendar".into(),
            content: "URL:https://flashpage.example/r/secret".into(),
        }],
        ..mail(to, subject)
    }
}

fn erased(to: &str, subject: &str, sent: bool) -> Stored {
    (to.into(), subject.into(), String::new(), None, "[]".into(), "[]".into(), sent, !sent)
}

/// A message that is sent, or given up, keeps no body (text, HTML, headers, attachments: the live
/// links in them); its recipient, subject, status and times stay.
async fn done_mail_keeps_no_body(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else { return };
    enqueue(&app.state.db, &with_links("ada@example.com", "Reset your password"), now()).await.expect("queued");
    enqueue(&app.state.db, &with_links("later@example.com", "Not due yet"), now() + TimeDelta::days(1)).await.expect("queued");
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now()).await.expect("round").sent, 1);
    assert_eq!(stored(&app, "Reset your password").await, erased("ada@example.com", "Reset your password", true));
    assert!(stored(&app, "Not due yet").await.2.contains("secret"), "an unsent message keeps its body");
    app.finish().await;

    // Given up (its last attempt fails: nothing listens where SMTP_URL points).
    let Some(app) = app_with_smtp(backend, free_port()).await else { return };
    enqueue(&app.state.db, &with_links("grace@example.com", "Your download"), now()).await.expect("queued");
    let r: Result<usize, DbError> = flashpage::db_write!(app.state.db, conn => {
        Ok(diesel::update(mail_outbox::table).set(mail_outbox::attempts.eq(flashpage::infra::mail::sender::MAX_ATTEMPTS)).execute(conn).await?)
    });
    assert_eq!(r.expect("attempts"), 1);
    assert_eq!(deliver_due(&app.state.db, mailer(&app), now()).await.expect("round").failed, 1);
    assert_eq!(stored(&app, "Your download").await, erased("grace@example.com", "Your download", false));
    app.finish().await;
}

/// The hourly housekeeping erases the body of done mail that still has one (sent before bodies
/// were erased on sending) and deletes `.eml` files older than a week, nothing else.
async fn housekeeping_erases_old_bodies_and_files(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else { return };
    enqueue(&app.state.db, &with_links("ada@example.com", "Sent long ago"), now()).await.expect("queued");
    let r: Result<usize, DbError> = flashpage::db_write!(app.state.db, conn => {
        Ok(diesel::update(mail_outbox::table).set(mail_outbox::sent_at.eq(Some(now()))).execute(conn).await?)
    });
    assert_eq!(r.expect("sent"), 1);
    let dir = app.state.config.data_dir.join("mail");
    std::fs::create_dir_all(&dir).expect("mail folder");
    let week_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7 * 24 * 3600 + 60);
    for (name, old) in [("old.eml", true), ("new.eml", false), ("notes.txt", true)] {
        let file = std::fs::File::create(dir.join(name)).expect("file");
        if old {
            file.set_modified(week_ago).expect("mtime");
        }
    }
    flashpage::web::startup::housekeeping_round(&app.state).await;
    assert_eq!(stored(&app, "Sent long ago").await, erased("ada@example.com", "Sent long ago", true));
    let mut left: Vec<String> = std::fs::read_dir(&dir).expect("mail folder").filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    left.sort();
    assert_eq!(left, ["new.eml", "notes.txt"], "only week-old .eml files go");
    app.finish().await;
}

on_both_backends! {
    done_mail_keeps_no_body,
    housekeeping_erases_old_bodies_and_files,
    files_by_default,
    smtp_delivers_the_whole_message,
    smtp_down_delays_mail_but_loses_none,
    smtp_bad_address_fails_at_once,
    mail_leaves_with_its_transaction,
    smtp_concurrent_senders_send_each_message_once,
    smtp_a_dead_senders_lease_runs_out,
}
