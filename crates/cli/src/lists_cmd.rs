//! `chengxin lists …`: list standards, a subject's explainable list status, the expiry sweep, and
//! the demo's sample entries (issue 5).

use anyhow::{Context, Result};
use chengxin_lists::{
    Calendar, ListEntry, Propose, RecordDelivery, SendNotice, StartPublicity, status_as_of,
};
use chengxin_store::Store;
use chrono::{Days, NaiveDate};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ListsCommand {
    /// Import list standards (认定标准) from a TOML file; a version already stored must come unchanged (a change is a new version).
    Import {
        file: PathBuf,
        #[arg(long = "as", env = "USER", default_value = "cli")]
        actor: String,
    },
    /// Print the built-in default standards (TOML), e.g. to edit and import.
    Default,
    /// Print every stored standard version (JSON lines).
    Standards,
    /// A subject's lists as of a date (default today), with reasons and legal basis (JSON).
    Status {
        /// USCC, other code or opaque key.
        code: String,
        #[arg(long, value_parser = crate::iso_date)]
        as_of: Option<NaiveDate>,
    },
    /// Exit every entry whose validity ended by the day (default today); run it daily.
    Expire {
        /// The day to sweep as of (YYYY-MM-DD): today or an earlier day missed, never a later one.
        #[arg(long, value_parser = crate::iso_date)]
        on: Option<NaiveDate>,
        #[arg(long = "as", env = "USER", default_value = "cli")]
        actor: String,
    },
}

pub async fn run(store: &Store, command: ListsCommand) -> Result<()> {
    let today = chengxin_server::china_today();
    match command {
        ListsCommand::Import { file, actor } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let n = store
                .import_list_standards(&text, &actor)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            outln!("{{\"added\":{n}}}")?;
        }
        ListsCommand::Default => out!("{}", chengxin_lists::DEFAULT_STANDARDS_TOML)?,
        ListsCommand::Standards => {
            for s in store.list_standards().await?.iter() {
                outln!("{}", serde_json::to_string(s)?)?;
            }
        }
        ListsCommand::Status { code, as_of } => {
            let as_of = as_of.unwrap_or(today);
            let subject = store
                .find(&code)
                .await?
                .with_context(|| format!("no subject {code}"))?;
            let standards = store.list_standards().await?;
            let book = store.list_book(subject.id).await?;
            let lines = book
                .as_ref()
                .map(|b| status_as_of(b, &standards, as_of))
                .unwrap_or_default();
            outln!(
                "{}",
                serde_json::json!({ "subject": subject.key, "as_of": as_of, "lists": lines })
            )?;
        }
        ListsCommand::Expire { on, actor } => {
            let on = on.unwrap_or(today);
            // A sweep may catch up on days it missed, never run ahead: an entry leaves its list
            // when its validity has ended (1798号 (十八) 三 “待有效期届满自动退出”), and until then its
            // measures apply.
            if on > today {
                anyhow::bail!(
                    "--on {on} is after today ({today}): expiry exits only entries whose validity has already ended; run it on or after that day"
                );
            }
            let n = chengxin_server::lists_api::expire_due(store, on, &actor).await?;
            outln!("{{\"on\":\"{on}\",\"subjects\":{n}}}")?;
        }
    }
    Ok(())
}

/// The demo's lists: the default standards, one serious-list entry (notified, delivered, listed)
/// and one red-list entry (publicised, listed), both by the demo department, dated so that they
/// are on their lists today. Returns the two subject codes.
pub async fn demo(store: &Store, serious: &str, red: &str, today: NaiveDate) -> Result<()> {
    const DEPT: &str = chengxin_lists::DEMO_DEPARTMENT;
    store
        .import_list_standards(chengxin_lists::DEFAULT_STANDARDS_TOML, "demo")
        .await?;
    let cal = Calendar::china();
    let start = today - Days::new(40);
    let actor = "demo-identifying_officer";
    let p = |code: &str, doc: &str, reason: &str| Propose {
        on: start,
        actor: actor.into(),
        department: DEPT.into(),
        standard_code: code.into(),
        standard_version: None,
        document: doc.into(),
        reason: reason.into(),
        watch_months: Some(12),
        repeat_offender: false,
    };
    let cmd = p(
        "tax-major-violation",
        "闽税稽罚〔2026〕101号",
        "虚开增值税专用发票，情节严重",
    );
    let out = store
        .list_operation(serious, "lists.propose", actor, |b, st, ids| {
            chengxin_lists::propose(b, st, ids, cal, &cmd)
        })
        .await?;
    let id = out
        .book
        .entries
        .last()
        .map(|e| e.id.clone())
        .context("entry")?;
    let notice = SendNotice {
        on: start,
        actor: actor.into(),
        department: DEPT.into(),
        entry: id.clone(),
        document: "闽税告〔2026〕101号".into(),
    };
    store
        .list_operation(serious, "lists.notice", actor, |b, st, ids| {
            chengxin_lists::send_notice(b, st, ids, cal, &notice)
        })
        .await?;
    let delivery = RecordDelivery {
        on: start + Days::new(1),
        actor: actor.into(),
        department: DEPT.into(),
        entry: id.clone(),
        delivered_on: start + Days::new(1),
    };
    store
        .list_operation(serious, "lists.delivery", actor, |b, st, ids| {
            chengxin_lists::record_delivery(b, st, ids, cal, &delivery)
        })
        .await?;
    let listing = ListEntry {
        on: start + Days::new(20),
        actor: actor.into(),
        department: DEPT.into(),
        entry: id,
        document: None,
    };
    store
        .list_operation(serious, "lists.list", actor, |b, st, ids| {
            chengxin_lists::list(b, st, ids, cal, &listing)
        })
        .await?;

    let cmd = p("tax-a-grade", "闽税信〔2026〕7号", "纳税信用A级");
    let out = store
        .list_operation(red, "lists.propose", actor, |b, st, ids| {
            chengxin_lists::propose(b, st, ids, cal, &cmd)
        })
        .await?;
    let id = out
        .book
        .entries
        .last()
        .map(|e| e.id.clone())
        .context("entry")?;
    let publicity = StartPublicity {
        on: start,
        actor: actor.into(),
        department: DEPT.into(),
        entry: id.clone(),
    };
    store
        .list_operation(red, "lists.publicity", actor, |b, st, ids| {
            chengxin_lists::start_publicity(b, st, ids, cal, &publicity)
        })
        .await?;
    let listing = ListEntry {
        on: start + Days::new(20),
        actor: actor.into(),
        department: DEPT.into(),
        entry: id,
        document: None,
    };
    store
        .list_operation(red, "lists.list", actor, |b, st, ids| {
            chengxin_lists::list(b, st, ids, cal, &listing)
        })
        .await?;
    Ok(())
}
