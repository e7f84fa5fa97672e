//! What the edges (the API, the web app) and the background workers share:
//! signing in, running reports, the live event hub, webhook endpoints and
//! the guarded client that calls them, imports and exports, password
//! hashing. Each service speaks in domain types and the store; none knows
//! which edge called it.

pub mod accounts;
pub mod events;
pub mod exports;
pub mod imports;
pub mod outbound;
pub mod passwords;
pub mod reports;
pub mod state;
pub mod webhooks;
