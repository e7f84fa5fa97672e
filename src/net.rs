//! Client addresses, as the rate limits and the sign-in throttle see them.

use std::net::IpAddr;

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, HeaderName, request::Parts},
};

use crate::{error::AppError, services::state::AppState};

/// The client's address, through `--client-ip-header` behind a proxy;
/// `None` only for in-process calls.
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Self(client_address(
            state.http.client_ip_header.as_ref(),
            &parts.headers,
            peer,
        )))
    }
}

/// The client's address: from the proxy's header when one is configured
/// and present, else the TCP peer; IPv6 by its /64 (see [`bucket_address`]).
pub fn client_address(
    client_ip_header: Option<&HeaderName>,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Option<IpAddr> {
    let forwarded = client_ip_header.and_then(|name| {
        let last_value = headers.get_all(name).iter().next_back()?;
        let last_hop = last_value.to_str().ok()?.rsplit(',').next()?;
        last_hop.trim().parse::<IpAddr>().ok()
    });
    forwarded.or(peer).map(bucket_address)
}

/// IPv4 (also when mapped into IPv6) as is; other IPv6 by its /64.
fn bucket_address(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
        v4 => v4,
    }
}
