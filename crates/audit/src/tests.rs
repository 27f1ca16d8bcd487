#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn t(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap()
}

fn entry(i: i64) -> NewEntry {
    NewEntry {
        at: t(1_790_000_000_000_000 + i * 1_000),
        actor: format!("user{}", i % 3),
        role: "reviewer".into(),
        department: (i % 2 == 0).then(|| "信用办".into()),
        action: if i % 4 == 0 {
            "subject.read_private".into()
        } else {
            "subject.update".into()
        },
        target: Some(format!("91350100M000100Y4{}", i % 10)),
        purpose: (i % 3 != 0).then(|| "行政许可审查".into()),
        request_id: format!("req-{i}"),
        outcome: if i % 5 == 0 {
            Outcome::Refused
        } else {
            Outcome::Allowed
        },
        detail: None,
    }
}

fn chain(entries: Vec<NewEntry>) -> Vec<Entry> {
    let mut head = Head::EMPTY;
    entries
        .into_iter()
        .map(|e| {
            let sealed = head.append(e);
            head = Head::after(&sealed);
            sealed
        })
        .collect()
}

/// Reads canonical bytes back: proves the encoding is injective (decode ∘ encode = id).
fn decode(bytes: &[u8]) -> Option<(Hash, i64, NewEntry)> {
    struct R<'a>(&'a [u8]);
    impl<'a> R<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            if self.0.len() < n {
                return None;
            }
            let (a, b) = self.0.split_at(n);
            self.0 = b;
            Some(a)
        }
        fn i64(&mut self) -> Option<i64> {
            Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
        }
        fn text(&mut self) -> Option<String> {
            let n = u64::from_be_bytes(self.take(8)?.try_into().ok()?);
            String::from_utf8(self.take(usize::try_from(n).ok()?)?.to_vec()).ok()
        }
        fn opt(&mut self) -> Option<Option<String>> {
            match self.take(1)?[0] {
                0 => Some(None),
                1 => Some(Some(self.text()?)),
                _ => None,
            }
        }
    }
    let mut r = R(bytes);
    if r.take(DOMAIN.len())? != DOMAIN {
        return None;
    }
    let prev = Hash(r.take(32)?.try_into().ok()?);
    let seq = r.i64()?;
    let at = DateTime::from_timestamp_micros(r.i64()?)?;
    let e = NewEntry {
        at,
        actor: r.text()?,
        role: r.text()?,
        department: r.opt()?,
        action: r.text()?,
        target: r.opt()?,
        purpose: r.opt()?,
        request_id: r.text()?,
        outcome: Outcome::parse(&r.text()?)?,
        detail: r.opt()?,
    };
    r.0.is_empty().then_some((prev, seq, e))
}

#[test]
fn hash_hex_round_trip_and_strictness() {
    let h = entry_hash(&Hash::GENESIS, 1, &entry(1));
    let s = h.to_string();
    assert_eq!(s.len(), 64);
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(s.parse::<Hash>().unwrap(), h);
    assert_eq!(Hash::GENESIS.to_string(), "0".repeat(64));
    assert_eq!(
        s.to_ascii_uppercase().parse::<Hash>(),
        Err(HashParseError::Digit(
            s.find(|c: char| c.is_ascii_alphabetic()).unwrap()
        ))
    );
    assert_eq!("abc".parse::<Hash>(), Err(HashParseError::Length(3)));
}

#[test]
fn known_answer() {
    // Pins the encoding: changing field order, prefixes or the domain tag changes this value,
    // which would orphan every stored chain.
    let e = NewEntry {
        at: t(0),
        actor: "a".into(),
        role: "r".into(),
        department: None,
        action: "x".into(),
        target: None,
        purpose: None,
        request_id: "q".into(),
        outcome: Outcome::Allowed,
        detail: None,
    };
    let bytes = canonical_bytes(&Hash::GENESIS, 1, &e);
    assert_eq!(
        bytes.len(),
        DOMAIN.len() + 32 + 8 + 8 + 9 + 9 + 1 + 9 + 1 + 1 + 9 + 15 + 1
    );
    let direct = Hash(Sha256::digest(&bytes).into());
    assert_eq!(entry_hash(&Hash::GENESIS, 1, &e), direct);
    // Computed independently from the documented encoding (Python hashlib + struct).
    assert_eq!(
        direct.to_string(),
        "157558948aabacfa3afdbfe53318202d362268249c5d2f64b297cae30655adea"
    );
}

#[test]
fn long_fields_hash_like_their_canonical_bytes() {
    let mut e = entry(3);
    e.detail = Some("长".repeat(1000));
    e.actor = "x".repeat(600);
    let direct = Hash(Sha256::digest(canonical_bytes(&Hash::GENESIS, 9, &e)).into());
    assert_eq!(entry_hash(&Hash::GENESIS, 9, &e), direct);
}

#[test]
fn intact_chain_verifies() {
    let c = chain((1..=50).map(entry).collect());
    assert_eq!(verify(c.clone()), Ok(50));
    assert_eq!(verify(Vec::new()), Ok(0));
    // A suffix verifies from its predecessor.
    assert_eq!(verify_from(c[19].hash, 21, c[20..].to_vec()), Ok(30));
    let mut v = Verifier::new();
    for e in &c {
        v.push(e).unwrap();
    }
    assert_eq!(v.head(), Head::after(&c[49]));
    assert_eq!(v.finish(Head::after(&c[49])), Ok(50));
}

#[test]
fn changed_inserted_deleted_reordered_are_named() {
    let c = chain((1..=10).map(entry).collect());

    let mut changed = c.clone();
    changed[4].entry.purpose = Some("好奇".into());
    let b = verify(changed).unwrap_err();
    assert_eq!(b.seq, 5);
    assert!(matches!(b.reason, BreakReason::HashMismatch { .. }));
    assert!(b.to_string().starts_with("audit entry 5: "), "{b}");

    // A forged entry slipped in at 4 with a correct hash of its own; later ones renumbered.
    let mut inserted: Vec<Entry> = c[..3].to_vec();
    inserted.push(Head::after(&c[2]).append(entry(99)));
    for e in &c[3..] {
        let mut e = e.clone();
        e.seq += 1;
        inserted.push(e);
    }
    let b = verify(inserted).unwrap_err();
    assert_eq!(b.seq, 5);
    assert!(
        matches!(b.reason, BreakReason::PrevHashMismatch { .. }),
        "{b}"
    );

    let mut deleted = c.clone();
    deleted.remove(6);
    let b = verify(deleted).unwrap_err();
    assert_eq!(
        (b.seq, b.reason),
        (
            8,
            BreakReason::SeqGap {
                expected: 7,
                found: 8
            }
        )
    );

    // Deleted and renumbered: the link gives it away.
    let mut renumbered = c.clone();
    renumbered.remove(6);
    for e in &mut renumbered[6..] {
        e.seq -= 1;
    }
    let b = verify(renumbered).unwrap_err();
    assert_eq!(b.seq, 7);
    assert!(matches!(b.reason, BreakReason::PrevHashMismatch { .. }));

    // Two entries swapped, numbers swapped with them so the numbering looks right.
    let mut swapped = c.clone();
    swapped.swap(2, 3);
    swapped[2].seq = 3;
    swapped[3].seq = 4;
    let b = verify(swapped).unwrap_err();
    assert_eq!(b.seq, 3);
    assert!(matches!(b.reason, BreakReason::PrevHashMismatch { .. }));

    // Deleted tail: only the head shows it.
    let mut v = Verifier::new();
    for e in &c[..8] {
        v.push(e).unwrap();
    }
    let b = v.clone().finish(Head::after(&c[9])).unwrap_err();
    assert_eq!(
        (b.seq, b.reason),
        (
            9,
            BreakReason::Truncated {
                head_seq: 10,
                last_seq: 8
            }
        )
    );
    let b = v.clone().finish(Head::after(&c[6])).unwrap_err();
    assert_eq!(
        (b.seq, b.reason),
        (8, BreakReason::BeyondHead { head_seq: 7 })
    );
    let b = v
        .finish(Head {
            seq: 8,
            hash: c[6].hash,
        })
        .unwrap_err();
    assert_eq!(b.seq, 8);
    assert!(matches!(b.reason, BreakReason::HeadHashMismatch { .. }));
    let b = Verifier::new().finish(Head::after(&c[0])).unwrap_err();
    assert_eq!(b.seq, 1);
}

#[test]
fn refusals_are_entries_like_any_other() {
    let mut e = entry(1);
    e.outcome = Outcome::Refused;
    let mut allowed = e.clone();
    allowed.outcome = Outcome::Allowed;
    assert_ne!(
        entry_hash(&Hash::GENESIS, 1, &e),
        entry_hash(&Hash::GENESIS, 1, &allowed)
    );
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
    }
    assert_eq!(Outcome::parse("ALLOWED"), None);
}

#[test]
fn sub_microseconds_are_cut_before_hashing() {
    let mut e = entry(1);
    e.at = DateTime::from_timestamp(1_790_000_000, 123_456_789).unwrap();
    let sealed = Head::EMPTY.append(e.clone());
    assert_eq!(sealed.entry.at.timestamp_subsec_nanos(), 123_456_000);
    assert_eq!(verify([sealed]), Ok(1));
}

#[test]
fn field_boundaries_cannot_shift() {
    let base = entry(1);
    let mut a = base.clone();
    a.actor = "ab".into();
    a.role = "c".into();
    let mut b = base.clone();
    b.actor = "a".into();
    b.role = "bc".into();
    assert_ne!(
        canonical_bytes(&Hash::GENESIS, 1, &a),
        canonical_bytes(&Hash::GENESIS, 1, &b)
    );
    let mut none = base.clone();
    none.department = None;
    let mut empty = base.clone();
    empty.department = Some(String::new());
    assert_ne!(
        entry_hash(&Hash::GENESIS, 1, &none),
        entry_hash(&Hash::GENESIS, 1, &empty)
    );
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-c\\u{4e00}-\\u{4e02}]{0,4}")
}

prop_compose! {
    fn arb_entry()(
        micros in -4_000_000_000_000_000i64..4_000_000_000_000_000,
        actor in "[a-c]{0,4}",
        role in "[a-c]{0,3}",
        department in opt_text(),
        action in "[a-c.]{0,4}",
        target in opt_text(),
        purpose in opt_text(),
        request_id in "[a-c0-9]{0,4}",
        outcome in prop::sample::select(Outcome::ALL.to_vec()),
        detail in opt_text(),
    ) -> NewEntry {
        NewEntry {
            at: t(micros),
            actor, role, department, action, target, purpose, request_id, outcome, detail,
        }
    }
}

/// Changes field `f` of `e` (its entry, place or hashes) to a different value.
fn tamper(e: &mut Entry, f: usize) {
    fn flip(s: &mut String) {
        if s.ends_with('x') {
            s.pop();
        } else {
            s.push('x');
        }
    }
    fn flip_opt(s: &mut Option<String>) {
        *s = match s.take() {
            None => Some(String::new()),
            Some(v) if v.is_empty() => None,
            Some(mut v) => {
                flip(&mut v);
                Some(v)
            }
        };
    }
    let n = &mut e.entry;
    match f {
        0 => n.at += chrono::TimeDelta::microseconds(1),
        1 => flip(&mut n.actor),
        2 => flip(&mut n.role),
        3 => flip_opt(&mut n.department),
        4 => flip(&mut n.action),
        5 => flip_opt(&mut n.target),
        6 => flip_opt(&mut n.purpose),
        7 => flip(&mut n.request_id),
        8 => {
            n.outcome = match n.outcome {
                Outcome::Allowed => Outcome::Refused,
                Outcome::Refused => Outcome::Failed,
                Outcome::Failed => Outcome::Allowed,
            }
        }
        9 => flip_opt(&mut n.detail),
        10 => e.prev_hash.0[31] ^= 1,
        _ => e.hash.0[0] ^= 0x80,
    }
}

proptest! {
    #[test]
    fn any_single_field_change_breaks_at_that_entry(
        entries in prop::collection::vec(arb_entry(), 1..20),
        pick in any::<prop::sample::Index>(),
        field in 0usize..12,
    ) {
        let mut c = chain(entries);
        let i = pick.index(c.len());
        prop_assert_eq!(verify(c.clone()), Ok(c.len() as u64));
        tamper(&mut c[i], field);
        let b = verify(c).unwrap_err();
        prop_assert_eq!(b.seq, i as i64 + 1);
    }

    #[test]
    fn a_changed_seq_breaks_at_that_entry(
        entries in prop::collection::vec(arb_entry(), 1..20),
        pick in any::<prop::sample::Index>(),
        delta in prop_oneof![-5i64..0, 1i64..5],
    ) {
        let mut c = chain(entries);
        let i = pick.index(c.len());
        c[i].seq += delta;
        let b = verify(c).unwrap_err();
        prop_assert_eq!(b.reason, BreakReason::SeqGap { expected: i as i64 + 1, found: i as i64 + 1 + delta });
    }

    #[test]
    fn encoding_is_injective(
        prev in any::<[u8; 32]>(),
        seq in any::<i64>(),
        e in arb_entry(),
    ) {
        let bytes = canonical_bytes(&Hash(prev), seq, &e);
        prop_assert_eq!(decode(&bytes), Some((Hash(prev), seq, e)));
    }

    #[test]
    fn text_split_between_neighbours_changes_the_hash(s in "[a-c]{0,8}", i in 0usize..9, j in 0usize..9) {
        let (i, j) = (i.min(s.len()), j.min(s.len()));
        prop_assume!(i != j);
        let mut a = entry(1);
        let mut b = entry(1);
        (a.actor, a.role) = (s[..i].to_string(), s[i..].to_string());
        (b.actor, b.role) = (s[..j].to_string(), s[j..].to_string());
        prop_assert_ne!(entry_hash(&Hash::GENESIS, 1, &a), entry_hash(&Hash::GENESIS, 1, &b));
        let (mut c, mut d) = (entry(2), entry(2));
        (c.request_id, c.detail) = (s[..i].to_string(), Some(s[i..].to_string()));
        (d.request_id, d.detail) = (s[..j].to_string(), Some(s[j..].to_string()));
        prop_assert_ne!(canonical_bytes(&Hash::GENESIS, 1, &c), canonical_bytes(&Hash::GENESIS, 1, &d));
    }
}

/// What a caller typed is stored masked and bounded: a failed sign-in with an ID number as the
/// user name, a refused path naming one, a megabyte user name (found by QA: one request could
/// add a megabyte to the log, and auditors read full ID numbers there).
#[test]
fn entries_are_masked_and_bounded() {
    let id = "520623200110291888";
    let mut e = entry(1);
    e.actor = id.to_string();
    e.action = format!("GET /api/v1/subjects/{id}/records");
    e.target = Some(format!("subject:{id}"));
    e.purpose = Some("核实 13812345678".into());
    e.detail = Some(format!("no subject {id}"));
    let n = e.normalized();
    for text in [
        n.actor.as_str(),
        n.action.as_str(),
        n.target.as_deref().unwrap(),
        n.detail.as_deref().unwrap(),
    ] {
        assert!(!text.contains(id), "{text}");
        assert!(text.contains("5206"), "masked, not dropped: {text}");
    }
    assert!(!n.purpose.as_deref().unwrap().contains("13812345678"));
    // Codes of organisations are not personal: kept.
    let mut e = entry(2);
    e.target = Some("91350100M000100Y43".into());
    assert_eq!(e.clone().normalized().target, e.target);

    let mut e = entry(3);
    e.actor = "y".repeat(1_000_000);
    e.detail = Some(format!("{}{id}", "说".repeat(10_000)));
    let n = e.normalized();
    assert_eq!(n.actor.chars().count(), limits::ACTOR);
    assert!(
        n.actor
            .ends_with("共 1000000 字符 / cut, 1000000 characters]")
    );
    assert!(n.detail.as_deref().unwrap().chars().count() <= limits::DETAIL);
    // Applied again, nothing changes: what is stored is what is hashed and verified.
    assert_eq!(n.clone().normalized(), n);
}

proptest! {
    #[test]
    fn normalizing_twice_changes_nothing(actor in ".{0,300}", detail in ".{0,5000}") {
        let mut e = entry(4);
        e.actor = actor;
        e.detail = Some(detail);
        let once = e.normalized();
        prop_assert_eq!(once.clone().normalized(), once.clone());
        prop_assert!(once.actor.chars().count() <= limits::ACTOR);
    }
}
