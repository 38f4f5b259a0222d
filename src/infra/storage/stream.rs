//! Storing a file that arrives as a stream (a product's file, up to gigabytes): never held in
//! memory, never written twice.
//!
//! The stream goes straight into an object-store multipart upload, in equal parts of
//! [`PART_BYTES`] (R2 wants equal parts) with at most [`PARTS_IN_FLIGHT`] being sent at once,
//! so memory stays around `PART_BYTES × (PARTS_IN_FLIGHT + 1)` whatever the size. On the way its
//! SHA-256 and size are worked out and its type recognised from its first bytes (never taken
//! from the name or the browser). Whatever goes wrong (the client's connection drops, the file is
//! over the limit, the store fails), the upload is aborted: no object, and no orphaned parts, is
//! left behind.

use super::{ObjectKey, Storage, StorageError, path};
use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::{Attribute, Attributes, ObjectStore, PutMultipartOptions, WriteMultipart};
use sha2::{Digest, Sha256};

/// The size of each part sent to the store (the S3 minimum; R2 needs them all equal but the last).
pub const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts sent at once; the stream is read no faster than they go out.
const PARTS_IN_FLIGHT: usize = 2;
/// How much of the start of a file decides its type.
const SNIFF_BYTES: usize = 8 * 1024;

/// What a streamed file turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamedFile {
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    /// The type recognised from its first bytes (`application/octet-stream` when unknown).
    pub content_type: String,
}

/// Why a streamed file was not stored. Nothing is left behind in any case.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The source broke off (a dropped connection, a cancelled upload).
    #[error("the upload was interrupted: {0}")]
    Interrupted(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Storage {
    /// Stores `chunks` under `key`, refusing more than `limit` bytes.
    pub async fn put_stream<S, E>(&self, key: &ObjectKey, chunks: S, limit: u64) -> Result<StreamedFile, StreamError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut chunks = chunks;
        // The first bytes decide the type, which the store records when the upload starts.
        let mut head = Vec::new();
        let mut ended = false;
        while head.len() < SNIFF_BYTES {
            match chunks.next().await {
                Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                Some(Err(e)) => return Err(StreamError::Interrupted(e.to_string())),
                None => {
                    ended = true;
                    break;
                }
            }
            if head.len() as u64 > limit {
                return Err(StreamError::TooLarge { limit });
            }
        }
        if head.is_empty() {
            return Err(StreamError::Empty);
        }
        let content_type = infer::get(&head).map(|t| t.mime_type()).unwrap_or("application/octet-stream").to_string();
        let mut options = PutMultipartOptions::default();
        if self.keeps_attributes {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, content_type.clone().into());
            options.attributes = attributes;
        }
        let upload = self.store.put_multipart_opts(&path(key), options).await.map_err(|e| self.error(e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut hash = Sha256::new();
        let mut size = head.len() as u64;
        hash.update(&head);
        writer.write(&head);
        drop(head);
        let outcome: Result<(), StreamError> = async {
            while !ended {
                match chunks.next().await {
                    Some(Ok(chunk)) => {
                        size += chunk.len() as u64;
                        if size > limit {
                            return Err(StreamError::TooLarge { limit });
                        }
                        hash.update(&chunk);
                        writer.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(|e| self.error(e))?;
                        writer.put(chunk);
                    }
                    Some(Err(e)) => return Err(StreamError::Interrupted(e.to_string())),
                    None => ended = true,
                }
            }
            Ok(())
        }
        .await;
        match outcome {
            Ok(()) => {
                writer.finish().await.map_err(|e| self.error(e))?;
                Ok(StreamedFile { size, sha256: hex(&hash.finalize()), content_type })
            }
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(key = %key, error = %abort, "could not abort a failed upload");
                }
                Err(e)
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
