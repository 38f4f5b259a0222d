//! Object storage through `object_store`: a local folder by default, Cloudflare R2 (or any S3
//! API) when configured. Callers hand over bytes and an [`ObjectKey`]; this module picks the
//! backend, the content type and what a missing file means.

mod keys;
pub mod ledger;
pub mod metered;
mod read;
mod settings;
mod stream;

pub use keys::{ImageKind, MAX_FILE_NAME_BYTES, ObjectKey, ProductFilePart, safe_file_name};
pub use read::{ByteRange, ObjectRead, ReadError};
pub use settings::{S3Settings, StorageSettings};
pub use stream::{PART_BYTES, StreamError, StreamedFile};

use axum::body::Bytes;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
#[error("file storage ({backend}): {message}")]
pub struct StorageError {
    backend: &'static str,
    message: String,
}

impl From<StorageError> for crate::error::AppError {
    fn from(e: StorageError) -> Self {
        crate::error::AppError::internal(e.to_string())
    }
}

/// A file read back from storage.
pub struct StoredObject {
    pub bytes: Bytes,
    pub content_type: &'static str,
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// S3 keeps a content type with each object; the local folder cannot (the key's extension
    /// says it instead).
    keeps_attributes: bool,
    backend: &'static str,
    /// S3/R2 only: signs short-lived download links.
    signer: Option<Arc<object_store::aws::AmazonS3>>,
}

impl Storage {
    pub fn open(settings: &StorageSettings) -> Result<Storage, StorageError> {
        match settings {
            StorageSettings::Local { root } => {
                std::fs::create_dir_all(root).map_err(|e| StorageError { backend: "local", message: format!("cannot create {}: {e}", root.display()) })?;
                let store = object_store::local::LocalFileSystem::new_with_prefix(root)
                    .map_err(|e| StorageError { backend: "local", message: e.to_string() })?
                    .with_automatic_cleanup(true);
                Ok(Storage { store: Arc::new(store), keeps_attributes: false, backend: "local", signer: None })
            }
            StorageSettings::S3(s) => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s.bucket)
                    .with_region(&s.region)
                    .with_access_key_id(&s.access_key_id)
                    .with_secret_access_key(&s.secret_access_key);
                if let Some(endpoint) = &s.endpoint {
                    // Plain http only ever makes sense for a test server on loopback.
                    builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
                }
                let store = Arc::new(builder.build().map_err(|e| StorageError { backend: "s3", message: e.to_string() })?);
                Ok(Storage { store: store.clone(), keeps_attributes: true, backend: "s3", signer: Some(store) })
            }
        }
    }

    fn error(&self, e: impl std::fmt::Display) -> StorageError {
        StorageError { backend: self.backend, message: e.to_string() }
    }

    pub async fn put(&self, key: &ObjectKey, bytes: Bytes) -> Result<(), StorageError> {
        let mut options = PutOptions::default();
        if self.keeps_attributes {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, key.content_type().into());
            options.attributes = attributes;
        }
        self.store.put_opts(&path(key), PutPayload::from(bytes), options).await.map(|_| ()).map_err(|e| self.error(e))
    }

    /// The file, or `None` when there is none under that key.
    pub async fn get(&self, key: &ObjectKey) -> Result<Option<StoredObject>, StorageError> {
        match self.store.get(&path(key)).await {
            Ok(found) => {
                let bytes = found.bytes().await.map_err(|e| self.error(e))?;
                Ok(Some(StoredObject { bytes, content_type: key.content_type() }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Removes the file; removing one that is not there is not an error.
    pub async fn delete(&self, key: &ObjectKey) -> Result<(), StorageError> {
        match self.store.delete(&path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Copies a file within the store (a duplicated page gets its own copy of its images).
    pub async fn copy(&self, from: &ObjectKey, to: &ObjectKey) -> Result<(), StorageError> {
        self.store.copy(&path(from), &path(to)).await.map_err(|e| self.error(e))
    }

    /// Removes every asset of a page; returns how many files went.
    pub async fn delete_page_assets(&self, user_id: &str, page_id: &str) -> Result<usize, StorageError> {
        let Some(prefix) = ObjectKey::page_assets_prefix(user_id, page_id) else { return Ok(0) };
        let listed = match self.store.list_with_delimiter(Some(&object_store::path::Path::from(prefix.as_str()))).await {
            Ok(listed) => listed,
            Err(object_store::Error::NotFound { .. }) => return Ok(0),
            Err(e) => return Err(self.error(e)),
        };
        for object in &listed.objects {
            match self.store.delete(&object.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.error(e)),
            }
        }
        Ok(listed.objects.len())
    }

    /// The size of a stored file (a HEAD), or `None` when it is not there.
    pub async fn size(&self, key: &ObjectKey) -> Result<Option<u64>, StorageError> {
        match self.store.get_opts(&path(key), object_store::GetOptions::new().with_head(true)).await {
            Ok(found) => Ok(Some(found.meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    /// The content type the backend recorded, for checking what S3 serves directly (a HEAD: the
    /// file itself is not fetched).
    pub async fn stored_content_type(&self, key: &ObjectKey) -> Result<Option<String>, StorageError> {
        match self.store.get_opts(&path(key), object_store::GetOptions::new().with_head(true)).await {
            Ok(found) => Ok(found.attributes.get(&Attribute::ContentType).map(|v| v.to_string())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }
}

fn path(key: &ObjectKey) -> object_store::path::Path {
    object_store::path::Path::from(key.as_str())
}
