//! `hyperfocus demo`: a new account with a believable history
//! (`domain::demo`), written through the same import as
//! `POST /users/{id}/import`, against the configured database.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    config::DatabaseConfig,
    db::Registration,
    domain::{
        demo,
        import::ImportCounts,
        password::{self, Password},
        token::{NewSecret, NewToken, Scope, TokenName},
        user::NewUser,
    },
};

/// What `hyperfocus demo` made, to print once.
pub struct DemoAccount {
    /// The account's email.
    pub email: String,
    /// Its password, drawn at random.
    pub password: String,
    /// Its registration token.
    pub token: String,
    /// What the history holds.
    pub counts: ImportCounts,
}

/// Registers `email` (in `timezone`) with a random password and writes
/// `days` days of history before now, the same for the same `seed`.
pub async fn create(
    database: &DatabaseConfig,
    email: &str,
    timezone: &str,
    days: u32,
    seed: u64,
) -> anyhow::Result<DemoAccount> {
    let new = NewUser::parse("Demo", email, Some(timezone)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let zone = new.timezone.zone();
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes)?;
    let password = format!("demo-{}", URL_SAFE_NO_PAD.encode(bytes));
    let checked = Password::new_for_account("password", &password)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&checked)).await??;
    let secret = NewSecret::generate()?;
    let token = NewToken {
        name: TokenName::registration(),
        scope: Scope::Write,
        expires_at: None,
        hash: secret.hash,
    };
    let store = crate::open_store(database).await?;
    let now = jiff::Timestamp::now();
    let result = async {
        let registered = store.create_user(new, Some(hash), token, now, None).await;
        let (user, token_id) = match registered {
            Ok(Registration::Created { user, token_id }) => (user, token_id),
            Ok(Registration::Replayed { .. }) => anyhow::bail!("the account was not created"),
            Err(crate::db::StoreError::Rule(_)) => {
                anyhow::bail!("{email} already has an account; pick another with --email")
            }
            Err(other) => return Err(other.into()),
        };
        let sessions = demo::history(days, &zone, now, seed);
        let file = crate::domain::import::ImportFile::from_sessions(sessions);
        let counts = store.import_sessions(user.id, file, false, now).await?;
        Ok(DemoAccount {
            email: user.email,
            password,
            token: secret.token_for(token_id),
            counts,
        })
    }
    .await;
    store.close().await;
    result
}
