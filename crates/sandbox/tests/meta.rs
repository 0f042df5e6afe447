#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use sandbox::{Failure, SandboxNumber};

fn start() -> sandbox::Sandbox {
    sandbox::start(TcpListener::bind("127.0.0.1:0").unwrap()).unwrap()
}

#[tokio::test]
async fn credentials_checks_accept_sandbox_tokens_only_and_are_recorded() {
    let sandbox = start();
    let base = sandbox.meta_base_url.clone();
    let state = sandbox.state.clone();
    tokio::spawn(sandbox.server);
    let client = reqwest::Client::new();

    let ok = client
        .get(format!("{base}/v25.0/1234"))
        .bearer_auth("sandbox-abc")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(body["id"], "1234");

    let refused = client
        .get(format!("{base}/v25.0/1234"))
        .bearer_auth("EAAG-real")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], 190);

    let seen = state.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].path, "/graph/v25.0/1234");
    assert_eq!(seen[0].authorization.as_deref(), Some("Bearer sandbox-abc"));
}

#[tokio::test]
async fn injected_failures_answer_in_meta_and_twilio_formats() {
    let sandbox = start();
    let (meta, twilio) = (
        sandbox.meta_base_url.clone(),
        sandbox.twilio_base_url.clone(),
    );
    let state = sandbox.state.clone();
    tokio::spawn(sandbox.server);
    let client = reqwest::Client::new();
    state.fail_next(Failure::RateLimited, 1);
    state.fail_next(Failure::WindowClosed, 1);
    let first = client
        .get(format!("{meta}/v25.0/1"))
        .bearer_auth("sandbox")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 429);
    assert_eq!(
        first.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        130429
    );
    let second = client
        .post(format!("{meta}/v25.0/1/messages"))
        .bearer_auth("sandbox")
        .json(&serde_json::json!({"messaging_product": "whatsapp", "to": "15550001111", "type": "text", "text": {"body": "hi"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        131047
    );

    let sid = "AC0123456789abcdef0123456789abcdef";
    let bad = client
        .get(format!("{twilio}/2010-04-01/Accounts/{sid}.json"))
        .basic_auth(sid, Some("real-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(
        bad.json::<serde_json::Value>().await.unwrap()["code"],
        20003
    );
    let good = client
        .get(format!("{twilio}/2010-04-01/Accounts/{sid}.json"))
        .basic_auth(sid, Some("sandbox-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 200);
}

#[tokio::test]
async fn sending_posts_signed_status_webhooks_to_the_callback() {
    // A tiny receiver standing in for Switchboard's webhook endpoint.
    let received: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let sink = received.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let receiver = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let sink = sink.clone();
                async move {
                    let sig = req
                        .headers()
                        .get("x-hub-signature-256")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_owned();
                    sink.lock()
                        .unwrap()
                        .push((sig, String::from_utf8_lossy(&body).into_owned()));
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(receiver);

    let sandbox = start();
    let base = sandbox.meta_base_url.clone();
    let state = sandbox.state.clone();
    tokio::spawn(sandbox.server);
    state.register_number(SandboxNumber {
        phone_number_id: "555".into(),
        waba_id: "777".into(),
        app_secret: "shh".into(),
        callback_url: format!("http://127.0.0.1:{port}/hook"),
    });
    let sent = reqwest::Client::new()
        .post(format!("{base}/v25.0/555/messages"))
        .bearer_auth("sandbox")
        .json(&serde_json::json!({"messaging_product": "whatsapp", "to": "+15550001111", "type": "text",
                                  "text": {"body": "hi"}, "biz_opaque_callback_data": "outbound:42"}))
        .send()
        .await
        .unwrap();
    let answer: serde_json::Value = sent.json().await.unwrap();
    let id = answer["messages"][0]["id"].as_str().unwrap().to_owned();
    for _ in 0..100 {
        if received.lock().unwrap().len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    for (i, status) in ["sent", "delivered", "read"].iter().enumerate() {
        let (sig, body) = &got[i];
        assert_eq!(sig, &sandbox::meta_signature("shh", body.as_bytes()));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let st = &v["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(st["status"], *status);
        assert_eq!(st["id"], id.as_str());
        assert_eq!(st["biz_opaque_callback_data"], "outbound:42");
    }
}
