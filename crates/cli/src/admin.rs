//! `chengxin departments|users|keys|grants …`: bootstrap and manage access without a web page.

use anyhow::{Context, Result, bail};
use chengxin_access::{PersonalField, Role};
use chengxin_server::china_today;
use chengxin_store::{NewAccount, Store};
use chrono::{Duration, Utc};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum DepartmentsCommand {
    /// Register a department: its USCC and name.
    Add { code: String, name: String },
    /// List departments (JSON lines).
    List,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create an account. The password is read from the environment variable named by
    /// --password-env (default CHENGXIN_PASSWORD) or, if unset, from one line of stdin.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        /// The department's USCC (data officers, identifying officers, checkers, handlers).
        #[arg(long, value_parser = crate::code_arg)]
        department: Option<String>,
        /// The subject key the account acts for (enterprise accounts).
        #[arg(long)]
        subject: Option<String>,
        #[arg(long, default_value = "CHENGXIN_PASSWORD")]
        password_env: String,
        /// A system account that signs in only with API keys.
        #[arg(long)]
        no_password: bool,
    },
    /// List accounts (JSON lines).
    List,
    /// Disable an account: its sessions and keys stop working at once.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Issue an API key for an account; prints the secret once.
    Create {
        username: String,
        #[arg(long)]
        name: String,
        /// Days until it expires (at most 366).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key at once.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
pub enum GrantsCommand {
    /// Authorise an account to read personal fields of one subject for a purpose, until a date.
    Add {
        username: String,
        #[arg(long)]
        subject: String,
        /// citizen_id, legal_rep_id (comma-separated)
        #[arg(long, default_value = "citizen_id,legal_rep_id")]
        fields: String,
        #[arg(long)]
        purpose: String,
        /// Days until it expires (at most 90).
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
    /// Revoke a grant from now on (it stays on record).
    Revoke {
        /// The grant's number (`id` in what `grants add` printed).
        id: i64,
    },
}

pub(crate) fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "operator".into())
    )
}

pub async fn departments(store: &Store, c: DepartmentsCommand) -> Result<()> {
    match c {
        DepartmentsCommand::Add { code, name } => {
            let d = store
                .add_department(&code, &name, &actor(), china_today())
                .await?;
            outln!("{}", serde_json::to_string(&d)?)?;
        }
        DepartmentsCommand::List => {
            for d in store.departments().await? {
                outln!("{}", serde_json::to_string(&d)?)?;
            }
        }
    }
    Ok(())
}

pub async fn users(store: &Store, c: UsersCommand) -> Result<()> {
    match c {
        UsersCommand::Add {
            username,
            role,
            display_name,
            department,
            subject,
            password_env,
            no_password,
        } => {
            let role = Role::parse(&role).with_context(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role {role:?}: one of {}", names.join(", "))
            })?;
            let password = if no_password {
                None
            } else if let Ok(p) = std::env::var(&password_env) {
                Some(p)
            } else {
                eprintln!("password for {username} (one line on stdin):");
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\n', '\r']).to_string())
            };
            let a = store
                .create_account(
                    NewAccount {
                        display_name: display_name.unwrap_or_else(|| username.clone()),
                        username,
                        role,
                        department_code: department,
                        subject_key: subject,
                        password,
                    },
                    &actor(),
                )
                .await?;
            outln!("{}", serde_json::to_string(&a)?)?;
        }
        UsersCommand::List => {
            for a in store.accounts().await? {
                outln!("{}", serde_json::to_string(&a)?)?;
            }
        }
        UsersCommand::Disable { username } => {
            store
                .set_account_disabled(&username, true, &actor())
                .await?;
            eprintln!("account {username} disabled: its sessions and API keys stop working");
        }
        UsersCommand::Enable { username } => {
            store
                .set_account_disabled(&username, false, &actor())
                .await?;
            eprintln!("account {username} enabled");
        }
    }
    Ok(())
}

pub async fn keys(store: &Store, c: KeysCommand) -> Result<()> {
    match c {
        KeysCommand::Create {
            username,
            name,
            days,
        } => {
            if !(1..=366).contains(&days) {
                bail!("--days is 1 to 366");
            }
            let (secret, info) = store
                .create_api_key(
                    &username,
                    &name,
                    Utc::now() + Duration::days(days),
                    &actor(),
                )
                .await?;
            eprintln!(
                "API key #{} for {username}, expires {}. The secret is shown once:",
                info.id, info.expires_at
            );
            outln!("{secret}")?;
        }
        KeysCommand::List => {
            for k in store.api_keys().await? {
                outln!("{}", serde_json::to_string(&k)?)?;
            }
        }
        KeysCommand::Revoke { id } => {
            store.revoke_api_key(id, &actor()).await?;
            eprintln!("API key #{id} revoked");
        }
    }
    Ok(())
}

pub async fn grants(store: &Store, c: GrantsCommand) -> Result<()> {
    match c {
        GrantsCommand::Add {
            username,
            subject,
            fields,
            purpose,
            days,
        } => {
            let fields = fields
                .split(',')
                .map(|f| {
                    PersonalField::parse(f.trim()).with_context(|| format!("unknown field {f:?}"))
                })
                .collect::<Result<Vec<_>>>()?;
            let g = store
                .grant(
                    &username,
                    &subject,
                    &fields,
                    &purpose,
                    Utc::now() + Duration::days(days),
                    &actor(),
                )
                .await?;
            outln!("{}", serde_json::to_string(&g)?)?;
        }
        GrantsCommand::Revoke { id } => {
            let g = store.revoke_grant(id, &actor()).await?;
            outln!("{}", serde_json::to_string(&g)?)?;
        }
    }
    Ok(())
}

/// The demo's password for every sample account (printed by `chengxin demo`).
pub const DEMO_PASSWORD: &str = "chengxin-demo-2026";

/// One sample account per role, a demo department, and an API key for the checker.
/// Returns lines describing how to log in with each.
pub async fn demo_accounts(
    store: &Store,
    enterprise_key: &str,
    dept_code: &str,
) -> Result<Vec<String>> {
    store
        .add_department(dept_code, "福州市市场监督管理局", "demo", china_today())
        .await
        .context("registering the demo department")?;
    let mut lines = Vec::new();
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Public) {
        let username = format!("demo-{}", role.as_str().replace('_', "-"));
        store
            .create_account(
                NewAccount {
                    username: username.clone(),
                    display_name: format!("示例{}", role.label_zh()),
                    role,
                    department_code: role.needs_department().then(|| dept_code.to_string()),
                    subject_key: role.needs_subject().then(|| enterprise_key.to_string()),
                    password: Some(DEMO_PASSWORD.to_string()),
                },
                "demo",
            )
            .await
            .with_context(|| format!("creating demo account {username}"))?;
        lines.push(format!("  {:<26} {}", username, role.label_zh()));
    }
    let (secret, _) = store
        .create_api_key(
            "demo-checker",
            "demo bidding system",
            Utc::now() + Duration::days(30),
            "demo",
        )
        .await?;
    lines.push(format!("  API key of demo-checker: {secret}"));
    Ok(lines)
}
