//! The web app, driven as a browser would drive it: pages, forms, cookies.
//! (The browser suite in e2e/ runs it in Chromium.)

use serde_json::json;

use crate::helpers::{TestApp, TestResponse, set_cookie, set_cookies};

const PASSWORD: &str = "correct horse battery";

/// Registers Ana through the page and returns her browser's cookie.
async fn ana(app: &TestApp) -> String {
    let registered = app
        .form(
            "/app/register",
            None,
            &[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", PASSWORD),
                ("timezone", "Europe/Madrid"),
            ],
        )
        .await;
    assert_eq!(registered.status, 303, "{}", registered.text);
    assert_eq!(registered.header("location"), Some("/app/"));
    set_cookie(&registered, "hf_session").expect("a session cookie")
}

/// The CSRF token of the page behind `path`.
async fn csrf(app: &TestApp, cookie: &str, path: &str) -> String {
    let page = app.page(path, Some(cookie)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let marker = r#"name="csrf" value=""#;
    let at = page.text.find(marker).expect("a form with a CSRF token") + marker.len();
    page.text[at..].split('"').next().unwrap().to_owned()
}

fn flash_of(response: &TestResponse) -> String {
    let value = set_cookie(response, "hf_flash").expect("a message for the next page");
    let bytes = base64_url_decode(&value);
    String::from_utf8(bytes).unwrap()
}

/// The message shown by the input `id` of a form that came back.
fn field_error(page: &TestResponse, id: &str) -> String {
    let marker =
        format!(r#"<p class="field-error" id="{id}-error"><span class="sr-only">Error:</span> "#);
    let at = page
        .text
        .find(&marker)
        .unwrap_or_else(|| panic!("a message by {id}: {}", page.text))
        + marker.len();
    page.text[at..].split("</p>").next().unwrap().to_owned()
}

fn base64_url_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

#[tokio::test]
async fn browsers_are_sent_to_the_app_and_clients_keep_the_banner() {
    let app = TestApp::new().await;
    let browser = app.page("/", None).await;
    assert_eq!(
        (browser.status.as_u16(), browser.header("location")),
        (303, Some("/app/"))
    );
    let client = app.call("GET", "/", None, None).await;
    assert_eq!(client.body["message"], "HyperFocus API is running 🚀");
    let signed_out = app.page("/app/reports?period=month", None).await;
    assert_eq!(signed_out.status, 303);
    assert_eq!(
        signed_out.header("location"),
        Some("/app/signin?next=%2Fapp%2Freports%3Fperiod%3Dmonth")
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_strict_and_secure_over_tls() {
    let app = TestApp::new().await;
    let registered = app
        .form(
            "/app/register",
            None,
            &[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookie = set_cookies(&registered)
        .into_iter()
        .find(|c| c.starts_with("hf_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    let request = axum::http::Request::post("/app/signin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-proto", "https")
        .body(axum::body::Body::from(format!(
            "email=ana%40example.com&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let over_tls = app.send(request).await;
    let cookie = set_cookies(&over_tls)
        .into_iter()
        .find(|c| c.starts_with("hf_session="))
        .unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    // The database keeps a hash of the cookie, not the cookie.
    let value = cookie
        .trim_start_matches("hf_session=")
        .split(';')
        .next()
        .unwrap();
    assert_eq!(app.count_rows("web_sessions").await, 2);
    let stored = app
        .db
        .scalar(&format!(
            "SELECT COUNT(*) FROM web_sessions WHERE csrf = '{value}' OR user_agent = '{value}'"
        ))
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn signing_in_with_a_password_or_a_token() {
    let app = TestApp::new().await;
    ana(&app).await;
    let wrong = app
        .form(
            "/app/signin",
            None,
            &[("email", "ana@example.com"), ("password", "nope nope")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.text.contains("The email or the password is wrong."),
        "{}",
        wrong.text
    );
    let right = app
        .form(
            "/app/signin",
            None,
            &[
                ("email", "ANA@example.com"),
                ("password", PASSWORD),
                ("next", "/app/history"),
            ],
        )
        .await;
    assert_eq!(
        (right.status.as_u16(), right.header("location")),
        (303, Some("/app/history"))
    );
    let cookie = set_cookie(&right, "hf_session").unwrap();
    assert_eq!(app.page("/app/history", Some(&cookie)).await.status, 200);
    // Somewhere else after signing in: never.
    let elsewhere = app
        .form(
            "/app/signin",
            None,
            &[
                ("email", "ana@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(elsewhere.header("location"), Some("/app/"));

    let token = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": "ana@example.com", "password": PASSWORD, "token_name": "laptop"})),
        )
        .await;
    let token = token.body["api_token"].as_str().unwrap();
    let with_token = app.form("/app/signin", None, &[("token", token)]).await;
    let cookie = set_cookie(&with_token, "hf_session").unwrap();
    let page = app.page("/app/", Some(&cookie)).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains(token),
        "the token never reaches the page"
    );
    let forged = app
        .form("/app/signin", None, &[("token", "hf_1_forged")])
        .await;
    assert_eq!(forged.status, 401);
}

#[tokio::test]
async fn focus_interruptions_and_notes_from_the_now_page() {
    let app = TestApp::at("2025-11-15T09:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/").await;
    let started = app
        .form(
            "/app/focus/start",
            Some(&cookie),
            &[("csrf", &csrf), ("note", " chapter 3 draft ")],
        )
        .await;
    assert_eq!(started.status, 303);
    assert_eq!(flash_of(&started), "notice:Focus started. Good luck!");
    let page = app.page("/app/", Some(&cookie)).await;
    assert!(page.text.contains("Focusing since"), "{}", page.text);
    assert!(
        page.text
            .contains(r#"<p class="session-note">chapter 3 draft</p>"#),
        "{}",
        page.text
    );
    let session = app
        .db
        .scalar("SELECT MAX(id) FROM sessions")
        .await
        .unwrap()
        .to_string();
    let note = r#"<script>alert(1)</script> "><img src=x onerror=alert(2)>"#;
    let interrupted = app
        .form(
            "/app/interrupt",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("session_id", &session),
                ("type", "phone"),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(
        flash_of(&interrupted),
        "notice:Phone interruption started; press Back to focus when it is over."
    );
    for path in ["/app/", "/app/history"] {
        let page = app.page(path, Some(&cookie)).await;
        assert!(!page.text.contains("<script>alert"), "{path}");
        assert!(!page.text.contains("<img src=x"), "{path}");
        assert!(
            page.text
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path}: the note is shown as text"
        );
    }
    let open = app
        .db
        .scalar("SELECT MAX(id) FROM interruptions")
        .await
        .unwrap()
        .to_string();
    app.set_now("2025-11-15T09:03:00Z");
    let resumed = app
        .form(
            "/app/resume",
            Some(&cookie),
            &[("csrf", &csrf), ("interruption_id", &open)],
        )
        .await;
    assert_eq!(flash_of(&resumed), "notice:Back to focus after 3 min.");
    app.set_now("2025-11-15T09:30:00Z");
    let ended = app
        .form(
            "/app/focus/end",
            Some(&cookie),
            &[("csrf", &csrf), ("session_id", &session)],
        )
        .await;
    assert_eq!(
        flash_of(&ended),
        "notice:Session ended: 30 min worked, 3 min lost."
    );
    let renamed = app
        .form(
            &format!("/app/sessions/{session}"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                (&format!("s{session}-start"), "2025-11-15T10:00:00"),
                (&format!("s{session}-end"), "2025-11-15T10:30:00"),
                (&format!("s{session}-note"), "chapter 3, second pass"),
                ("back", "/app/history"),
            ],
        )
        .await;
    assert_eq!(flash_of(&renamed), "notice:Session saved.");
    let history = app.page("/app/history", Some(&cookie)).await;
    assert!(
        history
            .text
            .contains(r#"<p class="session-note">chapter 3, second pass</p>"#),
        "{}",
        history.text
    );
    assert_eq!(
        app.db
            .scalar("SELECT COUNT(*) FROM sessions WHERE end_time IS NULL")
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_form_from_another_site_or_without_its_token_is_refused() {
    let app = TestApp::new().await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/").await;
    let without = app.form("/app/focus/start", Some(&cookie), &[]).await;
    assert_eq!(without.status, 403);
    assert!(without.text.contains("reload the page and try again"));
    let forged = app
        .form("/app/focus/start", Some(&cookie), &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, 403);
    let cross_site = app
        .form_from(
            "/app/focus/start",
            Some(&cookie),
            &[("csrf", &csrf)],
            "cross-site",
        )
        .await;
    assert_eq!(cross_site.status, 403);
    assert!(cross_site.text.contains("this form came from another site"));
    assert_eq!(app.count_rows("sessions").await, 0);
    let registered_cross_site = app
        .form_from(
            "/app/register",
            None,
            &[
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
            ],
            "cross-site",
        )
        .await;
    assert_eq!(registered_cross_site.status, 403);
}

#[tokio::test]
async fn a_rule_broken_from_a_page_comes_back_as_a_message() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/history").await;
    let backwards = app
        .form(
            "/app/history/log",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("start", "2025-11-15T10:00"),
                ("end", "2025-11-15T09:00"),
                ("note", "chapter 4"),
                ("back", "/app/history"),
            ],
        )
        .await;
    // The page again, the form open as typed, the reason by its field.
    assert_eq!(backwards.status, 422);
    assert_eq!(backwards.header("hx-replace-url"), Some("/app/history"));
    let page = &backwards.text;
    assert!(
        page.contains(r#"<details class="card" id="log" open>"#),
        "{page}"
    );
    assert!(
        page.contains(r##"<a href="#log-end">The end must be after the start (10:00).</a>"##),
        "{page}"
    );
    assert!(page.contains(r#"<p class="field-error" id="log-end-error"><span class="sr-only">Error:</span> The end must be after the start (10:00).</p>"#), "{page}");
    assert!(page.contains(r#"value="2025-11-15T09:00" required aria-invalid="true" aria-describedby="log-end-error""#), "{page}");
    assert!(page.contains(r#"value="chapter 4""#), "{page}");
    assert_eq!(app.count_rows("sessions").await, 0);
    let logged = app
        .form(
            "/app/history/log",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("start", "2025-11-15T09:00"),
                ("end", "2025-11-15T10:30"),
                ("back", "/app/history"),
            ],
        )
        .await;
    assert_eq!(flash_of(&logged), "notice:Session logged: 1 h 30 min.");
    // Local time in Madrid: 09:00 is 08:00 UTC.
    let api_token = app
        .call(
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": "ana@example.com", "password": PASSWORD, "token_name": "t"})),
        )
        .await;
    let token = api_token.body["api_token"].as_str().unwrap();
    let listed = app.get("/sessions/user/1", token).await;
    assert_eq!(listed.body[0]["start_time"], "2025-11-15T08:00:00Z");
    assert_eq!(listed.body[0]["duration_seconds"], 5400);
    let page = app.page("/app/history", Some(&cookie)).await;
    assert!(
        page.text.contains("Sat 15 Nov, 09:00 – 10:30"),
        "{}",
        page.text
    );
    // The next page shows the message once, then clears it.
    let request = axum::http::Request::get("/app/history")
        .header(
            "cookie",
            format!(
                "hf_session={cookie}; hf_flash={}",
                set_cookie(&logged, "hf_flash").unwrap()
            ),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let shown = app.send(request).await;
    assert!(shown.text.contains("Session logged: 1 h 30 min."));
    assert!(
        set_cookies(&shown)
            .iter()
            .any(|c| c.starts_with("hf_flash=;"))
    );
}

#[tokio::test]
async fn a_browser_signed_in_with_a_read_token_changes_nothing() {
    let app = TestApp::new().await;
    let user = app.register("Ana").await;
    let read = app
        .post(
            "/users/me/tokens",
            &user.token,
            json!({"name": "dashboard", "scope": "read"}),
        )
        .await;
    let read = read.body["api_token"].as_str().unwrap();
    let signed_in = app.form("/app/signin", None, &[("token", read)]).await;
    let cookie = set_cookie(&signed_in, "hf_session").unwrap();
    assert_eq!(app.page("/app/reports", Some(&cookie)).await.status, 200);
    let csrf = csrf(&app, &cookie, "/app/").await;
    let refused = app
        .form("/app/focus/start", Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(app.count_rows("sessions").await, 0);
}

#[tokio::test]
async fn signing_out_here_and_elsewhere() {
    let app = TestApp::new().await;
    let first = ana(&app).await;
    let second = app
        .form(
            "/app/signin",
            None,
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
    let second = set_cookie(&second, "hf_session").unwrap();
    let csrf = csrf(&app, &first, "/app/settings").await;
    let others = app
        .form("/app/signout/others", Some(&first), &[("csrf", &csrf)])
        .await;
    assert_eq!(
        flash_of(&others),
        "notice:One other browser was signed out."
    );
    assert_eq!(app.page("/app/", Some(&second)).await.status, 303);
    assert_eq!(app.page("/app/", Some(&first)).await.status, 200);
    let out = app
        .form("/app/signout", Some(&first), &[("csrf", &csrf)])
        .await;
    assert_eq!(out.header("location"), Some("/app/signin"));
    assert!(
        set_cookies(&out)
            .iter()
            .any(|c| c.starts_with("hf_session=;"))
    );
    assert_eq!(app.page("/app/", Some(&first)).await.status, 303);
    assert_eq!(app.count_rows("web_sessions").await, 0);
}

#[tokio::test]
async fn erasing_the_account_from_settings_needs_its_email() {
    let app = TestApp::new().await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    let wrong = app
        .form(
            "/app/settings/erase",
            Some(&cookie),
            &[("csrf", &csrf), ("email", "bob@example.com")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(
        field_error(&wrong, "erase-email"),
        "Type this account’s email address exactly, to show that you mean to erase it."
    );
    assert_eq!(app.count_rows("users").await, 1);
    let erased = app
        .form(
            "/app/settings/erase",
            Some(&cookie),
            &[("csrf", &csrf), ("email", "ANA@example.com")],
        )
        .await;
    assert_eq!(erased.header("location"), Some("/app/signin"));
    assert_eq!(app.count_rows("users").await, 0);
    assert_eq!(app.count_rows("web_sessions").await, 0);
}

#[tokio::test]
async fn a_registration_with_mistakes_says_each_by_its_field_and_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let refused = app
        .form(
            "/app/register",
            None,
            &[
                ("name", "Ana"),
                ("email", "ana@example"),
                ("password", "short"),
                ("timezone", "Europe/Madrid"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        field_error(&refused, "email"),
        "Enter an email address in the right form, such as name@example.com."
    );
    assert_eq!(
        field_error(&refused, "password"),
        "The password must be 8 characters or more; a few words make a good one."
    );
    assert!(
        refused
            .text
            .contains("<h2 id=\"problem\">There is a problem</h2>")
    );
    assert!(
        refused
            .text
            .contains(r##"<li><a href="#email">Enter an email address"##)
    );
    assert!(
        refused
            .text
            .contains(r##"<li><a href="#password">The password must"##)
    );
    assert!(refused.text.contains(r#"value="ana@example""#));
    assert!(refused.text.contains(r#"value="Europe/Madrid""#));
    assert!(!refused.text.contains("fields are invalid"));
    assert!(
        !refused.text.contains("data-browser-zone"),
        "the zone typed stays"
    );
    assert_eq!(app.count_rows("users").await, 0);

    // Without a zone (no JavaScript filled one in) the server's default
    // holds; the page offers canonical names only.
    let page = app.page("/app/register", None).await;
    assert!(page.text.contains(r#"value="UTC" data-browser-zone="UTC""#));
    assert!(page.text.contains(r#"<option value="Asia/Kolkata">"#));
    assert!(!page.text.contains("US/Eastern") && !page.text.contains("Factory"));
    let plain = app
        .form(
            "/app/register",
            None,
            &[
                ("name", "Ben"),
                ("email", "ben@example.com"),
                ("password", PASSWORD),
                ("timezone", ""),
            ],
        )
        .await;
    assert_eq!(plain.status, 303, "{}", plain.text);
    let ben = set_cookie(&plain, "hf_session").unwrap();
    let settings = app.page("/app/settings", Some(&ben)).await;
    assert!(
        settings
            .text
            .contains(r#"autocomplete="off" spellcheck="false" value="UTC""#),
        "{}",
        settings.text
    );
    let again = app
        .form(
            "/app/register",
            None,
            &[
                ("name", "Ben"),
                ("email", "BEN@example.com"),
                ("password", PASSWORD),
                ("timezone", "US/Eastern"),
            ],
        )
        .await;
    assert_eq!(again.status, 409);
    assert!(field_error(&again, "email").starts_with("This email address cannot be used"));
}

#[tokio::test]
async fn the_registration_page_is_throttled_like_the_api_after_taken_emails() {
    let app = TestApp::new().await;
    ana(&app).await;
    let try_ana = || async {
        app.form(
            "/app/register",
            None,
            &[
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("password", PASSWORD),
                ("timezone", "UTC"),
            ],
        )
        .await
    };
    for _ in 0..10 {
        assert_eq!(try_ana().await.status, 409);
    }
    let stopped = try_ana().await;
    assert_eq!(stopped.status, 429);
    assert_eq!(
        field_error(&stopped, "email"),
        "Too many accounts were tried from this network with addresses that already have one. Try again in 15 minutes."
    );
    // The page and the API share one count.
    let api = app
        .call(
            "POST",
            "/users/",
            None,
            Some(json!({"name": "Eve", "email": "eve@example.com"})),
        )
        .await;
    api.problem(429);
}

#[tokio::test]
async fn a_token_created_in_settings_is_shown_once_and_works() {
    let app = TestApp::new().await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    let created = app
        .form(
            "/app/settings/tokens",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "cli"),
                ("scope", "read"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(created.status, 200);
    // The token's own shape, so that a random CSRF value that happens to
    // hold `hf_` is never taken for it.
    let shape = regex::Regex::new(r"hf_[0-9]+_[A-Za-z0-9_-]{43}").expect("a pattern");
    let token = shape
        .find(&created.text)
        .expect("the token on the page")
        .as_str()
        .to_owned();
    assert_eq!(app.get("/users/me", &token).await.status, 200);
    let again = app.page("/app/settings", Some(&cookie)).await;
    assert!(!again.text.contains(&token), "shown once");
}

#[tokio::test]
async fn pages_carry_no_inline_script_style_or_handler() {
    let app = TestApp::new().await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/").await;
    app.form("/app/focus/start", Some(&cookie), &[("csrf", &csrf)])
        .await;
    for path in [
        "/app/signin",
        "/app/register",
        "/app/",
        "/app/reports",
        "/app/reports?period=year",
        "/app/history",
        "/app/settings",
    ] {
        let cookie = (path != "/app/signin" && path != "/app/register").then_some(cookie.as_str());
        let page = app.page(path, cookie).await;
        assert_eq!(page.status, 200, "{path}");
        let policy = page.header("content-security-policy").unwrap();
        assert!(
            policy.contains("script-src 'self'") && !policy.contains("unsafe"),
            "{policy}"
        );
        assert_eq!(
            page.text.matches("<script").count(),
            page.text.matches("<script src=").count(),
            "{path}"
        );
        assert!(!page.text.contains(" style="), "{path}");
        assert!(
            !regex_like_handler(&page.text),
            "{path} has an on…= handler"
        );
    }
}

/// Whether `html` has an attribute such as ` onclick=`.
fn regex_like_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        !name.is_empty() && rest[name.len()..].starts_with('=')
    })
}

#[tokio::test]
async fn assets_are_versioned_cached_compressed_and_revalidated() {
    let app = TestApp::new().await;
    let page = app.page("/app/signin", None).await;
    let at = page.text.find("/app/assets/app.css?v=").unwrap();
    let url: String = page.text[at..].chars().take_while(|c| *c != '"').collect();
    let css = app.page(&url, None).await;
    assert_eq!(css.status, 200);
    assert_eq!(
        css.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(css.header("content-type"), Some("text/css"));
    let etag = css.header("etag").unwrap().to_owned();
    let request = axum::http::Request::get(&url)
        .header("if-none-match", &etag)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, 304);
    let request = axum::http::Request::get("/app/assets/htmx.min.js")
        .header("accept-encoding", "gzip")
        .body(axum::body::Body::empty())
        .unwrap();
    let gzipped = app.send(request).await;
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert_eq!(
        gzipped.header("cache-control"),
        Some("no-cache"),
        "unversioned: revalidate"
    );
    assert_eq!(app.page("/app/assets/nothing.js", None).await.status, 404);
}

/// Signs `user` in by token and returns the browser's cookie.
async fn browser_of(app: &TestApp, token: &str) -> String {
    let signed_in = app.form("/app/signin", None, &[("token", token)]).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    set_cookie(&signed_in, "hf_session").expect("a session cookie")
}

#[tokio::test]
async fn a_year_is_drawn_by_week_with_that_years_own_calendar() {
    let app = TestApp::at("2025-11-20T12:00:00Z").await;
    let user = app.register("Yara").await;
    // Two sessions in the week of Monday 3 November (1 h with 10 min lost,
    // and 30 min), one on Tuesday 11 November (20 min).
    for (start, end, lost) in [
        ("2025-11-03T09:00:00Z", "2025-11-03T10:00:00Z", true),
        ("2025-11-05T09:00:00Z", "2025-11-05T09:30:00Z", false),
        ("2025-11-11T09:00:00Z", "2025-11-11T09:20:00Z", false),
    ] {
        let session = app.start_session(&user, start).await;
        if lost {
            let at = "2025-11-03T09:10:00Z";
            let response = app
                .interrupt(&user, session, "phone", at, "2025-11-03T09:20:00Z")
                .await;
            assert_eq!(response.status, 201, "{}", response.text);
        }
        assert_eq!(app.end_session(&user, session, end).await.status, 200);
    }
    let cookie = browser_of(&app, &user.token).await;

    let year = app.page("/app/reports?period=year", Some(&cookie)).await;
    assert_eq!(year.status, 200);
    let html = &year.text;
    assert!(
        html.contains(r#"<h2 id="daily-heading">By week</h2>"#),
        "{html}"
    );
    // 1 h 30 min worked, 10 min lost: 1 h 20 min effective in that week.
    assert!(
        html.contains(
            r#"<tr><th scope="row">Week of Mon 3 Nov</th><td class="num">1 h 20 min</td><td class="num">1 h 30 min</td><td class="num">10 min</td><td class="num">1</td></tr>"#
        ),
        "{html}"
    );
    assert!(html.contains(
        r#"<tr><th scope="row">Week of Mon 10 Nov</th><td class="num">20 min</td><td class="num">20 min</td><td class="num">0 min</td><td class="num">0</td></tr>"#
    ));
    // 2025 starts on a Wednesday: its first week holds two days.
    assert!(html.contains(r#"<th scope="row">Week of Wed 1 Jan</th>"#));
    assert_eq!(html.matches(r#"<th scope="row">Week of "#).count(), 53);
    // The calendar is 2025's, 1 January to 31 December, with a link for
    // each day with focus, and only those days (up to today) in its table.
    assert!(html.contains("One square a day of the year"));
    assert!(html.contains("<title>Wed 1 Jan 2025: 0 min effective</title>"));
    assert!(html.contains("<title>Wed 31 Dec 2025: 0 min effective</title>"));
    assert!(html.contains(
        r#"<a href="/app/history?day=2025-11-03"><title>Mon 3 Nov 2025: 50 min effective</title>"#
    ));
    assert_eq!(html.matches(r#"<a href="/app/history?day="#).count(), 6);

    // A month keeps a bar a day, and the calendar the last 365 days.
    let month = app.page("/app/reports?period=month", Some(&cookie)).await;
    assert!(month.text.contains(r#"<h2 id="daily-heading">By day</h2>"#));
    assert!(month.text.contains(
        r#"<tr><th scope="row">Mon 3 Nov</th><td class="num">50 min</td><td class="num">1 h 00 min</td><td class="num">10 min</td><td class="num">1</td></tr>"#
    ));
    assert!(
        month
            .text
            .contains("One square a day for the last 365 days")
    );
    assert!(
        month
            .text
            .contains("<title>Thu 21 Nov 2024: 0 min effective</title>")
    );
}

#[tokio::test]
async fn settings_download_the_whole_history() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let user = app.register_in("Dee", "Europe/Madrid").await;
    let session = app.start_session(&user, "2025-11-15T09:00:00Z").await;
    assert_eq!(
        app.end_session(&user, session, "2025-11-15T10:00:00Z")
            .await
            .status,
        200
    );
    let cookie = browser_of(&app, &user.token).await;
    let settings = app.page("/app/settings", Some(&cookie)).await;
    assert!(
        settings
            .text
            .contains(r#"<a href="/app/export?format=csv" download hx-boost="false">"#)
    );
    let csv = app.page("/app/export?format=csv", Some(&cookie)).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.header("content-disposition"),
        Some("attachment; filename=\"hyperfocus-export-2025-11-16.csv\"")
    );
    assert_eq!(
        csv.text.split("\r\n").nth(1),
        Some(
            format!("{session},2025-11-15T09:00:00Z,2025-11-15T10:00:00Z,2025-11-15 10:00:00,2025-11-15 11:00:00,3600,,,,,,,,,2025-11-15,Europe/Madrid,")
                .as_str()
        )
    );
    let ndjson = app.page("/app/export", Some(&cookie)).await;
    assert_eq!(ndjson.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(ndjson.text.lines().count(), 3);
    let signed_out = app.page("/app/export", None).await;
    assert_eq!(signed_out.status, 303);
}

#[tokio::test]
async fn settings_make_show_once_and_end_the_calendar_feed() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    let settings = app.page("/app/settings", Some(&cookie)).await;
    assert!(settings.text.contains(">Make an address</button>"));
    let made = app
        .form("/app/settings/calendar", Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(made.status, 200, "{}", made.text);
    // Without a Host header (this test client sends none) the address is
    // the path alone; a browser's request gets `http://host/calendar/…`.
    let opening = r#"<p class="token" id="shown-once-value">"#;
    let marker = format!("{opening}/calendar/hfcal_");
    let at = made.text.find(&marker).expect("the address, shown once") + opening.len();
    let address = made.text[at..].split('<').next().unwrap().to_owned();
    let path = address.clone();
    assert_eq!(app.call("GET", &path, None, None).await.status, 200);
    let later = app.page("/app/settings", Some(&cookie)).await;
    assert!(!later.text.contains(&address), "shown once");
    assert!(later.text.contains("is in use."));
    assert!(later.text.contains(">Make a new address</button>"));
    let ended = app
        .form(
            "/app/settings/calendar/end",
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(ended.status, 303);
    assert_eq!(ended.header("location"), Some("/app/settings?at=feed"));
    assert_eq!(
        flash_of(&ended),
        "notice:The calendar feed is ended; its address no longer works."
    );
    assert_eq!(app.call("GET", &path, None, None).await.status, 404);
}

/// A browser's multipart upload of `file` (named `name`) to the import.
async fn upload(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    name: &str,
    file: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let boundary = "----hyperfocus-test-boundary";
    let mut body = String::new();
    for (field, value) in [("csrf", csrf)].iter().chain(extra) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    let request = axum::http::Request::post("/app/settings/import")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header("cookie", format!("hf_session={cookie}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn settings_import_an_uploaded_file_or_list_why_not() {
    let app = TestApp::at("2025-11-16T08:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    let settings = app.page("/app/settings", Some(&cookie)).await;
    assert!(
        settings
            .text
            .contains(r#"action="/app/settings/import" enctype="multipart/form-data""#)
    );
    let timew = r#"[{"start":"20251110T080000Z","end":"20251110T090000Z","tags":["thesis"]},
        {"start":"20251110T083000Z","end":"20251110T084000Z","tags":["interrupt:phone"],"annotation":"call"}]"#;

    let checked = upload(
        &app,
        &cookie,
        &csrf,
        "timew.json",
        timew,
        &[("dry_run", "on")],
    )
    .await;
    assert_eq!(checked.status, 303);
    assert_eq!(checked.header("location"), Some("/app/settings?at=import"));
    assert_eq!(
        flash_of(&checked),
        "notice:timew.json: would add 1 session and 1 interruption; 0 sessions were already there. Nothing was written."
    );
    assert_eq!(app.count_rows("sessions").await, 0);
    let imported = upload(&app, &cookie, &csrf, "timew.json", timew, &[]).await;
    assert_eq!(
        flash_of(&imported),
        "notice:timew.json: added 1 session and 1 interruption; 0 sessions were already there."
    );
    assert_eq!(app.count_rows("interruptions").await, 1);

    let bad = "Description,Start date,Start time,End date,End time,Tags\nx,2025-11-11,10:00,2025-11-11,09:00,\n";
    let refused = upload(
        &app,
        &cookie,
        &csrf,
        "toggl.csv",
        bad,
        &[("format", "toggl")],
    )
    .await;
    // Said by the form, in Madrid's time and the page's words.
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains(
            "Nothing was imported from toggl.csv: 1 thing to put right, then import it again.</h3>\n    <ul><li>Line 2: the end time must be after the start (Tue 11 Nov 2025, 10:00).</li></ul>"
        ),
        "{}",
        refused.text
    );
    let unnamed = upload(&app, &cookie, &csrf, "notes.txt", "hello", &[]).await;
    assert_eq!(unnamed.status, 422);
    assert!(
        unnamed
            .text
            .contains("Cannot tell what notes.txt is from its name; choose its format.")
    );
    let forged = upload(&app, &cookie, "not-the-token", "timew.json", timew, &[]).await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.count_rows("sessions").await, 1);
}

#[tokio::test]
async fn settings_choose_where_weeks_and_days_begin() {
    let app = TestApp::at("2025-11-15T09:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    let saved = app
        .form(
            "/app/settings/profile",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Ana"),
                ("timezone", "Europe/Madrid"),
                ("week_start", "sunday"),
                ("day_start", "-01:00"),
            ],
        )
        .await;
    assert_eq!(flash_of(&saved), "notice:Profile saved.");
    let page = app.page("/app/settings", Some(&cookie)).await;
    assert!(
        page.text
            .contains(r#"<option value="sunday" selected>Sunday</option>"#),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(r#"<option value="-01:00" selected>23:00 the evening before</option>"#)
    );
    // The reports page's week now runs Sunday to Saturday.
    let reports = app.page("/app/reports", Some(&cookie)).await;
    assert!(
        reports.text.contains("9 Nov – 15 Nov 2025"),
        "{}",
        reports.text
    );
    let refused = app
        .form(
            "/app/settings/profile",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Ana"),
                ("timezone", "Europe/Madrid"),
                ("day_start", "13:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        field_error(&refused, "day-start"),
        "Choose the time your days begin at."
    );
    let unknown = app
        .form(
            "/app/settings/profile",
            Some(&cookie),
            &[("csrf", &csrf), ("name", " "), ("timezone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(field_error(&unknown, "name"), "Enter your name.");
    assert_eq!(
        field_error(&unknown, "timezone"),
        "There is no time zone called “Mars/Olympus”. Choose one from the list, such as Europe/Madrid or America/New_York."
    );
    assert!(
        unknown.text.contains(r#"value="Mars/Olympus""#),
        "kept as typed"
    );
    assert!(
        unknown.text.contains(r##"<a href="#timezone">"##),
        "in the summary"
    );
}

#[tokio::test]
async fn a_goal_set_in_settings_shows_its_ring_on_now_and_its_streak_on_reports() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    let set = app
        .form(
            "/app/goals",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("metric", "effective_seconds"),
                ("comparison", "at_least"),
                ("target", "60"),
                ("period", "day"),
                ("rest_sunday", "on"),
            ],
        )
        .await;
    assert_eq!(
        flash_of(&set),
        "notice:Goal set: Effective focus: at least 1 h 00 min a day, Sundays off."
    );
    // 30 minutes of focus this morning (Madrid): half the ring.
    app.form("/app/focus/start", Some(&cookie), &[("csrf", &csrf)])
        .await;
    app.set_now("2025-11-15T12:30:00Z");
    let now = app.page("/app/", Some(&cookie)).await;
    assert!(
        now.text.contains(r#"stroke-dasharray="50 50""#),
        "{}",
        now.text
    );
    assert!(now.text.contains(
        "<strong>30 min of 1 h 00 min</strong> · <span class=\"state-pending\">in progress</span>"
    ));
    assert!(
        now.text
            .contains("No streak yet: meet it one day to start one.")
    );
    app.set_now("2025-11-15T13:00:00Z");
    let reports = app.page("/app/reports", Some(&cookie)).await;
    assert!(
        reports
            .text
            .contains(r#"<li class="met" title="Sat 15 Nov: met (1 h 00 min)">"#),
        "{}",
        reports.text
    );
    assert!(reports.text.contains("1 day in a row · best 1"));
    let settings = app.page("/app/settings", Some(&cookie)).await;
    let id = app.db.scalar("SELECT MAX(id) FROM goals").await.unwrap();
    assert!(settings.text.contains(&format!("/app/goals/{id}/delete")));
    let bad = app
        .form(
            "/app/goals",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("metric", "focus_score"),
                ("comparison", "at_least"),
                ("target", "lots"),
                ("period", "day"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        field_error(&bad, "goal-target"),
        "Enter the target as a whole number, such as 120."
    );
    assert!(bad.text.contains(r#"value="lots""#), "kept as typed");
    let too_much = app
        .form(
            &format!("/app/goals/{id}"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("metric", "effective_seconds"),
                ("comparison", "at_least"),
                ("target", "1500"),
                ("period", "day"),
            ],
        )
        .await;
    assert_eq!(
        field_error(&too_much, &format!("goal-{id}-target")),
        "A day holds at most 1440 minutes: enter 0 to 1440."
    );
    let changed = app
        .form(
            &format!("/app/goals/{id}"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("metric", "effective_seconds"),
                ("comparison", "at_least"),
                ("target", "90"),
                ("period", "day"),
            ],
        )
        .await;
    assert_eq!(changed.header("location"), Some("/app/settings?at=goals"));
    assert_eq!(
        flash_of(&changed),
        "notice:Goal changed: Effective focus: at least 1 h 30 min a day."
    );
    let deleted = app
        .form(
            &format!("/app/goals/{id}/delete"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(flash_of(&deleted), "notice:Goal deleted.");
    assert!(
        !app.page("/app/", Some(&cookie))
            .await
            .text
            .contains("goals-heading")
    );
}

#[tokio::test]
async fn webhooks_are_added_tested_turned_off_rotated_and_deleted_from_settings() {
    let app = TestApp::at("2025-11-15T09:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    let added = app
        .form(
            "/app/webhooks",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("url", "http://localhost:9/hook"),
                ("description", "silence the phone"),
                ("event:session.started", "on"),
                ("event:goal.met", "on"),
            ],
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(added.header("cache-control"), Some("no-store"));
    assert_eq!(added.header("hx-push-url"), Some("false"));
    assert!(
        added
            .text
            .contains("<p class=\"token\" id=\"shown-once-value\">whsec_"),
        "{}",
        added.text
    );
    assert!(added.text.contains("Focus started, Goal met"));
    let id = app.db.scalar("SELECT MAX(id) FROM webhooks").await.unwrap();
    let page = app.page("/app/settings", Some(&cookie)).await;
    assert!(!page.text.contains("whsec_"), "the secret is shown once");
    assert!(page.text.contains("No delivery yet."), "{}", page.text);

    // A session started here is on its way to the endpoint, whose loopback
    // address the worker then refuses: Settings says so.
    app.form("/app/focus/start", Some(&cookie), &[("csrf", &csrf)])
        .await;
    let page = app.page("/app/settings", Some(&cookie)).await;
    assert!(page.text.contains("Last: Focus started, "), "{}", page.text);
    assert!(page.text.contains(" — on its way."), "{}", page.text);
    let worker = app.start_deliveries();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let page = app.page("/app/settings", Some(&cookie)).await;
        if page.text.contains("attempt 1 failed: ")
            && page
                .text
                .contains(" is a loopback address; webhooks go only to public addresses; next try ")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{}", page.text);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    drop(worker);

    let tested = app
        .form(
            &format!("/app/webhooks/{id}/test"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    let said = flash_of(&tested);
    assert!(
        said.starts_with("error:Ping not delivered: ")
            && said.ends_with(" is a loopback address; webhooks go only to public addresses."),
        "{said}"
    );
    let off = app
        .form(
            &format!("/app/webhooks/{id}/toggle"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        flash_of(&off),
        "notice:Webhook turned off: nothing is sent to it until you turn it on."
    );
    let rotated = app
        .form(
            &format!("/app/webhooks/{id}/rotate"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert!(
        rotated
            .text
            .contains("<p class=\"token\" id=\"shown-once-value\">whsec_")
    );
    let bad = app
        .form(
            "/app/webhooks",
            Some(&cookie),
            &[("csrf", &csrf), ("url", "ftp://nowhere/")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        field_error(&bad, "webhook-url"),
        "The address must start with https:// (or http://)."
    );
    assert_eq!(
        field_error(&bad, "event-session.started"),
        "Tick at least one event to send."
    );
    let private = app
        .form(
            "/app/webhooks",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("url", "http://192.168.1.20/hook"),
                ("event:session.ended", "on"),
            ],
        )
        .await;
    assert_eq!(private.status, 422);
    assert_eq!(
        field_error(&private, "webhook-url"),
        "192.168.1.20 leads to a private network, not to the internet. Webhooks go only to public addresses: give the address your tool can be reached at from the internet."
    );
    assert!(private.text.contains(r#"value="http://192.168.1.20/hook""#));
    assert!(
        private
            .text
            .contains(r#"id="event-session.ended" name="event:session.ended" value="on" checked"#)
    );
    assert_eq!(app.count_rows("webhooks").await, 1);
    let deleted = app
        .form(
            &format!("/app/webhooks/{id}/delete"),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(flash_of(&deleted), "notice:Webhook deleted.");
    assert_eq!(app.count_rows("webhooks").await, 0);
}

#[tokio::test]
async fn a_day_goal_and_a_week_goal_each_take_their_own_days_from_one_pass() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/settings").await;
    for (metric, target, period) in [
        ("effective_seconds", "60", "day"),
        ("worked_seconds", "120", "week"),
    ] {
        app.form(
            "/app/goals",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("metric", metric),
                ("comparison", "at_least"),
                ("target", target),
                ("period", period),
            ],
        )
        .await;
    }
    app.form("/app/focus/start", Some(&cookie), &[("csrf", &csrf)])
        .await;
    app.set_now("2025-11-15T12:30:00Z");
    let now = app.page("/app/", Some(&cookie)).await;
    // Half of the day's hour, a quarter of the week's two hours.
    assert!(
        now.text.contains(r#"stroke-dasharray="50 50""#),
        "{}",
        now.text
    );
    assert!(
        now.text.contains(r#"stroke-dasharray="25 75""#),
        "{}",
        now.text
    );
    assert!(now.text.contains("<strong>30 min of 2 h 00 min</strong>"));
    assert!(
        now.text
            .contains("No streak yet: meet it one week to start one.")
    );
    let reports = app.page("/app/reports", Some(&cookie)).await;
    // The day goal's calendar runs to today (a Saturday); the week goal's
    // last cell is this week, in progress.
    assert!(
        reports
            .text
            .contains(r#"<li class="pending" title="Sat 15 Nov: in progress (30 min)">"#),
        "{}",
        reports.text
    );
    assert!(
        reports
            .text
            .contains(r#"<li class="pending" title="week of 10 Nov: in progress (30 min)">"#)
    );
    assert!(
        !reports.text.contains(r#"title="Sun 16 Nov:"#),
        "no day after today"
    );
}

/// The headline figure `label` of a reports page: its value and change.
fn figure(page: &TestResponse, label: &str) -> (String, String) {
    let marker = format!(r#"<div class="muted">{label}</div><div class="value">"#);
    let at = page
        .text
        .find(&marker)
        .unwrap_or_else(|| panic!("the figure {label}: {}", page.text))
        + marker.len();
    let rest = &page.text[at..];
    let value = rest.split('<').next().unwrap().to_owned();
    let change_at = rest.find(r#"<div class="change">"#).unwrap() + r#"<div class="change">"#.len();
    let change = rest[change_at..].split('<').next().unwrap().to_owned();
    (value, change)
}

#[tokio::test]
async fn a_week_in_progress_is_compared_with_the_same_part_of_the_week_before() {
    // Wednesday 19 November 2025, noon.
    let app = TestApp::at("2025-11-19T12:00:00Z").await;
    let user = app.register_in("Dee", "UTC").await;
    for (start, end) in [
        ("2025-11-10T09:00:00Z", "2025-11-10T10:00:00Z"), // last Monday
        ("2025-11-13T09:00:00Z", "2025-11-13T11:00:00Z"), // last Thursday: not yet
        ("2025-11-17T09:00:00Z", "2025-11-17T09:30:00Z"), // this Monday
    ] {
        let id = app.start_session(&user, start).await;
        app.end_session(&user, id, end).await;
    }
    let cookie = browser_of(&app, &user.token).await;
    let week = app.page("/app/reports", Some(&cookie)).await;
    assert!(
        week.text.contains(
            "So far this week, against the same part of the week before: Mon 10 Nov to Wed 12 Nov, 12:00."
        ),
        "{}",
        week.text
    );
    assert_eq!(
        figure(&week, "Worked"),
        ("30 min".to_owned(), "30 min less".to_owned())
    );
    assert_eq!(
        figure(&week, "Sessions"),
        ("1".to_owned(), "the same".to_owned())
    );
    // No paging into the empty future; the day before is one step back.
    assert!(!week.text.contains(r#"rel="next""#));
    assert!(
        week.text
            .contains(r#"aria-disabled="true" aria-label="The period after: not yet""#)
    );
    assert!(
        week.text.contains(r#"date=2025-11-19">Day</a>"#),
        "{}",
        week.text
    );

    let finished = app
        .page("/app/reports?period=week&date=2025-11-10", Some(&cookie))
        .await;
    assert!(
        finished
            .text
            .contains("Against the week before: 3 Nov – 9 Nov 2025.")
    );
    assert_eq!(
        figure(&finished, "Worked"),
        ("3 h 00 min".to_owned(), "no data before".to_owned())
    );
    assert!(finished.text.contains(r#"rel="next""#));

    let empty = app
        .page("/app/reports?period=week&date=2025-11-03", Some(&cookie))
        .await;
    assert_eq!(
        figure(&empty, "Focus score"),
        ("—".to_owned(), String::new())
    );
    assert!(empty.text.contains("Focus score: —"));

    let day = app
        .page("/app/reports?period=day&date=2025-11-17", Some(&cookie))
        .await;
    assert!(day.text.contains(r#"<h2 id="daily-heading">The day</h2>"#));
    assert!(
        day.text.contains(r#"<svg class="chart timeline""#),
        "{}",
        day.text
    );
    assert!(day.text.contains(
        r#"<tr><th scope="row">Focus session</th><td>09:00</td><td>09:30</td><td class="num">30 min</td></tr>"#
    ));
    assert!(
        day.text
            .contains(r#"<span class="current" aria-current="page">Day</span>"#)
    );
}

#[tokio::test]
async fn a_mistaken_tap_is_cheap_and_now_always_works_in_the_same_second() {
    let app = TestApp::at("2025-11-15T09:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/").await;
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone())];
        all.extend(fields);
        let (app, cookie) = (&app, &cookie);
        async move {
            let fields: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.form(path, Some(cookie), &fields).await;
            assert_eq!(response.status, 303, "{}", response.text);
            flash_of(&response)
        }
    };
    let newest = |table: &'static str| {
        let app = &app;
        async move {
            app.db
                .scalar(&format!("SELECT MAX(id) FROM {table}"))
                .await
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(
        post("/app/focus/start", vec![]).await,
        "notice:Focus started. Good luck!"
    );
    let session = newest("sessions").await;
    let interrupt = |kind: &'static str| {
        post(
            "/app/interrupt",
            vec![("session_id", session.clone()), ("type", kind.to_owned())],
        )
    };
    interrupt("phone").await;
    // Back to focus in the second the interruption began: a second lost.
    let phone = newest("interruptions").await;
    assert_eq!(
        post("/app/resume", vec![("interruption_id", phone.clone())]).await,
        "notice:Back to focus after 1 s."
    );
    // Pressed again, and it was not an interruption after all.
    interrupt("noise").await;
    let noise = newest("interruptions").await;
    assert_eq!(
        post(
            "/app/interrupt/drop",
            vec![("interruption_id", noise.clone())]
        )
        .await,
        "notice:Not an interruption: the Noise interruption is gone, and you are still focusing."
    );
    assert_eq!(app.count_rows("interruptions").await, 1);
    // Another tab's stale buttons: the web app's own sentences.
    assert_eq!(
        post("/app/resume", vec![("interruption_id", phone)]).await,
        "error:This interruption has already ended, at 10:00."
    );
    assert_eq!(
        post("/app/interrupt/drop", vec![("interruption_id", noise)]).await,
        "error:That is no longer there (perhaps it was changed in another tab); the page shows what is there now."
    );
    assert_eq!(
        post("/app/focus/start", vec![]).await,
        "error:Focus is already running, since 10:00 (perhaps started in another tab). End it before starting another."
    );
    // Ended in the same second too: no earlier than its interruption.
    assert_eq!(
        post("/app/focus/end", vec![("session_id", session.clone())]).await,
        "notice:Session ended: 1 s worked, 1 s lost."
    );
    assert_eq!(
        post("/app/focus/end", vec![("session_id", session)]).await,
        "error:This session has already ended, at 10:00."
    );
}

#[tokio::test]
async fn a_history_panel_saves_a_session_with_its_interruptions_at_once() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let cookie = ana(&app).await;
    let csrf = csrf(&app, &cookie, "/app/history").await;
    // 10:00–11:00 in Madrid, with a phone call 10:10–10:20.
    let logged = app
        .form(
            "/app/history/log",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("start", "2025-11-15T10:00"),
                ("end", "2025-11-15T11:00"),
                ("back", "/app/history?day=2025-11-15"),
            ],
        )
        .await;
    assert_eq!(flash_of(&logged), "notice:Session logged: 1 h 00 min.");
    let session: i64 = app.db.scalar("SELECT MAX(id) FROM sessions").await.unwrap();
    let added = |start: &'static str, end: &'static str| {
        let (s, csrf) = (session, csrf.clone());
        vec![
            ("csrf".to_owned(), csrf),
            ("back".to_owned(), "/app/history?day=2025-11-15".to_owned()),
            (format!("s{s}-start"), "2025-11-15T10:00:00".to_owned()),
            (format!("s{s}-end"), "2025-11-15T11:00:00".to_owned()),
            (format!("s{s}-note"), String::new()),
            (format!("s{s}-add-type"), "phone".to_owned()),
            (format!("s{s}-add-note"), "the bank".to_owned()),
            (format!("s{s}-add-start"), start.to_owned()),
            (format!("s{s}-add-end"), end.to_owned()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let (app, cookie) = (&app, &cookie);
        async move {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.form(&format!("/app/sessions/{session}"), Some(cookie), &fields)
                .await
        }
    };
    // An interruption added to a session that has ended.
    let saved = post(added("2025-11-15T10:10", "2025-11-15T10:20")).await;
    assert_eq!(
        flash_of(&saved),
        "notice:Session saved, with the Phone interruption at 10:10 added."
    );
    let phone: i64 = app
        .db
        .scalar("SELECT MAX(id) FROM interruptions")
        .await
        .unwrap();
    // The session starts later and the call moves with it: either alone
    // would be refused; saved at once, both hold.
    let moved = vec![
        ("csrf".to_owned(), csrf.clone()),
        ("back".to_owned(), "/app/history?day=2025-11-15".to_owned()),
        (
            format!("s{session}-start"),
            "2025-11-15T10:30:00".to_owned(),
        ),
        (format!("s{session}-end"), "2025-11-15T11:00:00".to_owned()),
        (format!("s{session}-note"), "accounts".to_owned()),
        (format!("i{phone}-type"), "urgent_task".to_owned()),
        (format!("i{phone}-note"), "the bank".to_owned()),
        (format!("i{phone}-start"), "2025-11-15T10:40:00".to_owned()),
        (format!("i{phone}-end"), "2025-11-15T10:45:00".to_owned()),
        (format!("s{session}-add-type"), String::new()),
        (format!("s{session}-add-start"), String::new()),
    ];
    let both = post(moved).await;
    assert_eq!(
        flash_of(&both),
        "notice:Session saved, with 1 interruption changed."
    );
    assert_eq!(
        app.db
            .scalar(&format!(
                "SELECT start_time - (SELECT start_time FROM sessions WHERE id = {session}) FROM interruptions WHERE id = {phone}"
            ))
            .await
            .unwrap(),
        600
    );
    // One that overlaps the call comes back as typed, the reason by its row.
    let clash = post(added("2025-11-15T10:42", "2025-11-15T10:50")).await;
    assert_eq!(clash.status, 422);
    let page = &clash.text;
    assert!(
        page.contains(&format!(r#"<details id="s{session}" open>"#)),
        "{page}"
    );
    let said = "This would overlap another interruption, from 10:40 to 10:45. Change the times or delete that one first.";
    assert!(
        page.contains(&format!(
            r#"<p class="field-error" id="s{session}-add-start-error"><span class="sr-only">Error:</span> {said}</p>"#
        )),
        "{page}"
    );
    assert!(page.contains(r#"value="2025-11-15T10:42""#), "{page}");
    assert!(page.contains(r#"value="the bank""#), "{page}");
    let summary = page
        .split(r#"<div class="error-summary""#)
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .expect("a summary");
    assert!(summary.contains(said), "{summary}");
    for api_words in [
        "Z)",
        "_time",
        "description",
        "interruption 1",
        "/interruptions",
    ] {
        assert!(!summary.contains(api_words), "{api_words} in {summary}");
    }
    assert_eq!(app.count_rows("interruptions").await, 1);
}

#[tokio::test]
async fn history_picks_a_day_with_the_days_before_and_after() {
    let app = TestApp::at("2025-11-15T12:00:00Z").await;
    let cookie = ana(&app).await;
    let today = app.page("/app/history?day=2025-11-15", Some(&cookie)).await;
    assert!(
        today
            .text
            .contains(r#"<a href="/app/history?day=2025-11-14" rel="prev">← Fri 14 Nov</a>"#),
        "{}",
        today.text
    );
    assert!(!today.text.contains(r#"rel="next""#), "no day after today");
    assert!(
        today
            .text
            .contains(r#"value="2025-11-15" max="2025-11-15""#)
    );
    let before = app.page("/app/history?day=2025-11-10", Some(&cookie)).await;
    assert!(
        before
            .text
            .contains(r#"<a href="/app/history?day=2025-11-11" rel="next">Tue 11 Nov →</a>"#)
    );
    assert!(before.text.contains("History of Monday 10 November 2025"));
}
