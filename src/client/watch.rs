//! `status --watch`: a line whenever the state changes, following the
//! server's live event stream and the clock. The stream ends when the
//! server restarts (or the network goes): the line then says
//! "disconnected" — never a stale "focusing" — and the client reconnects
//! with a growing wait, reading the state afresh once it is back.

use std::{process::ExitCode, time::Duration};

use futures_util::StreamExt;
use jiff::Timestamp;
use reqwest::Method;

use super::{
    Context,
    change::current,
    http::ApiError,
    known,
    model::Current,
    output::write_line,
    status::{Shown, Template, fill},
};

/// The first wait before reconnecting, doubled after each failure up to
/// [`LONGEST_WAIT`]: a restart is back within a second or two, an outage
/// is not hammered.
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait between two attempts.
const LONGEST_WAIT: Duration = Duration::from_secs(30);
/// The server comments every 15 s on an idle stream; silence for this
/// long means the connection is dead although nothing closed it.
const SILENCE: Duration = Duration::from_secs(45);
/// How often the state is read again although no event came: a server
/// that stopped taking connections may keep an old stream open for a
/// while (a shutdown waiting on it), and the line must not stay "focusing"
/// meanwhile; a missed event is caught up too.
const REREAD: Duration = Duration::from_secs(20);

/// Why following the stream stopped.
enum Stopped {
    /// The stream (or the server) went away: reconnect.
    Lost,
    /// The server refuses this device (401, 403, 404): reconnecting cannot help.
    Refused(ApiError),
}

/// The lines printed so far, so that only a change prints.
struct Printer {
    template: Template,
    last: String,
}

impl Printer {
    fn show(&mut self, context: &Context, shown: Shown<'_>) {
        let line = fill(&self.template, shown, Timestamp::now(), &context.zone());
        if line != self.last {
            write_line(format_args!("{line}"));
            self.last = line;
        }
    }
}

/// Follows the state until interrupted (or refused).
pub async fn watch(context: &mut Context, template: Template) -> anyhow::Result<ExitCode> {
    let mut printer = Printer {
        template,
        last: String::new(),
    };
    let mut wait = FIRST_WAIT;
    loop {
        match follow(context, &mut printer).await {
            // Connected, then lost: a restart, most likely; try again soon.
            Ok(()) => wait = FIRST_WAIT,
            Err(Stopped::Refused(error)) => return Err(error.into()),
            Err(Stopped::Lost) => {}
        }
        printer.show(context, Shown::Disconnected);
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(LONGEST_WAIT);
    }
}

/// Connects, reads the state, and prints it as it changes until the
/// stream ends (`Ok`), or fails to connect.
async fn follow(context: &mut Context, printer: &mut Printer) -> Result<(), Stopped> {
    let user = context
        .user_id()
        .await
        .map_err(|error| lost_or_refused(&error))?;
    // The stream first, then the state: a change between the two is then
    // in the stream, never missed.
    let request = context
        .api
        .request(Method::GET, &format!("/users/{user}/events"))
        .header("Accept", "text/event-stream");
    let response = context.api.send(request).await.map_err(classify)?;
    let mut events = response.bytes_stream();
    // Back: what was queued meanwhile goes first, so the line shows it.
    let _ = context.send_queue().await;
    let (mut state, mut read_at) = read_state(context).await?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut pending = String::new();
    let mut heard = tokio::time::Instant::now();
    let mut read = tokio::time::Instant::now();
    loop {
        printer.show(
            context,
            Shown::Live {
                state: &state,
                read_at,
            },
        );
        tokio::select! {
            _ = tick.tick() => {
                if heard.elapsed() > SILENCE {
                    return Ok(());
                }
                if read.elapsed() > REREAD {
                    match read_state(context).await {
                        Ok(fresh) => (state, read_at) = fresh,
                        Err(Stopped::Lost) => return Ok(()),
                        Err(refused) => return Err(refused),
                    }
                    read = tokio::time::Instant::now();
                }
            }
            chunk = events.next() => match chunk {
                Some(Ok(bytes)) => {
                    heard = tokio::time::Instant::now();
                    pending.push_str(&String::from_utf8_lossy(&bytes));
                    if take_events(&mut pending) {
                        match read_state(context).await {
                            Ok(fresh) => (state, read_at) = fresh,
                            Err(Stopped::Lost) => return Ok(()),
                            Err(refused) => return Err(refused),
                        }
                        read = tokio::time::Instant::now();
                    }
                }
                // Closed or broken.
                _ => return Ok(()),
            },
        }
    }
}

/// `GET /sessions/current` (and the account's zone beside it), kept as
/// last seen for an offline `status`.
async fn read_state(context: &mut Context) -> Result<(Current, Timestamp), Stopped> {
    let api = context.api.clone();
    // Read every time: the zone may have changed, and nothing announces it.
    context.forget_zone();
    let user = context.user_request();
    let (state, user) = tokio::join!(current(&api), user);
    let _ = context.absorb(user);
    let state = state.map_err(classify)?;
    let now = Timestamp::now();
    known::keep(&context.known_file(), &state, now);
    Ok((state, now))
}

fn classify(error: ApiError) -> Stopped {
    match error.status() {
        Some(401 | 403 | 404) => Stopped::Refused(error),
        _ => Stopped::Lost,
    }
}

fn lost_or_refused(error: &anyhow::Error) -> Stopped {
    match error.downcast_ref::<ApiError>() {
        Some(ApiError::Problem(problem)) if matches!(problem.status, 401 | 403 | 404) => {
            Stopped::Refused(ApiError::Problem(problem.clone()))
        }
        _ => Stopped::Lost,
    }
}

/// Drops the whole events in `pending` (an event ends at a blank line);
/// whether one of them named a change (not a comment or keep-alive).
fn take_events(pending: &mut String) -> bool {
    let mut changed = false;
    while let Some(end) = pending.find("\n\n") {
        let event: String = pending.drain(..end + 2).collect();
        changed |= event.lines().any(|line| line.starts_with("event:"));
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::take_events;

    #[test]
    fn only_whole_events_with_a_name_count_as_changes() {
        let mut pending = ": connected\n\nevent: session.started\ndata: {}".to_owned();
        assert!(!take_events(&mut pending));
        assert_eq!(pending, "event: session.started\ndata: {}");
        pending.push_str("\n\n");
        assert!(take_events(&mut pending));
        assert!(pending.is_empty());
    }
}
