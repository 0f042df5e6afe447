//! The schema applies, rolls back and re-applies on the configured database.

use crate::helpers::TestDatabase;

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let db = TestDatabase::new().await;
    let store = store::Store::connect(&db.url, 2).await.unwrap();
    store.migrate().await.unwrap();
    assert!(!store.has_users().await.unwrap());
    store.migrate_down_all().await.unwrap();
    assert!(
        store.has_users().await.is_err(),
        "tables must be gone after rolling back"
    );
    store.migrate().await.unwrap();
    assert!(!store.has_users().await.unwrap());
    store.close().await.unwrap();
}
