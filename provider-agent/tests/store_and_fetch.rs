//! The result store survives a reopen (and ignores interrupted writes);
//! input fetching checks hashes, sizes and existence with clear errors.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{put, sample_output, start_server};
use sha2::{Digest, Sha256};
use starminer_agent::fetch::{fetch_input, FetchError, FetchLimits};
use starminer_agent::results::ResultStore;

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[test]
fn results_survive_a_reopen_and_interrupted_writes_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_output(300_000);
    let root = {
        let store = ResultStore::open(dir.path()).unwrap();
        let r = put(&store, "job-7", &data, 65536);
        assert!(
            store
                .put(starminer_agent::results::NewResult {
                    id: "job-7",
                    template: "x",
                    params: "",
                    kernel_sha256: "",
                    chunk_size: 1,
                    device: "",
                    output: b"",
                    tree: &r.tree,
                    preview_png: None,
                })
                .is_err(),
            "ids are unique"
        );
        r.tree.root()
    };
    // A crash mid-write leaves a directory without meta.json.
    std::fs::create_dir(dir.path().join("half-written")).unwrap();
    std::fs::write(dir.path().join("half-written/output.bin"), b"partial").unwrap();

    let store = ResultStore::open(dir.path()).unwrap();
    let r = store.get("job-7").expect("result survives the reopen");
    assert_eq!(r.tree.root(), root);
    assert_eq!(r.meta.chunk_count, 5);
    assert_eq!(r.chunk(4).unwrap().unwrap(), &data[4 * 65536..]);
    assert!(store.get("half-written").is_none());
    assert_eq!(store.list(None, 100).len(), 1);

    // A damaged output is refused on open rather than served.
    std::fs::write(dir.path().join("job-7/output.bin"), b"short").unwrap();
    assert!(ResultStore::open(dir.path())
        .unwrap()
        .get("job-7")
        .is_none());
}

#[test]
fn bad_ids_are_refused() {
    for id in ["", "../x", ".hidden", "a/b", &"x".repeat(129)] {
        assert!(starminer_agent::results::validate_id(id).is_err(), "{id}");
    }
}

#[tokio::test]
async fn file_inputs_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.bin");
    let data = sample_output(10_000);
    std::fs::write(&path, &data).unwrap();
    let uri = format!("file://{}", path.display());
    let limits = FetchLimits::default();

    assert_eq!(fetch_input(&uri, &sha(&data), limits).await.unwrap(), data);
    // Upper-case expected hashes are fine.
    assert!(fetch_input(&uri, &sha(&data).to_uppercase(), limits)
        .await
        .is_ok());

    let err = fetch_input(&uri, &sha(b"other"), limits).await.unwrap_err();
    assert!(matches!(err, FetchError::HashMismatch { .. }), "{err}");
    assert!(err.to_string().contains("report bad input"));

    let small = FetchLimits {
        max_bytes: 9_999,
        ..limits
    };
    let err = fetch_input(&uri, &sha(&data), small).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::TooLarge {
                size: 10_000,
                max: 9_999,
                ..
            }
        ),
        "{err}"
    );

    let missing = format!("file://{}/nope.bin", dir.path().display());
    let err = fetch_input(&missing, &sha(&data), limits)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::NotFound(_)), "{err}");
    assert!(err.to_string().contains("not found"));

    let err = fetch_input("ftp://host/x", &sha(&data), limits)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::UnsupportedScheme(_)), "{err}");
    let err = fetch_input(&uri, "abc", limits).await.unwrap_err();
    assert!(matches!(err, FetchError::BadExpectedHash(_)), "{err}");
}

#[tokio::test]
async fn http_inputs_are_checked() {
    // The result server doubles as an HTTP origin on loopback.
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    let data = sample_output(200_000);
    put(&store, "blob", &data, 65536);
    let base = start_server(store).await;
    let uri = format!("{base}/results/blob/output");
    let limits = FetchLimits {
        max_bytes: 1 << 20,
        timeout: Duration::from_secs(10),
    };

    assert_eq!(fetch_input(&uri, &sha(&data), limits).await.unwrap(), data);
    let err = fetch_input(&uri, &sha(b"x"), limits).await.unwrap_err();
    assert!(matches!(err, FetchError::HashMismatch { .. }), "{err}");
    let err = fetch_input(
        &uri,
        &sha(&data),
        FetchLimits {
            max_bytes: 1000,
            ..limits
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    let err = fetch_input(&format!("{base}/results/none/output"), &sha(&data), limits)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::NotFound(_)), "{err}");
}
