//! Reading a stored file as a stream, whole or a byte range, and presigned links on S3/R2: a
//! download never holds the file in memory.

use super::{ObjectKey, Storage, StorageError, path};
use axum::body::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::{GetOptions, GetRange, ObjectStore};
use std::ops::Range;
use std::time::Duration;

/// A byte range as a `Range` header asks for it (one range; several are served whole).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=500-999` (inclusive end).
    Bounded(u64, u64),
    /// `bytes=500-`.
    From(u64),
    /// `bytes=-500`: the last 500 bytes.
    Last(u64),
}

impl ByteRange {
    /// Parses a `Range` header; `None` for anything but one byte range (the whole file is sent).
    pub fn parse(header: &str) -> Option<ByteRange> {
        let spec = header.trim().strip_prefix("bytes=")?;
        if spec.contains(',') {
            return None;
        }
        let (start, end) = spec.split_once('-')?;
        match (start.trim(), end.trim()) {
            ("", "") => None,
            ("", last) => last.parse().ok().map(ByteRange::Last),
            (start, "") => start.parse().ok().map(ByteRange::From),
            (start, end) => {
                let (s, e) = (start.parse().ok()?, end.parse().ok()?);
                (s <= e).then_some(ByteRange::Bounded(s, e))
            }
        }
    }

    /// The bytes it means in a file of `size`, or `None` when none of them exist (416).
    pub fn within(self, size: u64) -> Option<Range<u64>> {
        let range = match self {
            ByteRange::Bounded(s, e) => s..e.saturating_add(1).min(size),
            ByteRange::From(s) => s..size,
            ByteRange::Last(n) => size.saturating_sub(n)..size,
        };
        (range.start < range.end).then_some(range)
    }

    /// Whether it starts at the first byte (a new download rather than a resumed one).
    pub fn from_start(self, size: u64) -> bool {
        self.within(size).is_some_and(|r| r.start == 0)
    }
}

/// A stored file, or the part of it asked for, on its way out.
pub struct ObjectRead {
    /// The whole file's size.
    pub size: u64,
    /// The bytes in `body`.
    pub range: Range<u64>,
    pub body: BoxStream<'static, Result<Bytes, StorageError>>,
}

/// Why a read found nothing to send.
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    /// The range lies outside the file (416), whose size is given.
    Unsatisfiable(u64),
    Storage(StorageError),
}

impl Storage {
    /// The file (or the range of it) as a stream.
    pub async fn read(&self, key: &ObjectKey, range: Option<ByteRange>) -> Result<ObjectRead, ReadError> {
        let size = self.size(key).await.map_err(ReadError::Storage)?.ok_or(ReadError::NotFound)?;
        let wanted = match range {
            None => 0..size,
            Some(r) => r.within(size).ok_or(ReadError::Unsatisfiable(size))?,
        };
        if wanted.is_empty() {
            return Ok(ObjectRead { size, range: wanted, body: futures_util::stream::empty().boxed() });
        }
        let options = GetOptions::new().with_range(Some(GetRange::Bounded(wanted.clone())));
        let found = match self.store.get_opts(&path(key), options).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Err(ReadError::NotFound),
            Err(e) => return Err(ReadError::Storage(self.error(e))),
        };
        let backend = self.backend;
        let body = found.into_stream().map(move |chunk| chunk.map_err(|e| StorageError { backend, message: e.to_string() })).boxed();
        Ok(ObjectRead { size, range: wanted, body })
    }

    /// Whether downloads can be handed out as presigned links (S3/R2; a local folder cannot).
    pub fn presigns(&self) -> bool {
        self.signer.is_some()
    }

    /// A link that serves the file straight from S3/R2 for `valid_for`, saved under
    /// `content_disposition`; `None` on the local folder (the app streams it instead).
    pub async fn presigned_download(&self, key: &ObjectKey, valid_for: Duration, content_disposition: &str) -> Result<Option<String>, StorageError> {
        use object_store::signer::{Method, SignedUrlOptions, Signer};
        let Some(signer) = &self.signer else { return Ok(None) };
        let options = SignedUrlOptions::default().with_query([("response-content-disposition", content_disposition)]);
        let url = match signer.signed_url_opts(Method::GET, &path(key), valid_for, &options).await {
            Ok(url) => url,
            Err(object_store::Error::NotSupported { .. }) => signer.signed_url(Method::GET, &path(key), valid_for).await.map_err(|e| self.error(e))?,
            Err(e) => return Err(self.error(e)),
        };
        Ok(Some(url.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::ByteRange;

    #[test]
    fn ranges_as_browsers_and_download_managers_send_them() {
        assert_eq!(ByteRange::parse("bytes=0-499"), Some(ByteRange::Bounded(0, 499)));
        assert_eq!(ByteRange::parse("bytes=500-"), Some(ByteRange::From(500)));
        assert_eq!(ByteRange::parse("bytes=-200"), Some(ByteRange::Last(200)));
        for bad in ["bytes=5-1", "bytes=0-1,4-5", "items=0-1", "bytes=-", "bytes=a-b"] {
            assert_eq!(ByteRange::parse(bad), None, "{bad}");
        }
        assert_eq!(ByteRange::Bounded(0, 499).within(100), Some(0..100), "an end past the file is cut");
        assert_eq!(ByteRange::From(100).within(100), None, "nothing at or after the end: 416");
        assert_eq!(ByteRange::Last(500).within(100), Some(0..100));
        assert!(ByteRange::From(0).from_start(10) && !ByteRange::From(5).from_start(10));
    }
}
