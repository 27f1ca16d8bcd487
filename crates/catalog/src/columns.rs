//! Header matching: which input column feeds which field.

use crate::model::CatalogItem;
use crate::values::{excerpt, header_key};
use serde::Serialize;

/// Which input column feeds which field of one [`CatalogItem`], built by
/// [`CatalogItem::columns`]. Two header rows that name the same fields in the same order (by
/// code in any ASCII case, by Chinese name, or by alias) give equal `Columns`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Columns {
    /// Per input column (0-based): the field index it feeds; `None` for a column with an empty
    /// header (its cells must stay empty).
    by_column: Vec<Option<usize>>,
    /// Per field of the item (catalog order): the input column (0-based) that feeds it.
    by_field: Vec<Option<usize>>,
    /// Input columns (0-based) read past: a 序号 (row number) column, which templates put
    /// first and nothing is collected from.
    ignored: Vec<usize>,
}

impl Columns {
    /// Number of input columns (headers).
    pub fn len(&self) -> usize {
        self.by_column.len()
    }

    /// Whether there are no input columns (never true for a value built by
    /// [`CatalogItem::columns`]).
    pub fn is_empty(&self) -> bool {
        self.by_column.is_empty()
    }

    /// The field index (into [`CatalogItem::fields`]) fed by input column `column` (0-based).
    pub fn field_of(&self, column: usize) -> Option<usize> {
        self.by_column.get(column).copied().flatten()
    }

    /// The input column (0-based) that feeds field index `field`.
    pub fn column_of(&self, field: usize) -> Option<usize> {
        self.by_field.get(field).copied().flatten()
    }

    /// Whether input column `column` (0-based) is read past (a 序号 column).
    pub fn is_ignored(&self, column: usize) -> bool {
        self.ignored.contains(&column)
    }
}

/// Headers that number the rows of a template (序号) rather than name a field. This and the
/// template marks below are chengxin's own reading of departments' sheets (issue #4 QA pass); the
/// 双公示 field sets (standards.md §4) name the fields, not how templates decorate them.
const ROW_NUMBER_HEADERS: &[&str] = &["序号", "行号", "no.", "no"];

/// A header key without the marks templates add to a field's name: a leading or trailing `*`
/// (required) and a trailing 「（必填）」, 「（选填）」 or 「（可选）」.
fn without_marks(key: &str) -> &str {
    let mut k = key.trim_matches('*');
    for suffix in [
        "(必填)",
        "(必填项)",
        "(选填)",
        "(非必填)",
        "(可选)",
        "(可填)",
    ] {
        if let Some(rest) = k.strip_suffix(suffix) {
            k = rest.trim_matches('*');
        }
    }
    k
}

fn describe_unknown(column: usize, header: &str, more: &[(usize, String)]) -> String {
    let mut s = format!(
        "column {column}: unknown header {header:?} (not a field code, name or alias of this catalog item)"
    );
    if !more.is_empty() {
        let others: Vec<String> = more
            .iter()
            .map(|(c, h)| format!("column {c} {h:?}"))
            .collect();
        s.push_str(&format!("; also unknown: {}", others.join(", ")));
    }
    s
}

/// A header row that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum HeaderError {
    /// A header that is no field's code, name or alias (the first such column), and the
    /// other unknown headers of the row, so that a sender fixes them all at once.
    #[error("{}", describe_unknown(*.column, .header, .more))]
    UnknownColumn {
        column: usize,
        header: String,
        more: Vec<(usize, String)>,
    },
    /// Two headers name the same field (columns are 1-based).
    #[error("columns {first} and {second} both name field {field}")]
    DuplicateField {
        field: String,
        first: usize,
        second: usize,
    },
    /// A required field has no column.
    #[error("required field {field} ({name}) has no column")]
    MissingRequired { field: String, name: String },
    /// No headers at all (or only empty ones).
    #[error("no headers")]
    Empty,
}

impl HeaderError {
    /// The error in Chinese (数据报送 is done in Chinese; [`std::fmt::Display`] stays English).
    pub fn message_zh(&self) -> String {
        match self {
            HeaderError::UnknownColumn {
                column,
                header,
                more,
            } => {
                let mut s = format!(
                    "第 {column} 列的表头「{header}」不是本目录项的字段代码、字段名称或别名"
                );
                if !more.is_empty() {
                    let others: Vec<String> = more
                        .iter()
                        .map(|(c, h)| format!("第 {c} 列「{h}」"))
                        .collect();
                    s.push_str(&format!("；另有未知表头：{}", others.join("、")));
                }
                s
            }
            HeaderError::DuplicateField {
                field,
                first,
                second,
            } => format!("第 {first} 列和第 {second} 列对应同一个字段 {field}"),
            HeaderError::MissingRequired { field, name } => {
                format!("必填字段 {field}（{name}）没有对应的列")
            }
            HeaderError::Empty => "表头是空的".to_owned(),
        }
    }

    /// [`HeaderError::message_zh`] for a header made of a JSON object's keys (JSON Lines): the
    /// keys are named, not counted as columns.
    pub fn keys_message_zh(&self) -> String {
        match self {
            HeaderError::UnknownColumn { header, more, .. } => {
                let mut s = format!("键「{header}」不是本目录项的字段代码、字段名称或别名");
                if !more.is_empty() {
                    let others: Vec<String> =
                        more.iter().map(|(_, h)| format!("「{h}」")).collect();
                    s.push_str(&format!("；另有未知的键：{}", others.join("、")));
                }
                s
            }
            HeaderError::DuplicateField { field, .. } => {
                format!("两个键对应同一个字段 {field}")
            }
            HeaderError::MissingRequired { field, name } => {
                format!("必填字段 {field}（{name}）没有对应的键")
            }
            HeaderError::Empty => "第一个对象没有键".to_owned(),
        }
    }

    /// The English [`std::fmt::Display`] for a header made of a JSON object's keys.
    pub fn for_keys(&self) -> String {
        match self {
            HeaderError::UnknownColumn { header, more, .. } => {
                let mut s = format!(
                    "unknown key {header:?} (not a field code, name or alias of this catalog item)"
                );
                if !more.is_empty() {
                    let others: Vec<String> = more.iter().map(|(_, h)| format!("{h:?}")).collect();
                    s.push_str(&format!("; also unknown: {}", others.join(", ")));
                }
                s
            }
            HeaderError::DuplicateField { field, .. } => {
                format!("two keys both name field {field}")
            }
            HeaderError::MissingRequired { field, name } => {
                format!("required field {field} ({name}) has no key")
            }
            HeaderError::Empty => "the first object has no keys".to_owned(),
        }
    }
}

impl CatalogItem {
    /// Match headers to fields: by field code (ASCII case-insensitive), Chinese name, or alias.
    /// Headers are compared by [`crate::header_key`]: a UTF-8 BOM and white space are removed
    /// and full-width ASCII is made half-width, so `罚款金额（万元）` matches `罚款金额(万元)`.
    ///
    /// A column whose header is empty is kept as an unmapped column: [`CatalogItem::validate`]
    /// refuses a row that puts a value under it (rule `unmapped_cell`) instead of dropping it.
    ///
    /// A 序号 column (row numbers) is read past, and a field's name is also recognised with the
    /// marks templates add to it: `*处罚决定日期`, `处罚决定日期（必填）`.
    ///
    /// Errors, in the order checked: no non-empty header ([`HeaderError::Empty`]), a field named
    /// twice, unknown headers (all of them in one error), a required field with no column.
    pub fn columns(&self, headers: &[&str]) -> Result<Columns, HeaderError> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        if keys.iter().all(String::is_empty) {
            return Err(HeaderError::Empty);
        }
        let mut by_column = Vec::with_capacity(headers.len());
        let mut by_field: Vec<Option<usize>> = vec![None; self.fields.len()];
        let mut ignored = Vec::new();
        let mut unknown: Vec<(usize, String)> = Vec::new();
        for (col, key) in keys.iter().enumerate() {
            if key.is_empty() {
                by_column.push(None);
                continue;
            }
            let found = self
                .field_by_key(key)
                .or_else(|| self.field_by_key(without_marks(key)));
            let Some(fi) = found else {
                by_column.push(None);
                if ROW_NUMBER_HEADERS.contains(&without_marks(key)) && ignored.is_empty() {
                    ignored.push(col);
                } else {
                    let header = headers.get(col).copied().unwrap_or_default();
                    unknown.push((
                        col + 1,
                        excerpt(header.trim_start_matches('\u{FEFF}').trim(), 100),
                    ));
                }
                continue;
            };
            if let Some(first) = by_field[fi] {
                return Err(HeaderError::DuplicateField {
                    field: self.fields[fi].code.clone(),
                    first: first + 1,
                    second: col + 1,
                });
            }
            by_field[fi] = Some(col);
            by_column.push(Some(fi));
        }
        if let Some(((column, header), more)) = unknown.split_first() {
            return Err(HeaderError::UnknownColumn {
                column: *column,
                header: header.clone(),
                more: more.to_vec(),
            });
        }
        if let Some((f, _)) = self
            .fields
            .iter()
            .zip(&by_field)
            .find(|(f, c)| f.required && c.is_none())
        {
            return Err(HeaderError::MissingRequired {
                field: f.code.clone(),
                name: f.name.clone(),
            });
        }
        Ok(Columns {
            by_column,
            by_field,
            ignored,
        })
    }

    /// The index of the field whose code, name or alias has header key `key`.
    fn field_by_key(&self, key: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.names().any(|n| header_key(n) == key))
    }
}
