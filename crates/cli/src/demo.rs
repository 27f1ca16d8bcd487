//! Synthetic demo data: plausible subjects of one city (福州市) with valid codes.
//! Every code is generated and checksummed; none is meant to be a real subject's code.

use chengxin_codes::{generate, generate::Rng, region};
use chengxin_registry::{Provenance, SubjectData, SubjectKind, SubjectStatus};
use chrono::{Days, NaiveDate};
use std::collections::HashSet;

/// The demo department's USCC: 福州市市场监督管理局 (a generated code with a valid check
/// character; authority 1 机构编制, category 1 机关, region 350100).
pub const DEPARTMENT_USCC: &str = "11350100MB0000019U";

/// The demo city: 福州市 (GB/T 2260 350100).
pub const CITY_PREFIX: u32 = 3501;
const CITY: &str = "福州";

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "叶", "杜", "苏", "魏", "程", "吕", "丁", "沈",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "华", "建国", "志强", "海燕", "晓东", "丽华", "文博",
    "子涵", "宇航", "思远", "雨欣", "浩然", "佳怡", "俊杰", "美玲", "国庆", "春梅", "德华",
];
const BRAND: &[&str] = &[
    "恒", "信", "诚", "达", "鑫", "盛", "瑞", "祥", "泰", "华", "兴", "隆", "海", "峰", "锦", "正",
    "宏", "远", "嘉", "安", "康", "源", "丰", "益", "博", "通", "捷", "联", "创", "新", "智", "慧",
    "闽", "榕", "江", "山", "德", "和", "润", "晟", "昌", "荣", "凯", "腾", "宇", "辰", "明", "光",
];
const TRADE: &[&str] = &[
    "科技",
    "信息技术",
    "网络科技",
    "电子",
    "软件",
    "贸易",
    "商贸",
    "进出口",
    "建筑工程",
    "建设",
    "装饰工程",
    "物流",
    "供应链",
    "餐饮管理",
    "食品",
    "医药",
    "医疗器械",
    "环保科技",
    "新能源",
    "机械设备",
    "纺织",
    "服装",
    "茶业",
    "文化传媒",
    "广告",
    "教育咨询",
    "企业管理",
    "物业管理",
    "房地产开发",
    "汽车销售",
    "劳务",
    "安全技术",
    "检测技术",
    "农业发展",
    "水产",
    "旅游",
];
const FORM: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "股份有限公司",
    "有限责任公司",
];
const SHOP: &[&str] = &[
    "小吃店",
    "便利店",
    "五金店",
    "理发店",
    "水果店",
    "茶叶店",
    "服装店",
    "汽车修理店",
    "快餐店",
    "日用品店",
    "通讯器材店",
    "药店",
    "副食店",
    "鱼丸店",
    "干洗店",
    "粮油店",
];
const AGENCY: &[&str] = &[
    "市场监督管理局",
    "税务局",
    "生态环境局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "交通运输局",
    "卫生健康委员会",
    "应急管理局",
    "文化和旅游局",
    "商务局",
    "农业农村局",
    "自然资源和规划局",
    "城市管理委员会",
    "发展和改革委员会",
    "司法局",
    "教育局",
];

/// The demo city's current districts and counties.
fn districts() -> Vec<&'static region::Region> {
    let d: Vec<_> = region::current()
        .filter(|r| r.code / 100 == CITY_PREFIX && r.code % 100 != 0 && !r.name.contains("市辖区"))
        .collect();
    if d.is_empty() {
        region::current().take(1).collect()
    } else {
        d
    }
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items.get(rng.index(items.len())).copied().unwrap_or("")
}

fn person_name(rng: &mut Rng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

fn date_between(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0) as u64;
    from + Days::new(rng.below(span + 1))
}

/// `n` demo subjects, deterministic for a seed, with unique codes.
pub fn subjects(n: usize, seed: u64, today: NaiveDate) -> Vec<(SubjectData, Provenance)> {
    let mut rng = Rng::new(seed);
    let districts = districts();
    let mut used = HashSet::with_capacity(n * 2);
    let start = NaiveDate::from_ymd_opt(1995, 1, 1).unwrap_or(today);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let district = districts[rng.index(districts.len())];
        let dcode = format!("{:06}", district.code);
        let roll = rng.below(100);
        let kind = match roll {
            0..=68 => SubjectKind::LegalPerson,
            69..=73 => SubjectKind::Unincorporated,
            74..=92 => SubjectKind::IndividualBusiness,
            93 => SubjectKind::GovernmentBody,
            _ => SubjectKind::NaturalPerson,
        };
        let mut data = SubjectData::new(kind, "");
        match kind {
            SubjectKind::NaturalPerson => {
                data.name = person_name(&mut rng);
                data.citizen_id = Some(generate::citizen_id(&mut rng, today));
            }
            _ => {
                let pair = match kind {
                    SubjectKind::GovernmentBody => ('1', '1'),
                    SubjectKind::IndividualBusiness => ('9', '2'),
                    _ if rng.below(20) == 0 => ('5', '2'),
                    _ => ('9', '1'),
                };
                let seedcode = generate::uscc(&mut rng);
                let uscc =
                    generate::uscc_for_org(&mut rng, &seedcode[8..17], Some(&dcode), Some(pair))
                        .unwrap_or(seedcode);
                let brand = format!("{}{}", pick(&mut rng, BRAND), pick(&mut rng, BRAND));
                let dname = district.name;
                data.name = match (kind, pair) {
                    (SubjectKind::GovernmentBody, _) => {
                        format!("{CITY}市{dname}{}", pick(&mut rng, AGENCY))
                    }
                    (SubjectKind::IndividualBusiness, _) => format!(
                        "{dname}{}记{}",
                        pick(&mut rng, SURNAMES),
                        pick(&mut rng, SHOP)
                    ),
                    (SubjectKind::Unincorporated, _) if rng.below(2) == 0 => format!(
                        "{CITY}{brand}{}有限公司{dname}分公司",
                        pick(&mut rng, TRADE)
                    ),
                    (SubjectKind::Unincorporated, _) => {
                        format!("{CITY}{brand}{}合伙企业（有限合伙）", pick(&mut rng, TRADE))
                    }
                    (_, ('5', '2')) => format!("{CITY}市{dname}{brand}职业培训学校"),
                    _ => format!(
                        "{CITY}{brand}{}{}",
                        pick(&mut rng, TRADE),
                        pick(&mut rng, FORM)
                    ),
                };
                data.legal_rep_name = Some(person_name(&mut rng));
                data.legal_rep_id = Some(generate::citizen_id(&mut rng, today));
                data.registration_authority = Some(match kind {
                    SubjectKind::GovernmentBody => format!("{CITY}市委机构编制委员会办公室"),
                    _ if pair.0 == '5' => format!("{CITY}市{dname}民政局"),
                    _ => format!("{CITY}市{dname}市场监督管理局"),
                });
                if rng.below(100) < 3 {
                    data.status = SubjectStatus::Deregistered;
                } else if rng.below(100) < 1 {
                    data.status = SubjectStatus::Revoked;
                }
                data.uscc = Some(uscc);
                data.region_code = Some(dcode);
            }
        }
        let established = date_between(&mut rng, start, today);
        data.established = Some(established);
        let fresh = data
            .identifiers()
            .into_iter()
            .all(|(scheme, value)| used.insert((scheme, value)));
        if !fresh {
            continue;
        }
        out.push((
            data,
            Provenance {
                actor: "demo".into(),
                reason: "设立登记".into(),
                source: "demo data".into(),
                valid_from: established,
            },
        ));
    }
    out
}

/// Name changes for some demo companies, to show versions, former names and as-of lookups.
pub fn renames(
    subjects: &[(SubjectData, Provenance)],
    count: usize,
    seed: u64,
    today: NaiveDate,
) -> Vec<(String, SubjectData, Provenance)> {
    let mut rng = Rng::new(seed ^ 0x5EED);
    subjects
        .iter()
        .filter(|(d, _)| d.kind == SubjectKind::LegalPerson && d.uscc.is_some())
        .step_by(97)
        .take(count)
        .filter_map(|(d, p)| {
            let key = d.uscc.clone()?;
            let mut new = d.clone();
            let brand = format!("{}{}", pick(&mut rng, BRAND), pick(&mut rng, BRAND));
            new.name = format!(
                "{CITY}{brand}{}{}",
                pick(&mut rng, TRADE),
                pick(&mut rng, FORM)
            );
            let valid_from = date_between(&mut rng, p.valid_from, today);
            Some((
                key,
                new,
                Provenance {
                    actor: "demo".into(),
                    reason: "名称变更登记".into(),
                    source: "demo data".into(),
                    valid_from,
                },
            ))
        })
        .collect()
}

/// Demo licensing (行政许可) and penalty (行政处罚) decisions as 双公示 CSV files (field codes as
/// headers), about one decision per `every` subjects, including natural persons, decided over the
/// last two years so that some penalties are already past their publication window.
pub fn decisions_csv(
    subjects: &[(SubjectData, Provenance)],
    every: usize,
    seed: u64,
    today: NaiveDate,
) -> (String, String) {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut lic = String::from(
        "XK_XDR_MC,XK_XDR_LB,XK_XDR_SHXYM,XK_XDR_ZJHM,XK_XKWS,XK_WSH,XK_XKLB,XK_XKZS,XK_XKBH,XK_NR,XK_JDRQ,XK_YXQZ,XK_YXQZI,XK_XKJG,XK_XKJGDM\n",
    );
    let mut pen = String::from(
        "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM\n",
    );
    let licences = [
        ("普通", "食品经营许可证", "预包装食品销售（含冷藏冷冻食品）"),
        ("普通", "药品经营许可证", "中成药、化学药制剂零售"),
        ("特许", "道路运输经营许可证", "道路普通货物运输"),
        ("登记", "营业执照", "设立登记"),
    ];
    let penalties = [
        (
            "警告",
            "未按规定公示年度报告",
            "《企业信息公示暂行条例》第十条",
            "警告",
            "",
        ),
        (
            "罚款",
            "销售过期食品",
            "《中华人民共和国食品安全法》第一百二十四条",
            "罚款人民币五千元",
            "0.5",
        ),
        (
            "罚款",
            "发布虚假广告",
            "《中华人民共和国广告法》第五十五条",
            "罚款人民币二万元",
            "2",
        ),
        (
            "吊销许可证件",
            "伪造许可证件",
            "《中华人民共和国行政许可法》第八十条",
            "吊销食品经营许可证",
            "",
        ),
    ];
    let dept = DEPARTMENT_USCC;
    let authority = "福州市市场监督管理局";
    for (i, (d, _)) in subjects.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let person = d.kind == SubjectKind::NaturalPerson;
        let (category, uscc, id) = if person {
            (
                "自然人",
                String::new(),
                d.citizen_id.clone().unwrap_or_default(),
            )
        } else {
            (
                "法人及非法人组织",
                d.uscc.clone().unwrap_or_default(),
                String::new(),
            )
        };
        if !person && uscc.is_empty() {
            continue;
        }
        let days = 3 + rng.below(700) as i64;
        let decided = today - chrono::Duration::days(days);
        if i % (2 * every) == 0 {
            let (kind, cert, content) = licences[rng.index(licences.len())];
            let until = decided + chrono::Duration::days(5 * 365);
            lic.push_str(&format!(
                "{},{category},{uscc},{id},准予行政许可决定书,榕市监许〔{}〕{i}号,{kind},{cert},JY{:012},{content},{decided},{decided},{until},{authority},{dept}\n",
                d.name,
                decided.format("%Y"),
                i
            ));
        } else {
            let (kind, fact, basis, content, fine) = penalties[rng.index(penalties.len())];
            pen.push_str(&format!(
                "{},{category},{uscc},{id},榕市监罚〔{}〕{i}号,{fact},{fact},{basis},{kind},{content},{fine},{decided},{authority},{dept}\n",
                d.name,
                decided.format("%Y")
            ));
        }
    }
    (lic, pen)
}
