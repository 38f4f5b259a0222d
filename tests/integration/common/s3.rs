//! A real S3-compatible server for the storage tests: `s3s-fs` (installed by `.ci/tools.sh test`)
//! on a free loopback port, with signature checking on, serving a temporary folder.

use flashpage::infra::storage::{S3Settings, StorageSettings};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "flashpage-test-key";
pub const SECRET_KEY: &str = "flashpage-test-secret";
pub const BUCKET: &str = "flashpage-test";

pub struct S3Server {
    child: Child,
    dir: std::path::PathBuf,
    pub endpoint: String,
}

impl S3Server {
    /// Starts a server; a missing s3s-fs fails the test (the test command leaves these tests out
    /// with `--skip s3_`, and says so, when s3s-fs is not installed outside CI).
    pub fn start() -> Option<S3Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let dir = std::env::temp_dir().join(format!("flashpage-s3-{}-{port}", std::process::id()));
        std::fs::create_dir_all(dir.join(BUCKET)).expect("bucket folder");
        let spawned = Command::new("s3s-fs")
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => panic!("cannot start s3s-fs: {e}. Install it with .ci/tools.sh test, or leave these tests out with `-- --skip s3_`."),
        };
        let server = S3Server { child, dir, endpoint: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not start listening on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    pub fn settings(&self) -> StorageSettings {
        StorageSettings::S3(S3Settings {
            bucket: BUCKET.into(),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".into(),
            access_key_id: ACCESS_KEY.into(),
            secret_access_key: SECRET_KEY.into(),
        })
    }

    /// The variables that switch the app to this server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("STORAGE_BUCKET".into(), BUCKET.into()),
            ("STORAGE_ENDPOINT".into(), self.endpoint.clone()),
            ("STORAGE_REGION".into(), "us-east-1".into()),
            ("STORAGE_ACCESS_KEY_ID".into(), ACCESS_KEY.into()),
            ("STORAGE_SECRET_ACCESS_KEY".into(), SECRET_KEY.into()),
        ]
    }

    /// The folder s3s-fs keeps the bucket in (to check what really landed there).
    pub fn bucket_dir(&self) -> std::path::PathBuf {
        self.dir.join(BUCKET)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
