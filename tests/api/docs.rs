use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Paths that need no token; every other operation must declare bearer auth.
const PUBLIC: [&str; 7] = [
    "/",
    "/calendar/{file}",
    "/healthz",
    "/readyz",
    "/metrics",
    "/users/",
    "/auth/login",
];

#[tokio::test]
async fn the_openapi_document_is_3_1_and_matches_the_snapshot() {
    let app = TestApp::new().await;
    let response = app.call("GET", "/openapi.json", None, None).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body["openapi"], "3.1.0");
    assert_eq!(
        response.body,
        serde_json::to_value(hyperfocus::openapi()).unwrap()
    );
    insta::with_settings!({prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!("openapi", response.body);
    });
}

#[test]
fn every_operation_documents_its_errors_and_auth() {
    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let responses = operation["responses"].as_object().unwrap();
            let security = operation["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} declares no security"));
            let secured = !security.is_empty();
            let public =
                PUBLIC.contains(&path.as_str()) && !(path == "/users/" && method != "post");
            assert_eq!(secured, !public, "{method} {path}: security");
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            // A feed's address is a secret, not an id: whatever does not
            // open a feed is a 404.
            if path.contains('{') && path != "/calendar/{file}" {
                assert!(
                    responses.contains_key("422"),
                    "{method} {path} lacks 422 for a bad id"
                );
            }
            if operation.get("requestBody").is_some() {
                for status in ["413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
            for part in ["summary", "description"] {
                assert!(
                    operation[part].as_str().is_some_and(|s| !s.is_empty()),
                    "{method} {path} lacks a {part}"
                );
            }
            assert!(
                responses.keys().any(|status| status.starts_with('4')),
                "{method} {path} documents no 4xx"
            );
        }
    }
    assert_eq!(operations, 57);
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let redirect = app.call("GET", "/docs", None, None).await;
    assert_eq!(redirect.header("location"), Some("/docs/"));
    let page = app.call("GET", "/docs/", None, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger-ui"), "{}", page.text);
    assert!(
        !page.text.contains("https://"),
        "the page must not load anything from the internet"
    );
    for asset in [
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
    ] {
        let response = app.call("GET", asset, None, None).await;
        assert_eq!(response.status, 200, "{asset}");
    }
    let initializer = app
        .call("GET", "/docs/swagger-initializer.js", None, None)
        .await;
    assert!(
        initializer.text.contains("/openapi.json"),
        "{}",
        initializer.text
    );
}

#[tokio::test]
async fn redoc_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let page = app.call("GET", "/redoc", None, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Redoc.init("), "{}", page.text);
    assert!(
        page.text.contains("\"/users/me/token\""),
        "the document is embedded"
    );
    for loading in [
        "src=\"https://",
        "href=\"https://",
        "url(https://",
        "import(\"https://",
    ] {
        assert!(
            !page.text.contains(loading),
            "the page must not load anything from the internet: {loading}"
        );
    }
    assert_eq!(page.body, Value::Null);
    let script = app
        .call("GET", "/redoc/redoc.standalone.js", None, None)
        .await;
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text.len() > 1_000_000);
}

/// Links tell clients (and the fuzzer) which operation takes a created id
/// next; each must name an operation that exists and a parameter it has.
#[test]
fn every_link_names_an_operation_and_its_parameters() {
    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let operations: Vec<&Value> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .collect();
    let mut links = Vec::new();
    for operation in &operations {
        for response in operation["responses"].as_object().unwrap().values() {
            if let Some(found) = response.get("links").and_then(Value::as_object) {
                links.extend(found.iter());
            }
        }
    }
    let mut names: Vec<&str> = links.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "EndInterruption",
            "EndSession",
            "LogInterruption",
            "UpdateInterruption"
        ]
    );
    for (name, link) in links {
        let target = operations
            .iter()
            .find(|op| op["operationId"] == link["operationId"])
            .unwrap_or_else(|| panic!("{name}: no operation {}", link["operationId"]));
        for parameter in link
            .get("parameters")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.keys())
        {
            let declared = target["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == parameter.as_str());
            assert!(declared, "{name}: no parameter {parameter}");
        }
    }
}

/// Generated clients send what the schema allows: a request schema that
/// admits `null` makes them offer `None` or `null`, which the server refuses.
#[test]
fn no_request_body_or_header_admits_null() {
    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let place = format!("{method} {path}");
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "header" {
                    assert_no_null(&doc, &parameter["schema"], &place);
                    checked += 1;
                }
            }
            for content in operation["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flat_map(|c| c.values())
            {
                assert_no_null(&doc, &content["schema"], &place);
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} schemas checked");
}

/// Fails if `schema`, the schemas it refers to or any of their properties
/// admits `null`.
#[track_caller]
fn assert_no_null(doc: &Value, schema: &Value, place: &str) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return assert_no_null(doc, &doc["components"]["schemas"][name], place);
    }
    let types = match &schema["type"] {
        Value::Array(types) => types.clone(),
        other => vec![other.clone()],
    };
    assert!(!types.contains(&json!("null")), "{place}: {schema}");
    assert_ne!(schema["nullable"], true, "{place}: {schema}");
    for list in ["oneOf", "anyOf", "allOf"] {
        for part in schema[list].as_array().into_iter().flatten() {
            assert_no_null(doc, part, place);
        }
    }
    for property in schema["properties"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        assert_no_null(doc, property, place);
    }
    if schema.get("items").is_some() {
        assert_no_null(doc, &schema["items"], place);
    }
}

/// The contract fixes `/users/` and `/interruptions/`; no other path may end
/// in a slash (redocly.yaml lets those two through for that reason).
#[test]
fn only_the_contracts_paths_end_with_a_slash() {
    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let slashed: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|path| path.len() > 1 && path.ends_with('/'))
        .collect();
    assert_eq!(slashed, ["/interruptions/", "/users/"]);
}

/// A field that may be null is always sent, and one that may be left out is
/// never null, so a generated client types each as exactly one of
/// "nullable" or "optional", never both.
#[test]
fn no_property_is_both_nullable_and_optional() {
    let doc = serde_json::to_value(hyperfocus::openapi()).unwrap();
    let mut nullable = 0;
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let parts: Vec<&Value> = std::iter::once(schema)
            .chain(schema["allOf"].as_array().into_iter().flatten())
            .collect();
        for part in parts {
            let required: Vec<&str> = part["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for (field, property) in part["properties"].as_object().into_iter().flatten() {
                let admits_null = property["type"]
                    .as_array()
                    .is_some_and(|types| types.contains(&json!("null")));
                if admits_null {
                    nullable += 1;
                    assert!(required.contains(&field.as_str()), "{name}.{field}");
                }
            }
        }
    }
    assert!(nullable >= 5, "{nullable}");
}
