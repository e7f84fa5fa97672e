//! What one client command runs with: the server and token (flags, then
//! environment, then the profile), the zone to read times in, the output
//! choices, and one `now` for every time the command reads.

use jiff::{Timestamp, tz::TimeZone};

use super::{
    Global,
    change::{Change, Done, Failure, Trail},
    config::{DEFAULT_SERVER, Dirs, Profile},
    focus::report_done,
    http::{Api, ApiError},
    known,
    model::User,
    output::{Output, count},
    queue::{Queue, Queued},
    undo,
    when::{self, parse_time},
};

/// The profile used when none is named.
const DEFAULT_PROFILE: &str = "default";

/// One command's world.
pub struct Context {
    /// The server.
    pub api: Api,
    /// Where files live.
    pub dirs: Dirs,
    /// The profile's name.
    pub profile_name: String,
    /// The profile as stored (or as the flags make it).
    pub profile: Profile,
    /// How to write.
    pub out: Output,
    /// The instant "now" means throughout the command, whole seconds.
    pub now: Timestamp,
    tz_flag: Option<TimeZone>,
    token_from_flags: bool,
    /// Whether the account's zone has been read during this command.
    zone_read: bool,
}

impl Context {
    /// Reads the config and the flags; touches no network. A profile
    /// named but not stored is an error (with the ones there are), unless
    /// this command makes it (`login`) or the flags carry a token.
    pub async fn open(global: &Global, makes_profile: bool) -> anyhow::Result<Self> {
        let dirs = Dirs::locate()?;
        let config = dirs.load()?;
        let profile_name = global
            .profile
            .clone()
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let stored = config.profiles.get(&profile_name).cloned();
        if stored.is_none() && global.profile.is_some() && !makes_profile && global.token.is_none()
        {
            anyhow::bail!(no_such_profile(&profile_name, &config.profiles));
        }
        let mut profile = stored.unwrap_or_default();
        if let Some(server) = &global.server {
            if profile.server.trim_end_matches('/') != server.trim_end_matches('/') {
                // Another server: the profile's account is not valid there.
                profile = Profile::default();
            }
            profile.server = server.clone();
        }
        if profile.server.is_empty() {
            profile.server = DEFAULT_SERVER.to_owned();
        }
        let token_from_flags = global.token.is_some();
        if let Some(token) = &global.token {
            profile.token = Some(token.clone());
            profile.user_id = None;
        }
        let tz_flag = match &global.tz {
            Some(name) => Some(TimeZone::get(name).map_err(|_| {
                anyhow::anyhow!("--tz {name:?} is not an IANA time zone, such as Europe/Madrid")
            })?),
            None => None,
        };
        let now = Timestamp::from_second(Timestamp::now().as_second())?;
        let context = Self {
            api: Api::new(&profile.server, profile.token.clone())?,
            dirs,
            profile_name,
            profile,
            out: Output::detect(global.json, global.no_color),
            now,
            tz_flag,
            token_from_flags,
            zone_read: false,
        };
        context.api.set_zone(context.zone());
        Ok(context)
    }

    /// The token given by `--token` or `HYPERFOCUS_TOKEN`, if any.
    pub fn flag_token(&self) -> Option<String> {
        self.profile.token.clone().filter(|_| self.token_from_flags)
    }

    /// Fails with what to do when there is no token to act with.
    pub fn require_login(&self) -> anyhow::Result<()> {
        if self.profile.token.is_none() {
            anyhow::bail!(
                "not signed in to {}; run `hyperfocus login` (or pass --token)",
                self.profile.server
            );
        }
        Ok(())
    }

    /// The token's user id: from the profile, else asked once.
    pub async fn user_id(&mut self) -> anyhow::Result<i64> {
        self.require_login()?;
        match self.profile.user_id {
            Some(id) => Ok(id),
            None => Ok(self.fetch_user().await?.id),
        }
    }

    /// `GET /users/me`, remembered in the profile.
    pub async fn fetch_user(&mut self) -> anyhow::Result<User> {
        self.require_login()?;
        let user: User = self.api.get("/users/me").await?;
        self.remember(&user)?;
        Ok(user)
    }

    /// A request for `GET /users/me` that borrows nothing, to run beside
    /// a command's own request (`tokio::join!`) so that times are shown in
    /// the account's zone as it is now, not as it was when last seen;
    /// `None` when the zone is not needed (`--tz`, no token) or was read.
    pub fn user_request(
        &self,
    ) -> impl std::future::Future<Output = Option<Result<User, ApiError>>> + 'static {
        let needed = self.tz_flag.is_none() && self.profile.token.is_some() && !self.zone_read;
        let api = self.api.clone();
        async move {
            if needed {
                Some(api.get::<User>("/users/me").await)
            } else {
                None
            }
        }
    }

    /// Takes in what [`Context::user_request`] answered. Offline (or on
    /// any failure) the zone last seen is kept: the command's own request
    /// says what went wrong.
    pub fn absorb(&mut self, answer: Option<Result<User, ApiError>>) -> anyhow::Result<()> {
        match answer {
            Some(Ok(user)) => self.remember(&user),
            _ => Ok(()),
        }
    }

    /// Reads the account's zone once in this command (unless `--tz`), so
    /// every time printed is in the zone the account has now.
    pub async fn refresh_zone(&mut self) -> anyhow::Result<()> {
        let answer = self.user_request().await;
        self.absorb(answer)
    }

    /// Makes the next [`Context::user_request`] read the zone again (a
    /// long-lived command).
    pub fn forget_zone(&mut self) {
        self.zone_read = false;
    }

    /// Keeps the account's zone as an answer other than `/users/me` gave
    /// it (a report's window): every answer that carries it refreshes it.
    pub fn remember_zone(&mut self, name: &str) -> anyhow::Result<()> {
        if self.tz_flag.is_some() || self.profile.timezone.as_deref() == Some(name) {
            return Ok(());
        }
        self.profile.timezone = Some(name.to_owned());
        self.api.set_zone(self.zone());
        if self.token_from_flags {
            return Ok(());
        }
        self.save_profile()
    }

    /// Keeps the user's id, email and zone in the stored profile, so
    /// later commands need not ask (and can show local times offline).
    pub fn remember(&mut self, user: &User) -> anyhow::Result<()> {
        self.zone_read = true;
        let known = self.profile.user_id == Some(user.id)
            && self.profile.email.as_deref() == Some(&user.email)
            && self.profile.timezone.as_deref() == Some(&user.timezone);
        self.profile.user_id = Some(user.id);
        self.profile.email = Some(user.email.clone());
        self.profile.timezone = Some(user.timezone.clone());
        self.api.set_zone(self.zone());
        if self.token_from_flags || known {
            return Ok(());
        }
        self.save_profile()
    }

    /// Writes the profile into the config file.
    pub fn save_profile(&self) -> anyhow::Result<()> {
        let mut config = self.dirs.load()?;
        config
            .profiles
            .insert(self.profile_name.clone(), self.profile.clone());
        self.dirs.save(&config)
    }

    /// The zone to show times in: `--tz`, else the account's as last seen.
    pub fn zone(&self) -> TimeZone {
        if let Some(zone) = &self.tz_flag {
            return zone.clone();
        }
        self.profile
            .timezone
            .as_deref()
            .and_then(|name| TimeZone::get(name).ok())
            .unwrap_or(TimeZone::UTC)
    }

    /// A time as messages write it: "09:02" today, "Tue 1 Dec 09:02"
    /// another day, in the zone times are shown in.
    pub fn moment(&self, at: Timestamp) -> String {
        super::words::moment(at, &self.zone(), self.now)
    }

    /// The `--tz` flag, for reports to pass on.
    pub fn tz_flag(&self) -> Option<&TimeZone> {
        self.tz_flag.as_ref()
    }

    /// Reads a TIME. A wall-clock time (`14:30`) needs the account's zone,
    /// asked fresh so a zone changed in the web app counts; relative and
    /// RFC 3339 times need nothing.
    pub async fn time(&mut self, raw: &str) -> anyhow::Result<Timestamp> {
        if when::needs_zone(raw) {
            // Offline, the zone last seen will do.
            self.refresh_zone().await?;
        }
        parse_time(raw, self.now, &self.zone()).map_err(anyhow::Error::msg)
    }

    /// A TIME flag, or now when it is absent.
    pub async fn time_or_now(&mut self, raw: Option<&str>) -> anyhow::Result<Timestamp> {
        match raw {
            Some(raw) => self.time(raw).await,
            None => Ok(self.now),
        }
    }

    /// An end's TIME, or now rounded up to the second. Starts take now
    /// rounded down, so an end typed a moment after its start (the same
    /// second) still comes after it instead of being refused as empty.
    pub async fn end_time_or_now(&mut self, raw: Option<&str>) -> anyhow::Result<Timestamp> {
        match raw {
            Some(raw) => self.time(raw).await,
            None => Ok(self.now.checked_add(jiff::SignedDuration::from_secs(1))?),
        }
    }

    /// The changes waiting for the server.
    pub fn queue(&self) -> anyhow::Result<Queue> {
        Queue::load(self.dirs.state_file(&self.profile_name, "queue.jsonl"))
    }

    /// Where the state as last seen is kept.
    pub fn known_file(&self) -> std::path::PathBuf {
        self.dirs.state_file(&self.profile_name, "current.json")
    }

    /// Sends what the queue holds, saying what happened to each change.
    pub async fn send_queue(&mut self) -> anyhow::Result<usize> {
        let mut queue = self.queue()?;
        if queue.is_empty() || self.profile.token.is_none() {
            return Ok(queue.len());
        }
        let flushed = queue.flush(&self.api, &mut Trail::default()).await?;
        let zone = self.zone();
        for (queued, done) in &flushed.sent {
            eprintln!("sent from the queue: {}", queued.change.describe(&zone));
            undo::remember(self, done)?;
            known::follow(&self.known_file(), done, self.now);
        }
        if !flushed.refused.is_empty() {
            let kept = self.dirs.state_file(&self.profile_name, "refused.jsonl");
            let mut refused = Vec::new();
            for (queued, failure) in flushed.refused {
                let why = super::explain::refusal(self, &queued.change, failure).await;
                refused.push((queued, why));
            }
            super::queue::keep_refused(&kept, &refused)?;
            for (queued, why) in &refused {
                eprintln!(
                    "refused from the queue: {}. {why}",
                    queued.change.describe(&zone)
                );
            }
            eprintln!(
                "refused changes are kept in {}; `hyperfocus log` or `edit` can make them again",
                kept.display()
            );
        }
        if flushed.left > 0 && !flushed.sent.is_empty() {
            eprintln!("{} still queued", count(flushed.left as i64, "change"));
        }
        Ok(flushed.left)
    }

    /// Makes a change now, or queues it when the server is out of reach
    /// (or earlier changes still wait, so the order is kept).
    pub async fn make(&mut self, change: Change) -> anyhow::Result<Option<Done>> {
        self.require_login()?;
        let mut queue = self.queue()?;
        let mut queued = Queued::new(change, self.now)?;
        if queue.is_empty() {
            let mut trail = Trail::default();
            let user = self.user_request();
            let change = async {
                match queued.change.resolve(&self.api, &trail).await {
                    Ok(()) => queued.change.send(&self.api, &queued.key, &mut trail).await,
                    Err(failure) => Err(failure),
                }
            };
            let (attempt, user) = tokio::join!(change, user);
            self.absorb(user)?;
            match attempt {
                Ok(done) => {
                    undo::remember(self, &done)?;
                    known::follow(&self.known_file(), &done, self.now);
                    report_done(self, &done)?;
                    return Ok(Some(done));
                }
                Err(Failure::Offline(_)) => {}
                Err(failure) => {
                    anyhow::bail!(super::explain::refusal(self, &queued.change, failure).await)
                }
            }
        }
        let description = queued.change.describe(&self.zone());
        queue.push(queued)?;
        eprintln!(
            "{} cannot be reached; queued: {description}. It is sent by the next command, or `hyperfocus sync`.",
            self.api.server()
        );
        Ok(None)
    }
}

/// "There is no profile …", with the ones there are.
fn no_such_profile(name: &str, profiles: &std::collections::BTreeMap<String, Profile>) -> String {
    let known = if profiles.is_empty() {
        "there are none yet".to_owned()
    } else {
        let names: Vec<&str> = profiles.keys().map(String::as_str).collect();
        format!("the profiles are {}", names.join(", "))
    };
    format!("there is no profile {name:?} ({known}); `hyperfocus --profile {name} login` makes it")
}
