//! CSV exports, read in batches: the encoding of one line, and what one batch is. The HTTP side
//! (a body streamed batch by batch) is `web::exports`; the columns are each domain's.

use chrono::NaiveDateTime;

/// Rows read per query of an export.
pub const BATCH: i64 = 500;

/// Where the next batch of an export starts: after this (time, id).
pub type After = (NaiveDateTime, String);

/// One batch of an export: its CSV lines, how many rows it had, and the key to continue after.
pub struct Batch {
    pub lines: String,
    pub rows: usize,
    pub next: Option<After>,
}

impl Batch {
    /// The batch of `rows`, each written by `line`, continuing after the key of the last.
    pub fn of<R>(rows: &[R], line: impl Fn(&R) -> String, key: impl Fn(&R) -> After) -> Batch {
        Batch { lines: rows.iter().map(line).collect(), rows: rows.len(), next: rows.last().map(key) }
    }
}

/// One CSV record (RFC 4180). A cell that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`: buyers type their own
/// email addresses, and creators their products' names.
pub fn line(cells: &[&str]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let neutral = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() };
        if neutral.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&neutral.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&neutral);
        }
    }
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(line(&["a", "b c", "d,e", "say \"hi\""]), "a,b c,\"d,e\",\"say \"\"hi\"\"\"\r\n");
        assert_eq!(line(&["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "ok"]), "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),ok\r\n");
    }
}
