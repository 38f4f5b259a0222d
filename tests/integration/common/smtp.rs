//! A real SMTP server for the mail tests: `aiosmtpd` (Debian's python3-aiosmtpd, installed by
//! `.ci/tools.sh test`) on a loopback port, keeping every message it receives in a Maildir.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    child: Child,
    dir: PathBuf,
    pub port: u16,
}

/// A free loopback port (nothing listens on it until a server is started there).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl SmtpServer {
    /// Starts a server on `port`; a missing aiosmtpd fails the test with how to install it.
    pub fn start_on(port: u16) -> SmtpServer {
        let dir = std::env::temp_dir().join(format!("flashpage-smtp-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder for the server's mailbox");
        let mut child = Command::new("aiosmtpd")
            .args(["-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.join("box"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start aiosmtpd: {e}. Install it with .ci/tools.sh test (Debian: python3-aiosmtpd)."));
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("aiosmtpd exited ({status}) instead of listening on port {port}");
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not start listening on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpServer { child, dir, port }
    }

    pub fn start() -> SmtpServer {
        SmtpServer::start_on(free_port())
    }

    /// The variable that sends the app's mail here.
    pub fn env(port: u16) -> Vec<(String, String)> {
        vec![("SMTP_URL".into(), format!("smtp://127.0.0.1:{port}"))]
    }

    /// Every message received so far, as raw text (headers `X-RcptTo`/`X-MailFrom` added by the server).
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("box/new")) else { return Vec::new() };
        let mut messages: Vec<String> = entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect();
        messages.sort();
        messages
    }

    /// The messages once at least `n` have arrived (or what came within five seconds).
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..50 {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        self.messages()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
