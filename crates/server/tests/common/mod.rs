//! Set-up shared by the HTTP test files: departments, and accounts with an API key each.
// Each test file uses the part it needs.
#![allow(dead_code)]

use chengxin_access::Role;
use chengxin_store::{NewAccount, Store};
use chrono::{Duration, NaiveDate, Utc};

/// Registers departments (code, name) as of `on`.
pub async fn departments(store: &Store, list: &[(&str, &str)], on: NaiveDate) {
    for (code, name) in list {
        store
            .add_department(code, name, "t", on)
            .await
            .expect("department");
    }
}

/// Creates an account (no password) and an API key valid for a day; returns the key's secret.
pub async fn account_with_key(
    store: &Store,
    username: &str,
    role: Role,
    department: Option<&str>,
    subject: Option<&str>,
) -> String {
    store
        .create_account(
            NewAccount {
                username: username.into(),
                display_name: username.into(),
                role,
                department_code: department.map(str::to_string),
                subject_key: subject.map(str::to_string),
                password: None,
            },
            "t",
        )
        .await
        .expect("account");
    let (secret, _) = store
        .create_api_key(username, "test", Utc::now() + Duration::days(1), "t")
        .await
        .expect("key");
    secret
}
