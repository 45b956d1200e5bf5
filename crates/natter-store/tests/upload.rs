//! XEP-0363: the store keeps the upload service the core found (the app shows `Attach file`
//! and checks the size limit from it); slot answers are the uploader's, not the store's.

use natter_core::upload::Service;
use natter_core::Event;
use natter_store::Store;

#[test]
fn the_upload_service_is_kept_until_sign_out() {
    let mut store = Store::new();
    assert_eq!(store.upload, None);
    let changes = store.apply(Event::UploadService {
        jid: "upload.example.org".parse().unwrap(),
        max_size: Some(1024),
    });
    assert!(changes.messages, "the chat view shows Attach file");
    assert_eq!(
        store.upload,
        Some(Service {
            jid: "upload.example.org".parse().unwrap(),
            max_size: Some(1024),
        })
    );
    let changes = store.apply(Event::UploadFailed {
        request: "r".into(),
        reason: "no".into(),
    });
    assert!(!changes.any());
    store.reset();
    assert_eq!(store.upload, None);
}
