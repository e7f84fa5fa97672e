//! `export` and `import`: the whole record out to a file and back, through
//! `GET …/export` (streamed to disk as it arrives) and `POST …/import`
//! (uploaded in chunks), with a progress bar on a terminal.

use std::{
    io::{IsTerminal, Write},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use clap::{Args, ValueEnum};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Method;
use serde::Deserialize;

use super::output::say;
use super::{Context, output::count};

/// The largest file the server takes (64 MiB); refused here before sending.
const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;
/// Upload chunk: small enough for a smooth bar, large enough to be cheap.
const CHUNK: usize = 256 * 1024;

/// `hyperfocus export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// ndjson (the canonical format), json or csv; default from --output's
    /// extension, else ndjson.
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Only sessions from this date or time.
    #[arg(long)]
    pub from: Option<String>,
    /// Only sessions before this date or time.
    #[arg(long)]
    pub to: Option<String>,
    /// The file to write; default (or `-`) standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// The formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A header, a line per session and per interruption, a trailer.
    Ndjson,
    /// One document.
    Json,
    /// A row per interruption (and per session without one).
    Csv,
}

/// `hyperfocus import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: our export (ndjson, json, csv), a Toggl or Clockify CSV
    /// export, or `timew export` JSON. `-` reads standard input.
    pub file: PathBuf,
    /// Its format when its extension does not say; a .csv is told apart
    /// (ours, Toggl, Clockify) by its header, a .json array is Timewarrior.
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
    /// The zone of a Toggl or Clockify file's local times; default your
    /// account's.
    #[arg(long = "file-tz", value_name = "ZONE")]
    pub file_tz: Option<String>,
    /// Check the file and say what an import would do, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The formats of `import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// Our NDJSON export.
    Ndjson,
    /// Our JSON export, or `timew export`.
    Json,
    /// Our CSV export, or a Toggl or Clockify detailed report.
    Csv,
    /// A Toggl Track detailed report (CSV).
    Toggl,
    /// A Clockify detailed report (CSV).
    Clockify,
    /// `timew export` (JSON).
    Timewarrior,
}

impl ImportFormat {
    fn of_path(path: &std::path::Path) -> Option<Self> {
        Some(match ExportFormat::of_path(path)? {
            ExportFormat::Ndjson => Self::Ndjson,
            ExportFormat::Json => Self::Json,
            ExportFormat::Csv => Self::Csv,
        })
    }

    /// The query's name and the body's media type.
    fn wire(self) -> (&'static str, &'static str) {
        match self {
            Self::Ndjson => ("ndjson", "application/x-ndjson"),
            Self::Json => ("json", "application/json"),
            Self::Csv => ("csv", "text/csv"),
            Self::Toggl => ("toggl", "text/csv"),
            Self::Clockify => ("clockify", "text/csv"),
            Self::Timewarrior => ("timewarrior", "application/json"),
        }
    }
}

#[derive(Deserialize, serde::Serialize)]
struct ImportReport {
    dry_run: bool,
    sessions_added: u64,
    interruptions_added: u64,
    sessions_matched: u64,
}

impl ExportFormat {
    fn name(self) -> &'static str {
        match self {
            Self::Ndjson => "ndjson",
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }

    fn of_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "ndjson" | "jsonl" => Some(Self::Ndjson),
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
}

/// Streams the export to a file (or stdout) as it arrives.
pub async fn export(context: &mut Context, mut args: ExportArgs) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    // `-o -` is standard output, as for most tools.
    args.output = args.output.filter(|path| path.as_os_str() != "-");
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(ExportFormat::of_path))
        .unwrap_or(ExportFormat::Ndjson);
    let mut query = vec![("format", format.name().to_owned())];
    query.extend(args.from.clone().map(|from| ("from", from)));
    query.extend(args.to.clone().map(|to| ("to", to)));
    if let Some(zone) = context.tz_flag().and_then(|z| z.iana_name()) {
        query.push(("tz", zone.to_owned()));
    }
    let request = context
        .api
        .request(Method::GET, &format!("/users/{user}/export"))
        .query(&query);
    let response = context.api.send(request).await?;
    let mut sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let bar = progress(None, "exported");
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| anyhow::anyhow!("the export was cut off ({e}); the file is incomplete"))?;
        written(&args, sink.write_all(&chunk))?;
        bar.inc(chunk.len() as u64);
    }
    written(&args, sink.flush())?;
    bar.finish_and_clear();
    if let Some(path) = &args.output {
        eprintln!(
            "Wrote {} ({}) to {}.",
            indicatif::HumanBytes(bar.position()),
            format.name(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A write's result: to standard output, a reader that went away
/// (`| head`) ends the program quietly.
fn written(args: &ExportArgs, result: std::io::Result<()>) -> anyhow::Result<()> {
    match (result, &args.output) {
        (Ok(()), _) => Ok(()),
        (Err(error), None) => super::output::end_on_write_error(&error),
        (Err(error), Some(path)) => {
            Err(anyhow::anyhow!("cannot write {}: {error}", path.display()))
        }
    }
}

/// Uploads a file to the import and says what it did.
pub async fn import(context: &mut Context, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let user = context.user_id().await?;
    let bytes = read_file(&args.file)?;
    let Some(format) = args.format.or_else(|| ImportFormat::of_path(&args.file)) else {
        anyhow::bail!(
            "cannot tell the format of {} from its name; pass --format ndjson, json or csv (or toggl, clockify, timewarrior)",
            args.file.display()
        );
    };
    let (name, media) = format.wire();
    let mut query = vec![
        ("dry_run", args.dry_run.to_string()),
        ("format", name.to_owned()),
    ];
    query.extend(args.file_tz.map(|zone| ("tz", zone)));
    let total = bytes.len() as u64;
    let bar = progress(Some(total), "sent");
    let whole = bytes::Bytes::from(bytes);
    let chunks: Vec<bytes::Bytes> = (0..whole.len())
        .step_by(CHUNK)
        .map(|at| whole.slice(at..(at + CHUNK).min(whole.len())))
        .collect();
    let counted = bar.clone();
    let body = futures_util::stream::iter(chunks).map(move |chunk| {
        counted.inc(chunk.len() as u64);
        Ok::<_, std::io::Error>(chunk)
    });
    let request = context
        .api
        .request(Method::POST, &format!("/users/{user}/import"))
        .query(&query)
        .header("Content-Type", media)
        .header("Content-Length", total)
        .body(reqwest::Body::wrap_stream(body));
    let sent = context.api.send(request).await;
    bar.finish_and_clear();
    let report: ImportReport = sent?.json().await?;
    if context.out.json {
        context.out.print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if report.dry_run { "Would add" } else { "Added" };
    say!(
        "{verb} {} and {}; {} already there.{}",
        count(report.sessions_added as i64, "session"),
        count(report.interruptions_added as i64, "interruption"),
        match report.sessions_matched {
            1 => "1 session was".to_owned(),
            n => format!("{n} sessions were"),
        },
        if report.dry_run {
            " Nothing was written."
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn read_file(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let limit = MAX_IMPORT_BYTES + 1;
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
            .take(limit)
            .read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        anyhow::bail!(
            "{} is larger than 64 MiB, the most one import takes; split it by date",
            path.display()
        );
    }
    Ok(bytes)
}

/// A bar on stderr when it is a terminal; hidden otherwise, so scripts and
/// logs get no control codes.
fn progress(total: Option<u64>, verb: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(&format!(
                "{{bar:40}} {{bytes}}/{{total_bytes}} {verb} ({{eta}})"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {{bytes}} {verb} ({{bytes_per_sec}})"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}
