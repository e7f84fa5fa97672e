//! Webhooks as Standard Webhooks (<https://www.standardwebhooks.com>)
//! defines them: which endpoints may be called, which events they take,
//! their secrets, and the signature every delivery carries.
//!
//! A delivery is a POST of `{"id", "type", "timestamp", "data"}` with the
//! headers `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature`: `v1,` and the base64 HMAC-SHA256, under the
//! secret's 32 bytes, of `"{id}.{timestamp}.{body}"`; two signatures,
//! space-separated, while a rotated secret still signs.

use std::net::IpAddr;

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use ipnet::IpNet;
use sha2::Sha256;

use super::{FieldError, RuleViolation, Validator, quote};

/// How many endpoints one person may keep.
pub const MAX_WEBHOOKS_PER_USER: i64 = 20;
/// Longest accepted URL.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest accepted description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// How long a rotated secret keeps signing, in seconds.
pub const OLD_SECRET_SECONDS: i64 = 24 * 3600;
/// The prefix of a secret as shown.
pub const SECRET_PREFIX: &str = "whsec_";

/// The events an endpoint may take: the live stream's, and goals'.
pub const EVENT_TYPES: [&str; 10] = [
    "session.started",
    "session.ended",
    "session.updated",
    "session.deleted",
    "interruption.created",
    "interruption.ended",
    "interruption.updated",
    "interruption.deleted",
    "goal.met",
    "goal.missed",
];

/// The event `POST …/test` sends.
pub const PING: &str = "ping";

/// An endpoint's address: `https://` (or `http://`), a host, no user or
/// password in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    /// Checks the address's form; where it leads is checked when it is
    /// called (see [`NetworkPolicy`]).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let refuse = |why: &str| FieldError::new("url", format!("{} {why}", quote(raw)));
        if raw.chars().count() > MAX_URL_CHARS {
            return Err(FieldError::new(
                "url",
                format!("must be at most {MAX_URL_CHARS} characters"),
            ));
        }
        let url =
            url::Url::parse(raw.trim()).map_err(|e| refuse(&format!("is not a URL ({e})")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(refuse("must start with https:// (or http://)"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(refuse("has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(
                "may not carry a user or password; authenticate with the signature",
            ));
        }
        if url.fragment().is_some() {
            return Err(refuse("may not have a #fragment"));
        }
        Ok(Self(url))
    }

    /// The parsed address.
    pub fn url(&self) -> &url::Url {
        &self.0
    }

    /// As written back.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The event types an endpoint takes: known names, at least one, each once.
pub fn parse_events(raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::new(
            "events",
            format!("must name at least one of {}", EVENT_TYPES.join(", ")),
        ));
    }
    let mut events: Vec<String> = Vec::with_capacity(raw.len());
    for name in raw {
        if !EVENT_TYPES.contains(&name.as_str()) {
            return Err(FieldError::new(
                "events",
                format!(
                    "{} is not an event; use {}",
                    quote(name),
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
        if !events.contains(name) {
            events.push(name.clone());
        }
    }
    Ok(events)
}

/// Checks a description's length.
pub fn parse_description(raw: Option<String>) -> Result<String, FieldError> {
    super::bounded_text("description", raw, MAX_DESCRIPTION_CHARS)
}

/// An endpoint to add, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    /// Where deliveries go.
    pub url: WebhookUrl,
    /// What it takes.
    pub events: Vec<String>,
    /// The person's own words for it.
    pub description: String,
}

impl NewWebhook {
    /// Checks every field at once.
    pub fn parse(
        url: &str,
        events: &[String],
        description: Option<String>,
    ) -> Result<Self, RuleViolation> {
        let mut v = Validator::default();
        let url = v.check(WebhookUrl::parse(url));
        let events = v.check(parse_events(events));
        let description = v.check(parse_description(description));
        v.finish()?;
        match (url, events, description) {
            (Some(url), Some(events), Some(description)) => Ok(Self {
                url,
                events,
                description,
            }),
            _ => unreachable!("the validator reports any failed field"),
        }
    }
}

/// A stored endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Positive id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Where deliveries go.
    pub url: String,
    /// What it takes.
    pub events: Vec<String>,
    /// The person's words for it.
    pub description: String,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why it was disabled, when the server disabled it.
    pub disabled_reason: Option<String>,
    /// The secret, sealed under the server key.
    pub sealed_secret: Vec<u8>,
    /// A rotated secret that still signs, sealed, until when (Unix seconds).
    pub previous: Option<(Vec<u8>, i64)>,
    /// When it was added.
    pub created_at: jiff::Timestamp,
}

/// Changes to an endpoint; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookPatch {
    /// A new address.
    pub url: Option<WebhookUrl>,
    /// New events.
    pub events: Option<Vec<String>>,
    /// A new description.
    pub description: Option<String>,
    /// Turned on (which also forgets why it was turned off) or off.
    pub enabled: Option<bool>,
}

impl WebhookPatch {
    /// Checks whichever fields are present.
    pub fn parse(
        url: Option<&str>,
        events: Option<&[String]>,
        description: Option<String>,
        enabled: Option<bool>,
    ) -> Result<Self, RuleViolation> {
        let mut v = Validator::default();
        let url = url.and_then(|raw| v.check(WebhookUrl::parse(raw)));
        let events = events.and_then(|raw| v.check(parse_events(raw)));
        let description = match description {
            Some(raw) => v.check(parse_description(Some(raw))),
            None => None,
        };
        v.finish()?;
        Ok(Self {
            url,
            events,
            description,
            enabled,
        })
    }
}

/// What a sealed secret is bound to: its owner, so that a sealed secret
/// copied onto another user's row opens nothing.
pub fn seal_context(user_id: i64) -> Vec<u8> {
    format!("hyperfocus webhook secret of user {user_id}").into_bytes()
}

/// Refuses a new endpoint when the user keeps `held`, the most allowed.
pub fn check_room(held: i64) -> Result<(), RuleViolation> {
    if held >= MAX_WEBHOOKS_PER_USER {
        return Err(RuleViolation::Broke(super::breach::Breach::Full {
            what: super::breach::Kept::Webhooks,
            held,
        }));
    }
    Ok(())
}

/// A signing secret: 32 random bytes, shown as `whsec_` and their base64.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 32]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// A new random secret.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// The secret of its 32 bytes (as decrypted from storage).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The bytes, to encrypt for storage.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `whsec_…`, as shown to the person once.
    pub fn shown(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(self.0))
    }

    /// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        sign_with(&self.0, id, timestamp, body)
    }
}

/// The signature under any key (the standard's examples use 24 bytes).
fn sign_with(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        unreachable!("HMAC takes a key of any length");
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: one signature per secret that signs.
pub fn signature_header(secrets: &[&Secret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which addresses deliveries may reach. By default none that is
/// loopback, private, link-local (cloud metadata lives there), shared,
/// multicast or otherwise not on the public internet, so that an endpoint
/// cannot make the server call into its own network; the networks given
/// with `--webhook-allow-networks` are let through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkPolicy {
    allowed: Vec<IpNet>,
}

impl NetworkPolicy {
    /// Reads `127.0.0.0/8,::1/128`-style lists.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let allowed = raw
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .map_err(|_| format!("{part:?} is not a network such as 127.0.0.0/8"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { allowed })
    }

    /// Whether a delivery may connect to `ip`; the reason when not.
    pub fn check(&self, ip: IpAddr) -> Result<(), String> {
        match self.refusal(ip) {
            Some(refusal) => Err(refusal.to_string()),
            None => Ok(()),
        }
    }

    /// Why a delivery may not connect to `ip`, if it may not.
    pub fn refusal(&self, ip: IpAddr) -> Option<Refusal> {
        let ip = canonical(ip);
        if self.allowed.iter().any(|net| net.contains(&ip)) {
            return None;
        }
        forbidden_because(ip).map(|why| Refusal { ip, why })
    }

    /// Why no delivery could ever reach `url`, when its host is an address
    /// (not a name) in a refused network: such an endpoint is refused when
    /// it is added or changed. A name is checked at each delivery, against
    /// what it resolves to then.
    pub fn refusal_of_url(&self, url: &WebhookUrl) -> Option<Refusal> {
        let ip = match url.url().host()? {
            url::Host::Ipv4(v4) => IpAddr::V4(v4),
            url::Host::Ipv6(v6) => IpAddr::V6(v6),
            url::Host::Domain(_) => return None,
        };
        self.refusal(ip)
    }

    /// [`Self::refusal_of_url`] as the error of the `url` field.
    pub fn check_url(&self, url: &WebhookUrl) -> Result<(), FieldError> {
        match self.refusal_of_url(url) {
            Some(refusal) => Err(FieldError::new("url", refusal.to_string())),
            None => Ok(()),
        }
    }
}

/// An address deliveries may not reach, and what kind of address it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The address (an IPv4 address written as IPv6 is its IPv4 one).
    pub ip: IpAddr,
    /// "a loopback address", "a private address", …
    pub why: &'static str,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is {}; webhooks go to public addresses only (see --webhook-allow-networks)",
            self.ip, self.why
        )
    }
}

/// An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is that IPv4
/// address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

fn forbidden_because(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                Some("a loopback address")
            } else if v4.is_private() {
                Some("a private address")
            } else if v4.is_link_local() {
                Some("a link-local address (where cloud metadata lives)")
            } else if v4.is_multicast() || v4.is_broadcast() {
                Some("a multicast or broadcast address")
            } else if v4.is_unspecified() || a == 0 {
                Some("an unspecified address")
            } else if a == 100 && (64..128).contains(&b) {
                Some("a shared (carrier-grade NAT) address")
            } else if a >= 240 || v4.is_documentation() || (a == 198 && (b == 18 || b == 19)) {
                Some("a reserved address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unspecified() {
                Some("an unspecified address")
            } else if v6.is_multicast() {
                Some("a multicast address")
            } else if first & 0xfe00 == 0xfc00 {
                Some("a private (unique local) address")
            } else if first & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if first == 0x2001 && v6.segments()[1] == 0x0db8 {
                Some("a reserved address")
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_in_a_refused_network_is_refused_unless_allowed_and_names_wait() {
        let url = |raw: &str| WebhookUrl::parse(raw).unwrap();
        let policy = NetworkPolicy::default();
        assert_eq!(
            policy
                .check_url(&url("http://127.0.0.1:9/hook"))
                .unwrap_err()
                .message,
            "127.0.0.1 is a loopback address; webhooks go to public addresses only (see --webhook-allow-networks)"
        );
        assert_eq!(
            policy
                .refusal_of_url(&url("http://[::ffff:10.1.2.3]/"))
                .map(|r| r.why),
            Some("a private address")
        );
        assert_eq!(
            policy
                .refusal_of_url(&url("http://[fe80::1]/"))
                .map(|r| r.why),
            Some("a link-local address")
        );
        assert_eq!(policy.refusal_of_url(&url("http://localhost:9/")), None);
        assert_eq!(policy.refusal_of_url(&url("https://93.184.215.14/")), None);
        let allowed = NetworkPolicy::parse("127.0.0.0/8").unwrap();
        assert!(allowed.check_url(&url("http://127.0.0.1:9/hook")).is_ok());
        assert!(allowed.check_url(&url("http://10.0.0.1/")).is_err());
    }

    #[test]
    fn a_signature_is_the_standards_own_example() {
        // The example of the Standard Webhooks specification.
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            sign_with(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn two_secrets_sign_side_by_side() {
        let (a, b) = (Secret::from_bytes([1; 32]), Secret::from_bytes([2; 32]));
        let header = signature_header(&[&a, &b], "msg_1", 1_700_000_000, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], a.sign("msg_1", 1_700_000_000, b"{}"));
        assert!(parts.iter().all(|p| p.starts_with("v1,") && p.len() == 47));
        assert_ne!(parts[0], parts[1]);
        assert!(a.shown().starts_with("whsec_") && a.shown().len() == 50);
        assert_eq!(format!("{a:?}"), "Secret(…)");
    }

    #[test]
    fn urls_need_a_web_scheme_a_host_and_no_credentials() {
        assert!(WebhookUrl::parse("https://hooks.example.com/focus?x=1").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/").is_ok());
        for bad in [
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "not a url",
            "https://example.com/#part",
            "file:///etc/passwd",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(WebhookUrl::parse(&format!("https://e.com/{}", "a".repeat(2100))).is_err());
    }

    #[test]
    fn events_are_known_names_each_once() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            parse_events(&names(&["session.started", "goal.met", "session.started"])).unwrap(),
            ["session.started", "goal.met"]
        );
        assert!(parse_events(&[]).is_err());
        assert!(parse_events(&names(&["session.began"])).is_err());
        assert!(parse_events(&names(&["ping"])).is_err());
    }

    #[test]
    fn only_public_addresses_are_reached_unless_allowed() {
        let policy = NetworkPolicy::default();
        for blocked in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::ffff:127.0.0.1",
            "fd00::1",
            "fe80::1",
            "::",
        ] {
            let ip: IpAddr = blocked.parse().unwrap();
            assert!(policy.check(ip).is_err(), "{blocked}");
        }
        for open in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert_eq!(policy.check(open.parse().unwrap()), Ok(()), "{open}");
        }
        let local = NetworkPolicy::parse("127.0.0.0/8, ::1/128").unwrap();
        assert_eq!(local.check("127.0.0.1".parse().unwrap()), Ok(()));
        assert_eq!(local.check("::1".parse().unwrap()), Ok(()));
        assert!(local.check("10.0.0.1".parse().unwrap()).is_err());
        assert!(NetworkPolicy::parse("127.0.0.1/33").is_err());
        assert_eq!(
            policy.check("10.0.0.1".parse().unwrap()),
            Err("10.0.0.1 is a private address; webhooks go to public addresses only (see --webhook-allow-networks)".into())
        );
    }
}
