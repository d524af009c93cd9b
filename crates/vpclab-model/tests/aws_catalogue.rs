//! The AWS-managed prefix lists match what `describe-prefix-lists` printed in real
//! accounts (captures copied from ../shared/cases/describe/ into tests/fixtures/).

use std::collections::BTreeSet;
use std::path::PathBuf;

use vpclab_model::Lab;

fn captures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prefix-lists");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

#[test]
fn aws_managed_prefix_lists_match_real_captures() {
    let files = captures();
    assert!(
        files.len() >= 3,
        "expected the batfish captures, found {files:?}"
    );
    let lab = Lab::new(0);
    let mut checked = 0;
    for file in files {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for pl in doc["PrefixLists"].as_array().unwrap() {
            let id = pl["PrefixListId"].as_str().unwrap();
            let name = pl["PrefixListName"].as_str().unwrap();
            let want: BTreeSet<String> = pl["Cidrs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            let ours = lab
                .prefix_list(id)
                .unwrap_or_else(|| panic!("{id} ({name}) from {} is missing", file.display()));
            assert_eq!(ours.name, name);
            assert!(ours.is_aws_managed());
            assert_eq!(ours.region.name(), name.split('.').nth(2).unwrap());
            let got: BTreeSet<String> = ours.cidrs().map(|c| c.to_string()).collect();
            assert_eq!(got, want, "{id}");
            checked += 1;
        }
    }
    assert_eq!(
        checked, 6,
        "three captures of two lists each (us-east-1, us-east-2, us-west-2)"
    );
}
