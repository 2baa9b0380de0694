//! Dates as editors write them: `2023-05-12` or RFC 3339 (`2023-05-12T09:30:00+08:00`).

use std::cmp::Ordering;
use std::fmt::Write;

/// A calendar date with an optional time of day and UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// Seconds since midnight, if a time was given.
    pub time: Option<u32>,
    /// Offset from UTC in minutes, if given (`Z` is 0).
    pub offset: Option<i32>,
}

/// Sites in this product are in China: a date without an offset is Beijing time.
const DEFAULT_OFFSET: i32 = 8 * 60;

/// Why a date was not accepted, in words an editor understands: the label under the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not `YYYY-MM-DD…` at all; carries the date in that form when we could tell what was meant
    /// (`2023/5/12`, `2023年5月12日`, `2023.5.12`, `20230512`).
    Format(Option<String>),
    Month(u32),
    Day {
        year: i32,
        month: u32,
        day: u32,
    },
    Time,
}

impl DateError {
    pub fn label(&self) -> String {
        match self {
            DateError::Format(Some(iso)) => format!("是不是想写 {iso}？"),
            DateError::Format(None) => "应为 YYYY-MM-DD".to_string(),
            DateError::Month(m) => format!("没有 {m} 月：月份只能是 01 到 12"),
            DateError::Day { year, month, day } => format!(
                "{year} 年 {month} 月没有 {day} 日（这个月只有 {} 天）",
                days_in_month(*year, *month)
            ),
            DateError::Time => "时间不对：小时 00–23，分钟 00–59".to_string(),
        }
    }
}

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        Date::check(text).ok()
    }

    /// Parses a date, or says what is wrong with it.
    pub fn check(text: &str) -> Result<Date, DateError> {
        let text = text.trim();
        let b = text.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Format(guess_iso(text)));
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = text.get(range).ok_or(DateError::Format(None))?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| DateError::Format(None))
            } else {
                Err(DateError::Format(None))
            }
        };
        let year = number(0..4)? as i32;
        let month = number(5..7)?;
        let day = number(8..10)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Day { year, month, day });
        }
        Date::time_of(text, year, month, day).ok_or(DateError::Time)
    }

    /// The rest of `text` after a valid `YYYY-MM-DD`: nothing, or a time and offset.
    fn time_of(text: &str, year: i32, month: u32, day: u32) -> Option<Date> {
        let mut date = Date {
            year,
            month,
            day,
            time: None,
            offset: None,
        };
        let rest = text.get(10..)?;
        if rest.is_empty() {
            return Some(date);
        }
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        let (clock, zone) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        let clock = clock.split('.').next()?;
        let mut parts = clock.split(':');
        let h: u32 = parts.next()?.parse().ok()?;
        let m: u32 = parts.next()?.parse().ok()?;
        let s: u32 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
        if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
            return None;
        }
        // A leap second (`23:59:60`) is kept inside its day, so written back it is still valid.
        date.time = Some(h * 3600 + m * 60 + s.min(59));
        date.offset = match zone {
            None => None,
            Some(z) if z.eq_ignore_ascii_case("z") => Some(0),
            Some(z) => {
                let sign = if z.starts_with('-') { -1 } else { 1 };
                let z = z.get(1..)?;
                // `+08:00`, `+0800` or `+08`: digits only, so `+-10` is not an offset.
                let (oh, om) = match z.split_once(':') {
                    Some(parts) => parts,
                    None if z.len() == 4 => (z.get(..2)?, z.get(2..)?),
                    None => (z, "00"),
                };
                let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
                if !two_digits(oh) || !two_digits(om) {
                    return None;
                }
                let (oh, om): (i32, i32) = (oh.parse().ok()?, om.parse().ok()?);
                if oh > 23 || om > 59 {
                    return None;
                }
                Some(sign * (oh * 60 + om))
            }
        };
        Some(date)
    }

    /// `2023-05-12`
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `2023年5月12日`
    pub fn display(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// RFC 3339 with an explicit offset, for feeds and sitemaps.
    pub fn rfc3339(&self) -> String {
        let t = self.time.unwrap_or(0);
        let off = self.offset.unwrap_or(DEFAULT_OFFSET);
        let mut out = format!(
            "{}T{:02}:{:02}:{:02}",
            self.iso(),
            t / 3600,
            t / 60 % 60,
            t % 60
        );
        if off == 0 {
            out.push('Z');
        } else {
            let sign = if off < 0 { '-' } else { '+' };
            let _ = write!(out, "{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60);
        }
        out
    }

    /// Seconds since the Unix epoch, for ordering dates written with different offsets.
    pub fn timestamp(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = i64::from(self.time.unwrap_or(0));
        let off = i64::from(self.offset.unwrap_or(DEFAULT_OFFSET)) * 60;
        days * 86_400 + secs - off
    }

    /// Today's date in Beijing time, for scaffolds.
    pub fn today() -> Date {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
            + i64::from(DEFAULT_OFFSET) * 60;
        let (year, month, day) = civil_from_days(now.div_euclid(86_400));
        Date {
            year,
            month,
            day,
            time: None,
            offset: None,
        }
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        self.timestamp().cmp(&other.timestamp())
    }
}

/// `2023/5/12`, `2023.5.12`, `2023年5月12日`, `2023-5-12` or `20230512` as `2023-05-12`, if it
/// is a real date.
fn guess_iso(text: &str) -> Option<String> {
    let parts: Vec<&str> = text
        .trim_end_matches('日')
        .split(['/', '.', '-', '年', '月'])
        .collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] => (*y, *m, *d),
        [all] if all.len() == 8 => (all.get(0..4)?, all.get(4..6)?, all.get(6..8)?),
        _ => return None,
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|c| c.is_ascii_digit());
    if !(digits(y) && y.len() == 4 && digits(m) && m.len() <= 2 && digits(d) && d.len() <= 2) {
        return None;
    }
    let iso = format!("{y}-{m:0>2}-{d:0>2}");
    Date::check(&iso).is_ok().then_some(iso)
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_parse_and_order_across_offsets() {
        let a = Date::parse("2023-05-12").unwrap();
        let b = Date::parse("2023-05-12T09:30:00+08:00").unwrap();
        let c = Date::parse("2023-05-12T01:00:00Z").unwrap();
        assert_eq!(a.display(), "2023年5月12日");
        assert_eq!(b.rfc3339(), "2023-05-12T09:30:00+08:00");
        assert_eq!(a.rfc3339(), "2023-05-12T00:00:00+08:00");
        assert!(a < c && c < b);
        assert!(Date::parse("2023-02-30").is_none());
        assert!(Date::parse("2023/05/12").is_none());
        assert!(Date::parse("2023-05-12T25:00:00Z").is_none());
    }

    #[test]
    fn impossible_dates_say_what_is_wrong() {
        assert_eq!(Date::check("2022-13-45"), Err(DateError::Month(13)));
        assert_eq!(
            Date::check("2023-02-29"),
            Err(DateError::Day {
                year: 2023,
                month: 2,
                day: 29
            })
        );
        assert!(Date::check("2024-02-29").is_ok());
        assert_eq!(
            Date::check("2023/5/12"),
            Err(DateError::Format(Some("2023-05-12".into())))
        );
        assert_eq!(
            Date::check("2023年5月12日"),
            Err(DateError::Format(Some("2023-05-12".into())))
        );
        assert_eq!(
            Date::check("2023-5-12"),
            Err(DateError::Format(Some("2023-05-12".into())))
        );
        assert_eq!(Date::check("2023-05-12T25:00"), Err(DateError::Time));
        assert_eq!(Date::check("下周一"), Err(DateError::Format(None)));
        // Multi-byte text where the digits should be must not slice inside a character.
        assert_eq!(Date::check("2023-0月-12"), Err(DateError::Format(None)));
        assert_eq!(Date::check("2023-05-12T09:00+"), Err(DateError::Time));
        assert!(Date::check("+123-05-12").is_err());
        // Found by the `urls` fuzz target: a sign inside the offset was read as a negative
        // number, and the feed then wrote an offset of -1003 hours.
        assert_eq!(Date::check("2023-06-12T0:23+-1003"), Err(DateError::Time));
        assert_eq!(
            Date::check("2016-12-31T23:59:60Z").map(|d| d.rfc3339()),
            Ok("2016-12-31T23:59:59Z".to_string())
        );
        assert_eq!(
            Date::check("2023-05-12T09:30+0800").map(|d| d.rfc3339()),
            Ok("2023-05-12T09:30:00+08:00".to_string())
        );
    }

    #[test]
    fn civil_round_trip() {
        for days in [-1000, 0, 19_000, 20_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
