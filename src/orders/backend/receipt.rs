//! The buyer's mail: the receipt with the download link, and the notice of a refund.

use crate::infra::mail::outbox::OutgoingMail;
use crate::money::format_money;

/// What a receipt says.
pub struct Receipt<'a> {
    pub to: &'a str,
    pub title: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub bonus: Option<&'a str>,
    pub download_url: &'a str,
    pub download_limit: i32,
    pub download_days: i32,
    pub test_mode: bool,
}

use crate::infra::mail::escape_html as escape;

/// The receipt: what was bought, for how much, and the link to the file with its limits.
pub fn receipt(r: &Receipt<'_>) -> OutgoingMail {
    let amount = format_money(r.amount, r.currency);
    let test = if r.test_mode { "TEST MODE: no money moved. " } else { "" };
    let limits = format!("The link works {} times within {} days.", r.download_limit, r.download_days);
    let bonus = r.bonus.map(|b| format!("Your bonus: {b}\n\n")).unwrap_or_default();
    let text = format!(
        "{test}Thank you for your purchase!\n\n{title}\nPaid: {amount}\n\n{bonus}Download your file:\n{url}\n\n{limits} \
         If it stops working, open it anyway: you can have a fresh link sent to this address.\n",
        title = r.title,
        url = r.download_url,
    );
    let html = format!(
        "<p>{test}Thank you for your purchase!</p><p><strong>{title}</strong><br>Paid: {amount}</p>{bonus}\
         <p><a href=\"{url}\">Download your file</a></p><p>{limits}</p>",
        test = escape(test),
        title = escape(r.title),
        bonus = r.bonus.map(|b| format!("<p>Your bonus: {}</p>", escape(b))).unwrap_or_default(),
        url = escape(r.download_url),
        limits = escape(&limits),
    );
    OutgoingMail {
        to: r.to.to_string(),
        subject: format!("{}Your receipt: {}", if r.test_mode { "[Test] " } else { "" }, r.title),
        text,
        html: Some(html),
        ..Default::default()
    }
}

/// The notice of a refund. `late`: the payment arrived after the buyer's hold lapsed and the last
/// unit had gone to someone else, so the money went straight back.
pub fn refund_notice(to: &str, title: &str, amount: i64, currency: &str, late: bool) -> OutgoingMail {
    let amount = format_money(amount, currency);
    let why = if late {
        "Your payment arrived after the time we could hold your item, and by then it had sold out. We're sorry: \
         the full amount has been refunded."
    } else {
        "Your purchase has been refunded, and its download link no longer works."
    };
    OutgoingMail {
        to: to.to_string(),
        subject: format!("Refund: {title}"),
        text: format!("{why}\n\n{title}\nRefunded: {amount}\n\nIt can take 5 to 10 days to appear on your statement.\n"),
        html: Some(format!(
            "<p>{}</p><p><strong>{}</strong><br>Refunded: {}</p><p>It can take 5 to 10 days to appear on your statement.</p>",
            escape(why),
            escape(title),
            escape(&amount)
        )),
        ..Default::default()
    }
}

/// A simple notice: a subject and a few paragraphs, as text and HTML.
fn notice(to: &str, subject: String, paragraphs: &[&str]) -> OutgoingMail {
    OutgoingMail {
        to: to.to_string(),
        subject,
        text: format!("{}\n", paragraphs.join("\n\n")),
        html: Some(paragraphs.iter().map(|p| format!("<p>{}</p>", escape(p))).collect()),
        ..Default::default()
    }
}

/// The buyer paid with a delayed method (a bank debit or transfer): their item is kept, and the
/// receipt with the file follows when the money is in.
pub fn payment_pending(to: &str, title: &str, amount: i64, currency: &str) -> OutgoingMail {
    let amount = format_money(amount, currency);
    notice(
        to,
        format!("Payment on its way: {title}"),
        &[
            &format!("Thank you for your order of {title} ({amount})."),
            "Your bank payment can take a few days to arrive. We keep your item for you and email your receipt and \
             download link as soon as the money is in. There is nothing else to do.",
        ],
    )
}

/// A delayed payment failed: nothing was charged and the item went back on sale.
pub fn payment_failed(to: &str, title: &str, amount: i64, currency: &str) -> OutgoingMail {
    let amount = format_money(amount, currency);
    notice(
        to,
        format!("Payment failed: {title}"),
        &[
            &format!("Your bank did not complete the payment of {amount} for {title}, so nothing was charged."),
            "The item went back on sale. If you still want it, you can buy it again from the page while it lasts.",
        ],
    )
}

/// A fresh download link, on the buyer's request.
pub fn fresh_link(to: &str, title: &str, download_url: &str, download_limit: i32, download_days: i32) -> OutgoingMail {
    let limits = format!("It works {download_limit} times within {download_days} days; earlier links no longer work.");
    OutgoingMail {
        to: to.to_string(),
        subject: format!("Your new download link: {title}"),
        text: format!("Here is a fresh link for {title}:\n{download_url}\n\n{limits}\n"),
        html: Some(format!(
            "<p>Here is a fresh link for <strong>{}</strong>:</p><p><a href=\"{}\">Download your file</a></p><p>{}</p>",
            escape(title),
            escape(download_url),
            escape(&limits)
        )),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_carry_the_link_and_escape_what_creators_typed() {
        let mail = receipt(&Receipt {
            to: "ada@example.com",
            title: "Course <b>",
            amount: 3920,
            currency: "USD",
            bonus: Some("E-book & more"),
            download_url: "https://flash.example/d/abc",
            download_limit: 5,
            download_days: 30,
            test_mode: true,
        });
        assert_eq!(mail.subject, "[Test] Your receipt: Course <b>");
        assert!(mail.text.contains("https://flash.example/d/abc") && mail.text.contains("$39.20") && mail.text.contains("TEST MODE"));
        let html = mail.html.expect("html");
        assert!(html.contains("Course &lt;b&gt;") && html.contains("E-book &amp; more"), "{html}");
        assert!(refund_notice("a@b.co", "X", 100, "EUR", true).text.contains("sold out"));
    }
}
