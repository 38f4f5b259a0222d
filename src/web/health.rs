//! `/healthz`: 200 when the database answers, 503 when it does not. For load balancers and CI.

use crate::infra::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match tokio::time::timeout(std::time::Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ok", "database": state.db.backend_name() }))),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "error", "database": "unreachable" })))
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "error", "database": "timeout" }))),
    }
}
