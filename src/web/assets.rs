//! The web app's stylesheet, scripts and icon, compiled into the binary.
//!
//! Pages link each asset under a URL that carries its content hash
//! (`/app/assets/app.css?v=3f2a9c1d`), so an asset may be cached for a year:
//! a new build links new URLs. Every answer carries an ETag and honours
//! `If-None-Match`; compression happens in the router's layer.

use axum::{
    extract::{Path, Query},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

/// `assets/app/`, embedded at build time.
#[derive(rust_embed::Embed)]
#[folder = "assets/app/"]
#[exclude = "*.LICENSE"]
struct Files;

/// The first 8 bytes of an asset's SHA-256, in hex: its version.
fn version(file: &rust_embed::EmbeddedFile) -> String {
    file.metadata.sha256_hash()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The versioned URL of asset `name`, for templates.
pub fn url(name: &str) -> String {
    match Files::get(name) {
        Some(file) => format!("/app/assets/{name}?v={}", version(&file)),
        None => format!("/app/assets/{name}"),
    }
}

/// `?v=` of an asset URL.
#[derive(Deserialize)]
pub struct Versioned {
    v: Option<String>,
}

/// Serves an asset: for a year when asked by its current version, else
/// revalidated each time; 304 when the browser's copy is current.
pub async fn serve(
    Path(name): Path<String>,
    Query(query): Query<Versioned>,
    headers: HeaderMap,
) -> Response {
    let Some(file) = Files::get(&name) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let version = version(&file);
    let etag = format!("\"{version}\"");
    let cache = if query.v.as_deref() == Some(version.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| sent.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mime = file.metadata.mimetype().to_owned();
        ([(header::CONTENT_TYPE, mime)], file.data.into_owned()).into_response()
    };
    let out = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, etag);
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_linked_asset_is_embedded_and_versioned() {
        for name in ["app.css", "app.js", "htmx.min.js", "icon.svg"] {
            let url = url(name);
            assert!(url.starts_with(&format!("/app/assets/{name}?v=")), "{url}");
            assert_eq!(url.len(), format!("/app/assets/{name}?v=").len() + 16);
        }
    }
}
