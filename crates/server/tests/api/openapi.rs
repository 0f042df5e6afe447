//! The committed spec must be what the code generates (`cargo xtask openapi`).

#[test]
fn committed_spec_matches_the_code() {
    let generated = api::openapi_spec().to_pretty_json().unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `cargo xtask openapi` and commit the result"
    );
}

#[test]
fn every_operation_documents_its_errors_and_security() {
    let spec: serde_json::Value =
        serde_json::from_str(&api::openapi_spec().to_json().unwrap()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let rule = api::access::rule_for(method, path).expect("declared");
            let secured = op.get("security").is_some();
            let public = rule == api::access::Access::Public;
            // A ticket travels in the query, not in a security scheme.
            let ticket = rule == api::access::Access::Ticket;
            assert_eq!(
                secured,
                !public && !ticket,
                "{method} {path}: security scheme must match its access rule"
            );
            if !public {
                assert!(
                    op["responses"].get("401").is_some(),
                    "{method} {path} must document 401"
                );
            }
        }
    }
}
