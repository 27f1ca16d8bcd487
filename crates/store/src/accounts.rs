//! Departments, accounts, sessions, API keys and purpose-bound grants.
//! Rules come from `chengxin-access`; this module stores and fetches.

use crate::{Store, StoreError, with_pool, with_write_pool};
use chengxin_access::{
    Grant, PersonalField, Role, check_grantor, check_new_grant, check_new_password, failures_after,
    format_secret, locked_until, secret_hash,
};
use chengxin_audit::Outcome;
use chengxin_registry::{Provenance, SubjectData, SubjectKind};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

/// How long a portal session lasts.
pub const SESSION_HOURS: i64 = 8;

/// A department registered on the platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub subject_id: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// An account as others see it (never its password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_code: Option<String>,
    pub subject_key: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    department_code: Option<String>,
    subject_key: Option<String>,
    password_hash: Option<String>,
    failed_logins: i64,
    last_failed_at: Option<DateTime<Utc>>,
    disabled: i64,
    created_at: DateTime<Utc>,
}

const ACCOUNT_COLS: &str = "id, username, display_name, role, department_code, subject_key, \
    password_hash, failed_logins, last_failed_at, disabled, created_at";

impl AccountRow {
    fn account(&self) -> Result<Account, StoreError> {
        Ok(Account {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: Role::parse(&self.role).ok_or_else(|| {
                StoreError::Corrupt(format!("account {}: role {:?}", self.id, self.role))
            })?,
            department_code: self.department_code.clone(),
            subject_key: self.subject_key.clone(),
            disabled: self.disabled != 0,
            created_at: self.created_at,
        })
    }
}

/// A new account.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_code: Option<String>,
    pub subject_key: Option<String>,
    /// `None` for system accounts that only use API keys.
    pub password: Option<String>,
}

/// A signed-in session: the token goes into an HttpOnly cookie, the CSRF token into forms.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub account: Account,
    pub expires_at: DateTime<Utc>,
}

/// A user name as stored and looked up: trimmed, ASCII lower case (`Admin` is `admin`).
fn user_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Why a login failed. The message never says whether the user name exists.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong user name or password")]
    Invalid,
    #[error("too many failed attempts: the account is locked until {0}")]
    Locked(DateTime<Utc>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An API key as listed (the secret itself is shown once, at creation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiKeyInfo {
    pub id: i64,
    pub prefix: String,
    pub name: String,
    pub account_id: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn random_bytes() -> Result<[u8; 32], StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        StoreError::Conflict(format!("the operating system gave no randomness: {e}"))
    })?;
    Ok(bytes)
}

fn random_secret(prefix: &str) -> Result<String, StoreError> {
    Ok(format_secret(prefix, &random_bytes()?))
}

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Conflict(message.into())
}

/// Hashes a password with argon2id (default parameters) and a random salt.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| invalid(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::PasswordVerifier;
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

impl Store {
    /// `result` as it is, after recording it in the audit log when it is a failure (a success
    /// is recorded by the operation itself, with what it did).
    async fn audit_failure<T>(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Err(e) = &result {
            self.audit_outside(
                actor,
                action,
                Some(target),
                Outcome::Failed,
                e.to_string(),
                "access",
            )
            .await?;
        }
        result
    }

    /// Records an access-management write (accounts, keys, grants, departments) in the audit log.
    async fn audit_access(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: String,
    ) -> Result<(), StoreError> {
        self.audit_outside(
            actor,
            action,
            Some(target),
            Outcome::Allowed,
            detail,
            "access",
        )
        .await
    }

    /// Registers a department: a government body with its own USCC. The body is registered as a
    /// subject if it is not one yet.
    ///
    /// Audited as `departments.add`, a failure too (with why).
    pub async fn add_department(
        &self,
        code: &str,
        name: &str,
        actor: &str,
        today: NaiveDate,
    ) -> Result<Department, StoreError> {
        let result = self.add_department_once(code, name, actor, today).await;
        self.audit_failure(actor, "departments.add", code, result)
            .await
    }

    async fn add_department_once(
        &self,
        code: &str,
        name: &str,
        actor: &str,
        today: NaiveDate,
    ) -> Result<Department, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                chengxin_registry::RegistryError::Field {
                    field: "name",
                    rule: "required",
                    message: "a department needs a name".into(),
                },
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                chengxin_registry::RegistryError::Field {
                    field: "name",
                    rule: "control_char",
                    message: "a department's name may not hold control characters".into(),
                },
            ));
        }
        let uscc = chengxin_codes::validate_uscc(code).map_err(|e| {
            StoreError::Invalid(chengxin_registry::RegistryError::Code {
                field: "code",
                error: Box::new(e),
            })
        })?;
        // A department is a government body or public institution, registered with 机构编制
        // (GB 32100: 登记管理部门代码 1). A code registered by 市场监管 (9), 民政 (5)… is an
        // enterprise's or a social organisation's.
        let (authority, authority_name) = uscc.registration_authority();
        if authority != '1' {
            return Err(StoreError::Invalid(
                chengxin_registry::RegistryError::Field {
                    field: "code",
                    rule: "not_government",
                    message: format!(
                        "{uscc} is registered by {authority_name} ({authority}, {}), not by 机构编制 (1): a department is a government body or public institution, whose code starts with 1",
                        uscc.institution_category()
                    ),
                },
            ));
        }
        let subject = match self.subject_by_key(uscc.as_str()).await? {
            Some(s) if s.current.data.kind != SubjectKind::GovernmentBody => {
                return Err(invalid(format!(
                    "{} is registered as a {}, not a government body",
                    uscc,
                    s.current.data.kind.label_zh()
                )));
            }
            Some(s) => s,
            None => {
                let data = SubjectData {
                    uscc: Some(uscc.as_str().to_string()),
                    ..SubjectData::new(SubjectKind::GovernmentBody, name)
                };
                let prov = Provenance {
                    actor: actor.to_string(),
                    reason: "registered as a department".into(),
                    source: "departments".into(),
                    valid_from: today,
                };
                self.register(data, prov, today).await?
            }
        };
        let sql = "INSERT INTO departments (code, name, subject_id, created_at, created_by) \
                   VALUES ($1, $2, $3, $4, $5) \
                   RETURNING code, name, subject_id, created_at, created_by";
        let dept: Result<Department, sqlx::Error> = with_pool!(self, p => {
            sqlx::query_as(sql)
                .bind(uscc.as_str())
                .bind(name)
                .bind(subject.id)
                .bind(crate::now())
                .bind(actor)
                .fetch_one(p)
                .await
        });
        let dept = dept.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                invalid(format!("department {uscc} is already registered"))
            }
            _ => StoreError::Database(e),
        })?;
        self.audit_access(actor, "departments.add", &dept.code, dept.name.clone())
            .await?;
        Ok(dept)
    }

    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let sql =
            "SELECT code, name, subject_id, created_at, created_by FROM departments ORDER BY code";
        Ok(with_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await?))
    }

    pub async fn department(&self, code: &str) -> Result<Option<Department>, StoreError> {
        let sql = "SELECT code, name, subject_id, created_at, created_by FROM departments WHERE code = $1";
        Ok(with_pool!(self, p => sqlx::query_as(sql).bind(code).fetch_optional(p).await?))
    }

    /// Creates an account after checking the role's requirements and the password rules.
    pub async fn create_account(&self, a: NewAccount, actor: &str) -> Result<Account, StoreError> {
        let username = user_key(&a.username);
        if username.len() < 3
            || username.len() > 64
            || !username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b))
        {
            return Err(invalid(
                "a user name has 3 to 64 letters, digits or . _ - @",
            ));
        }
        if a.role == Role::Public {
            return Err(invalid(
                "the public role is for callers who are not signed in",
            ));
        }
        if a.role.needs_department() {
            let Some(code) = &a.department_code else {
                return Err(invalid(format!(
                    "a {} account belongs to a department",
                    a.role
                )));
            };
            if self.department(code).await?.is_none() {
                return Err(invalid(format!("department {code} is not registered")));
            }
        }
        if !a.role.needs_subject() && a.subject_key.is_some() {
            return Err(invalid(format!(
                "only an enterprise account acts for a subject; a {} account does not",
                a.role
            )));
        }
        if a.role.needs_subject() {
            let Some(key) = &a.subject_key else {
                return Err(invalid("an enterprise account acts for one subject"));
            };
            if self.subject_by_key(key).await?.is_none() {
                return Err(invalid(format!("no subject {key}")));
            }
        }
        let password_hash = match &a.password {
            Some(pw) => {
                check_new_password(pw, &username).map_err(invalid)?;
                let pw = pw.clone();
                Some(
                    tokio::task::spawn_blocking(move || hash_password(&pw))
                        .await
                        .map_err(|e| invalid(format!("hashing task failed: {e}")))??,
                )
            }
            None => None,
        };
        let sql = format!(
            "INSERT INTO accounts (username, display_name, role, department_code, subject_key, \
             password_hash, failed_logins, disabled, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $8) RETURNING {ACCOUNT_COLS}"
        );
        let row: Result<AccountRow, sqlx::Error> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&username)
                .bind(a.display_name.trim())
                .bind(a.role.as_str())
                .bind(&a.department_code)
                .bind(&a.subject_key)
                .bind(&password_hash)
                .bind(crate::now())
                .bind(actor)
                .fetch_one(p)
                .await
        });
        match row {
            Ok(r) => {
                let account = r.account()?;
                self.audit_access(
                    actor,
                    "accounts.create",
                    &account.username,
                    format!("role {}", account.role),
                )
                .await?;
                Ok(account)
            }
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                Err(invalid(format!("user name {username} is taken")))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn account_row(&self, username: &str) -> Result<Option<AccountRow>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE username = $1");
        let username = user_key(username);
        Ok(
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&username).fetch_optional(p).await?),
        )
    }

    pub async fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        self.account_row(username)
            .await?
            .map(|r| r.account())
            .transpose()
    }

    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts ORDER BY id");
        let rows: Vec<AccountRow> =
            with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?);
        rows.iter().map(AccountRow::account).collect()
    }

    /// Disables or re-enables an account; a disabled account's sessions end and its keys stop
    /// working (until it is enabled again).
    pub async fn set_account_disabled(
        &self,
        username: &str,
        disabled: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        let username = user_key(username);
        let username = username.as_str();
        let n = with_pool!(self, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query("UPDATE accounts SET disabled = $2 WHERE username = $1")
                .bind(username)
                .bind(i64::from(disabled))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            // Sessions end with the account: a cookie from before must not come back to life
            // when the account is enabled again.
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE username = $1)")
                    .bind(username)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::NotFound(format!("account {username}")));
        }
        let action = if disabled {
            "accounts.disable"
        } else {
            "accounts.enable"
        };
        self.audit_access(actor, action, username, String::new())
            .await
    }

    /// Counts a failed sign-in under a name without an account (`login_failures`, keyed by the
    /// name's SHA-256) and answers as for an account: locked from the threshold on, for as long.
    async fn unknown_name_failed(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<LoginError, StoreError> {
        let key = secret_hash(&user_key(username));
        let expired = now - chrono::Duration::minutes(chengxin_access::LOCKOUT_MINUTES);
        let until = with_write_pool!(self, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM login_failures WHERE last_failed_at < $1")
                .bind(expired)
                .execute(&mut *tx)
                .await?;
            let held: Option<(i64, DateTime<Utc>)> = sqlx::query_as(
                "SELECT failed_logins, last_failed_at FROM login_failures WHERE name_hash = $1",
            )
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
            let until = held.and_then(|(n, last)| locked_until(n, Some(last), now));
            // A failure while unlocked counts: like an account, the name is locked from the next
            // try once it reaches the threshold.
            if until.is_none() {
                sqlx::query(
                    "INSERT INTO login_failures (name_hash, failed_logins, last_failed_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (name_hash) DO UPDATE \
                     SET failed_logins = excluded.failed_logins, last_failed_at = excluded.last_failed_at",
                )
                .bind(&key)
                .bind(failures_after(held.map_or(0, |(n, _)| n)))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            until
        });
        Ok(until.map_or(LoginError::Invalid, LoginError::Locked))
    }

    /// Checks a password and opens a session. Five failures in a row lock the account for
    /// fifteen minutes (`chengxin_access::locked_until`).
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, LoginError> {
        let now = crate::now();
        let row = self.account_row(username).await?;
        let Some(row) = row else {
            // Same work as a real check, so timing does not tell whether the name exists.
            let pw = password.to_string();
            let _ = tokio::task::spawn_blocking(move || verify_password(&pw, DUMMY_HASH)).await;
            // And the same lock-out: a name without an account is locked after as many failures
            // as one with, so the lock does not tell either.
            return Err(self.unknown_name_failed(username, now).await?);
        };
        if let Some(until) = locked_until(row.failed_logins, row.last_failed_at, now) {
            return Err(LoginError::Locked(until));
        }
        let ok = match &row.password_hash {
            Some(h) if row.disabled == 0 => {
                let (pw, h) = (password.to_string(), h.clone());
                tokio::task::spawn_blocking(move || verify_password(&pw, &h))
                    .await
                    .unwrap_or(false)
            }
            _ => false,
        };
        if !ok {
            let failures = failures_after(row.failed_logins);
            with_pool!(self, p => {
                sqlx::query("UPDATE accounts SET failed_logins = $2, last_failed_at = $3 WHERE id = $1")
                    .bind(row.id)
                    .bind(failures)
                    .bind(now)
                    .execute(p)
                    .await
                    .map_err(StoreError::from)?;
            });
            return Err(LoginError::Invalid);
        }
        let token = random_secret("cxs_")?;
        // Written into every form the session posts: letters only (`page_token`).
        let csrf = chengxin_access::page_token(&random_bytes()?);
        let expires_at = now + Duration::hours(SESSION_HOURS);
        with_write_pool!(self, p => {
            let mut tx = p.begin().await.map_err(StoreError::from)?;
            sqlx::query("UPDATE accounts SET failed_logins = 0, last_failed_at = NULL WHERE id = $1")
                .bind(row.id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            sqlx::query("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(secret_hash(&token))
                .bind(row.id)
                .bind(&csrf)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            tx.commit().await.map_err(StoreError::from)?;
        });
        Ok(Session {
            token,
            csrf_token: csrf,
            account: row.account()?,
            expires_at,
        })
    }

    /// The live session for a token, if any (expired sessions and disabled accounts give None).
    pub async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let row: Option<(String, DateTime<Utc>, i64)> = with_pool!(self, p => {
            sqlx::query_as(
                "SELECT s.csrf_token, s.expires_at, s.account_id FROM sessions s JOIN accounts a ON a.id = s.account_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = 0",
            )
            .bind(secret_hash(token))
            .bind(crate::now())
            .fetch_optional(p)
            .await?
        });
        let Some((csrf, expires_at, account_id)) = row else {
            return Ok(None);
        };
        let account = self.account_by_id(account_id).await?;
        Ok(account.map(|account| Session {
            token: token.to_string(),
            csrf_token: csrf,
            account,
            expires_at,
        }))
    }

    async fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = $1");
        let row: Option<AccountRow> = with_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?);
        row.map(|r| r.account()).transpose()
    }

    pub async fn logout(&self, token: &str) -> Result<(), StoreError> {
        with_pool!(self, p => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(secret_hash(token))
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Issues an API key for an account. The secret is returned once; only its hash is kept.
    pub async fn create_api_key(
        &self,
        username: &str,
        name: &str,
        expires_at: DateTime<Utc>,
        actor: &str,
    ) -> Result<(String, ApiKeyInfo), StoreError> {
        let expires_at = chrono::SubsecRound::trunc_subsecs(expires_at, 6);
        let account = self
            .account(username)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("account {username}")))?;
        if name.trim().is_empty() {
            return Err(invalid(
                "an API key needs a name saying which system uses it (--name)",
            ));
        }
        if expires_at <= crate::now() {
            return Err(invalid("an API key expires in the future"));
        }
        if expires_at > crate::now() + Duration::days(366) {
            return Err(invalid(
                "an API key lasts at most one year; issue a new one to renew",
            ));
        }
        let secret = random_secret("cxk_")?;
        let prefix: String = secret.chars().take(12).collect();
        let sql = "INSERT INTO api_keys (key_hash, prefix, name, account_id, created_at, created_by, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) \
                   RETURNING id, prefix, name, account_id, created_at, created_by, expires_at, revoked_at";
        let info: ApiKeyInfo = with_pool!(self, p => {
            sqlx::query_as(sql)
                .bind(secret_hash(&secret))
                .bind(&prefix)
                .bind(name.trim())
                .bind(account.id)
                .bind(crate::now())
                .bind(actor)
                .bind(expires_at)
                .fetch_one(p)
                .await?
        });
        self.audit_access(
            actor,
            "api_keys.create",
            username,
            format!(
                "key #{} {} expires {}",
                info.id, info.prefix, info.expires_at
            ),
        )
        .await?;
        Ok((secret, info))
    }

    /// The account behind a live API key (unexpired, unrevoked, account enabled).
    pub async fn account_for_api_key(
        &self,
        secret: &str,
    ) -> Result<Option<(Account, i64)>, StoreError> {
        let row: Option<(i64, i64)> = with_pool!(self, p => {
            sqlx::query_as(
                "SELECT k.id, k.account_id FROM api_keys k JOIN accounts a ON a.id = k.account_id \
                 WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND k.expires_at > $2 AND a.disabled = 0",
            )
            .bind(secret_hash(secret))
            .bind(crate::now())
            .fetch_optional(p)
            .await?
        });
        match row {
            None => Ok(None),
            Some((key_id, account_id)) => {
                Ok(self.account_by_id(account_id).await?.map(|a| (a, key_id)))
            }
        }
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let sql = "SELECT id, prefix, name, account_id, created_at, created_by, expires_at, revoked_at FROM api_keys ORDER BY id";
        Ok(with_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await?))
    }

    pub async fn revoke_api_key(&self, id: i64, actor: &str) -> Result<(), StoreError> {
        let n = with_pool!(self, p => {
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(crate::now())
                .execute(p)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound(format!("live API key #{id}")));
        }
        self.audit_access(
            actor,
            "api_keys.revoke",
            &format!("key #{id}"),
            String::new(),
        )
        .await
    }

    /// Gives `username` a purpose-bound, expiring authorisation to read personal fields of a subject.
    ///
    /// Audited as `grants.add`, a failure too (with why).
    pub async fn grant(
        &self,
        username: &str,
        subject_key: &str,
        fields: &[PersonalField],
        purpose: &str,
        expires_at: DateTime<Utc>,
        actor: &str,
    ) -> Result<Grant, StoreError> {
        let result = self
            .grant_once(username, subject_key, fields, purpose, expires_at, actor)
            .await;
        self.audit_failure(actor, "grants.add", subject_key, result)
            .await
    }

    async fn grant_once(
        &self,
        username: &str,
        subject_key: &str,
        fields: &[PersonalField],
        purpose: &str,
        expires_at: DateTime<Utc>,
        actor: &str,
    ) -> Result<Grant, StoreError> {
        let now = crate::now();
        // Kept, and said back, to the microsecond (see `crate::now`).
        let expires_at = chrono::SubsecRound::trunc_subsecs(expires_at, 6);
        check_new_grant(fields, purpose, expires_at, now).map_err(invalid)?;
        let account = self
            .account(username)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("account {username}")))?;
        check_grantor(&account.username, account.role, actor).map_err(invalid)?;
        if self.subject_by_key(subject_key).await?.is_none() {
            return Err(StoreError::NotFound(format!("subject {subject_key}")));
        }
        let field_list: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        let id: i64 = with_pool!(self, p => {
            sqlx::query_scalar(
                "INSERT INTO grants (account_id, subject_key, fields, purpose, granted_by, granted_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(account.id)
            .bind(subject_key)
            .bind(field_list.join(","))
            .bind(purpose.trim())
            .bind(actor)
            .bind(now)
            .bind(expires_at)
            .fetch_one(p)
            .await?
        });
        self.audit_access(
            actor,
            "grants.add",
            subject_key,
            format!(
                "grant #{id} to {} for {:?}: {}",
                account.username,
                field_list,
                purpose.trim()
            ),
        )
        .await?;
        Ok(Grant {
            id,
            account: account.username,
            subject_key: subject_key.to_string(),
            fields: fields.to_vec(),
            purpose: purpose.trim().to_string(),
            granted_by: actor.to_string(),
            granted_at: now,
            expires_at,
            revoked_at: None,
        })
    }

    /// Revokes a grant from now on (it stays on record, with when and by whom). Revoking a grant
    /// already revoked or expired changes nothing and says so.
    ///
    /// Audited as `grants.revoke`, a failure too (with why, under `grant:ID`).
    pub async fn revoke_grant(&self, id: i64, actor: &str) -> Result<Grant, StoreError> {
        let result = self.revoke_grant_once(id, actor).await;
        self.audit_failure(actor, "grants.revoke", &format!("grant:{id}"), result)
            .await
    }

    async fn revoke_grant_once(&self, id: i64, actor: &str) -> Result<Grant, StoreError> {
        let now = crate::now();
        let n = with_pool!(self, p => {
            sqlx::query("UPDATE grants SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2")
                .bind(id)
                .bind(now)
                .execute(p)
                .await?
                .rows_affected()
        });
        let grant = self
            .grant_by_id(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("grant #{id}")))?;
        if n == 0 {
            return Err(invalid(match grant.revoked_at {
                Some(at) => format!("grant #{id} was already revoked at {}", at.to_rfc3339()),
                None => format!("grant #{id} expired at {}", grant.expires_at.to_rfc3339()),
            }));
        }
        self.audit_access(
            actor,
            "grants.revoke",
            &grant.subject_key,
            format!("grant #{id} of {} revoked", grant.account),
        )
        .await?;
        Ok(grant)
    }

    /// One grant by number.
    pub async fn grant_by_id(&self, id: i64) -> Result<Option<Grant>, StoreError> {
        let sql = format!("{GRANT_SELECT} WHERE g.id = $1");
        let row: Option<GrantRow> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        Ok(row.map(Grant::from))
    }

    /// Every grant `username` holds on `subject_key` (live, expired and revoked: the rule decides).
    pub async fn grants_for(
        &self,
        username: &str,
        subject_key: &str,
    ) -> Result<Vec<Grant>, StoreError> {
        let sql =
            format!("{GRANT_SELECT} WHERE a.username = $1 AND g.subject_key = $2 ORDER BY g.id");
        let rows: Vec<GrantRow> = with_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(user_key(username))
                .bind(subject_key)
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().map(Grant::from).collect())
    }
}

/// A grant as stored, with its account's user name.
const GRANT_SELECT: &str = "SELECT g.id, a.username, g.subject_key, g.fields, g.purpose, \
    g.granted_by, g.granted_at, g.expires_at, g.revoked_at \
    FROM grants g JOIN accounts a ON a.id = g.account_id";

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: i64,
    username: String,
    subject_key: String,
    /// Comma-separated field names.
    fields: String,
    purpose: String,
    granted_by: String,
    granted_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<GrantRow> for Grant {
    fn from(r: GrantRow) -> Grant {
        Grant {
            id: r.id,
            account: r.username,
            subject_key: r.subject_key,
            fields: r
                .fields
                .split(',')
                .filter_map(PersonalField::parse)
                .collect(),
            purpose: r.purpose,
            granted_by: r.granted_by,
            granted_at: r.granted_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// An argon2id hash of a random string nobody knows, checked when the user name is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$W8Qc7bbmrK6qXAVjYvmpwHrJWSjBZzpFHvjpUAfqE2I";
