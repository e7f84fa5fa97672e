//! Where the client keeps what it must remember between commands: the
//! profiles (server and token) in the XDG config directory, readable by the
//! user alone since a token is a password, and the offline queue and the
//! last change in the XDG state directory.

use std::{
    collections::BTreeMap,
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::Context;
use etcetera::BaseStrategy;
use serde::{Deserialize, Serialize};

/// The server a new profile talks to: `hyperfocus serve`'s own address.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8000";

/// One account on one server, as `hyperfocus login` stored it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    /// The server's base URL.
    pub server: String,
    /// The personal token this device signs in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The user the token acts for, so commands need not ask each time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// Their email, for `whoami` offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Their zone as last seen, to show local times without asking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// The whole config file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ConfigFile {
    /// Profiles by name; `default` unless `--profile` says otherwise.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// The client's two directories.
#[derive(Debug, Clone)]
pub struct Dirs {
    config: PathBuf,
    state: PathBuf,
}

impl Dirs {
    /// The XDG directories (`$XDG_CONFIG_HOME/hyperfocus`,
    /// `$XDG_STATE_HOME/hyperfocus`), or `~/.config` and `~/.local/state`.
    pub fn locate() -> anyhow::Result<Self> {
        let base = etcetera::choose_base_strategy()
            .map_err(|_| anyhow::anyhow!("cannot find your home directory; set HOME"))?;
        let state = base
            .state_dir()
            .unwrap_or_else(|| base.data_dir())
            .join("hyperfocus");
        Ok(Self {
            config: base.config_dir().join("hyperfocus"),
            state,
        })
    }

    /// The config file's path.
    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }

    /// A per-profile file in the state directory.
    pub fn state_file(&self, profile: &str, name: &str) -> PathBuf {
        self.state.join(format!("{profile}.{name}"))
    }

    /// Reads the config file; none yet is an empty one.
    pub fn load(&self) -> anyhow::Result<ConfigFile> {
        let path = self.config_file();
        match fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("{} is not a valid config file", path.display())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Writes the config file whole, readable by its owner only.
    pub fn save(&self, config: &ConfigFile) -> anyhow::Result<()> {
        let text = toml::to_string_pretty(config)?;
        write_private(&self.config_file(), text.as_bytes())
    }
}

/// Writes `bytes` to `path` through a file beside it and a rename, so a
/// crash leaves the old file or the new one, never half of either; mode
/// 0600 from the first byte.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let directory = path.parent().context("a file needs a directory")?;
    fs::create_dir_all(directory)
        .with_context(|| format!("cannot create {}", directory.display()))?;
    let temporary = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&temporary)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&temporary, fs::Permissions::from_mode(0o600))?;
    }
    fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Reads a state file; none is `None`.
pub fn read_optional(path: &Path) -> anyhow::Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Removes a state file, if there is one.
pub fn remove_optional(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}
