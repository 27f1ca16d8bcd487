//! Measures how fast a file is read.
//!
//! ```text
//! cargo run --release -p chengxin-collect --example read_speed -- generate /tmp/big.csv 1000000
//! cargo run --release -p chengxin-collect --example read_speed -- generate /tmp/big-gb.csv 1000000 gb18030
//! cargo run --release -p chengxin-collect --example read_speed -- /tmp/big.csv          # read_row, reusing one Row
//! cargo run --release -p chengxin-collect --example read_speed -- /tmp/big.csv fresh    # next_row, a new Row each time
//! ```
//!
//! `generate-xlsx PATH [ROWS]` writes the same kind of data as a workbook
//! (strings, numbers and dates).
//!
//! `generate` writes a licensing-decision-like CSV with 30 columns (Chinese
//! names, codes, dates, a quoted cell with commas or a line break now and
//! then).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use chengxin_collect::{Limits, Reader, Row};

const HEADERS: [&str; 30] = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "工商注册号",
    "组织机构代码",
    "税务登记号",
    "事业单位证书号",
    "社会组织登记证号",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
    "金额",
    "序号",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let path = args.get(1).ok_or("generate PATH [ROWS] [gb18030]")?;
            let rows: u64 = args
                .get(2)
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(1_000_000);
            let gb = args.get(3).is_some_and(|s| s == "gb18030");
            generate(Path::new(path), rows, gb)
        }
        Some("generate-xlsx") => {
            let path = args.get(1).ok_or("generate-xlsx PATH [ROWS]")?;
            let rows: u32 = args
                .get(2)
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(100_000);
            generate_xlsx(Path::new(path), rows)
        }
        Some(path) => read(Path::new(path), args.get(1).is_some_and(|s| s == "fresh")),
        None => {
            Err("usage: read_speed PATH [fresh] | read_speed generate PATH [ROWS] [gb18030]".into())
        }
    }
}

fn read(path: &Path, fresh: bool) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mut reader = Reader::open_path(path, None, Limits::default())?;
    let mut rows = 0u64;
    let mut cell_bytes = 0usize;
    let mut errors = 0u64;
    if fresh {
        while let Some(row) = reader.next_row() {
            match row {
                Ok(row) => {
                    rows += 1;
                    cell_bytes += row.cells.iter().map(String::len).sum::<usize>();
                }
                Err(e) => {
                    errors += 1;
                    if e.stops_reading() {
                        eprintln!("{e}");
                    }
                }
            }
        }
    } else {
        let mut row = Row::default();
        loop {
            match reader.read_row(&mut row) {
                Ok(true) => {
                    rows += 1;
                    cell_bytes += row.cells.iter().map(String::len).sum::<usize>();
                }
                Ok(false) => break,
                Err(e) => {
                    errors += 1;
                    if e.stops_reading() {
                        eprintln!("{e}");
                    }
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = reader.bytes_read() as f64 / 1e6;
    println!(
        "{rows} rows x {} columns ({:?}, {:?}), {errors} errors, {mb:.1} MB, {:.1} MB of cells, in {secs:.3} s: {:.0} rows/s, {:.0} MB/s ({})",
        reader.headers().len(),
        reader.format(),
        reader.encoding(),
        cell_bytes as f64 / 1e6,
        rows as f64 / secs,
        mb / secs,
        if fresh { "next_row" } else { "read_row" }
    );
    Ok(())
}

fn generate(path: &Path, rows: u64, gb: bool) -> Result<(), Box<dyn std::error::Error>> {
    let surnames = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
    let cities = [
        "深圳市",
        "广州市",
        "北京市",
        "上海市",
        "杭州市",
        "成都市",
        "武汉市",
    ];
    let trades = [
        "餐饮管理",
        "科技",
        "商贸",
        "建筑工程",
        "医药",
        "物流",
        "文化传媒",
    ];
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut line = HEADERS.join(",");
    line.push('\n');
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..rows {
        if i > 0 {
            line.clear();
        }
        let r = next();
        let city = cities[(r % 7) as usize];
        let trade = trades[((r >> 8) % 7) as usize];
        let name = surnames[((r >> 16) % 10) as usize];
        let code = format!(
            "91{:06}{:09}X",
            (r >> 20) % 1_000_000,
            (r >> 3) % 1_000_000_000
        );
        let day = format!("2024-{:02}-{:02}", (r >> 24) % 12 + 1, (r >> 28) % 28 + 1);
        let content = match r % 50 {
            0 => "\"食品经营许可，含网络销售\"".to_owned(),
            1 => "\"第一行\n第二行\"".to_owned(),
            _ => "食品经营许可".to_owned(),
        };
        let fields: [String; 30] = [
            format!("{city}{name}氏{trade}有限公司"),
            "法人及非法人组织".to_owned(),
            code.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("{name}某某"),
            "身份证".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            "食品经营许可证".to_owned(),
            format!("深市监许〔2024〕{}号", r % 1_000_000),
            "普通".to_owned(),
            "食品经营许可证".to_owned(),
            format!("JY{:014}", r % 100_000_000_000_000),
            content,
            day.clone(),
            day,
            "2029-12-31".to_owned(),
            format!("{city}市场监督管理局"),
            "11440300MB2C92052X".to_owned(),
            "1".to_owned(),
            format!("{city}市场监督管理局"),
            "11440300MB2C92052X".to_owned(),
            String::new(),
            format!("{}.{:02}", r % 100_000, r % 100),
            i.to_string(),
        ];
        line.push_str(&fields.join(","));
        line.push('\n');
        if gb {
            let (bytes, _, _) = encoding_rs::GB18030.encode(&line);
            out.write_all(&bytes)?;
        } else {
            out.write_all(line.as_bytes())?;
        }
    }
    out.flush()?;
    println!("wrote {rows} rows to {}", path.display());
    Ok(())
}

fn generate_xlsx(path: &Path, rows: u32) -> Result<(), Box<dyn std::error::Error>> {
    let csv_path = path.with_extension("tmp.csv");
    generate(&csv_path, u64::from(rows), false)?;
    let mut reader = Reader::open_path(
        &csv_path,
        Some(chengxin_collect::Format::Csv),
        Limits::default(),
    )?;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet();
    for (c, h) in reader.headers().iter().enumerate() {
        sheet.write_string(0, u16::try_from(c)?, h)?;
    }
    let mut row = Row::default();
    let mut r = 1u32;
    while reader.read_row(&mut row)? {
        for (c, cell) in row.cells.iter().enumerate() {
            let c = u16::try_from(c)?;
            if cell.is_empty() {
                continue;
            }
            if let Ok(n) = cell.parse::<f64>() {
                sheet.write_number(r, c, n)?;
            } else if cell.len() == 10 && cell.as_bytes().get(4) == Some(&b'-') {
                let y: u16 = cell.get(0..4).unwrap_or("2024").parse()?;
                let m: u8 = cell.get(5..7).unwrap_or("01").parse()?;
                let d: u8 = cell.get(8..10).unwrap_or("01").parse()?;
                let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d)?;
                sheet.write_datetime_with_format(r, c, &dt, &date)?;
            } else {
                sheet.write_string(r, c, cell)?;
            }
        }
        r += 1;
    }
    workbook.save(path)?;
    std::fs::remove_file(&csv_path)?;
    println!("wrote {} rows to {}", r - 1, path.display());
    Ok(())
}
