//! Money as exact decimals. A price is a decimal string in its file ("0.0225"), a quantity
//! a decimal, and their product exact (28 significant digits): 730 h × $0.045 is $32.85,
//! never 32.849999…. Amounts are rounded only when shown (to the cent), and in JSON they
//! are decimal strings, so nothing is lost on the way.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

/// An exact amount of US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(pub Decimal);

impl Usd {
    /// Nothing.
    pub const ZERO: Usd = Usd(Decimal::ZERO);

    /// `quantity` units at `price` each.
    pub fn times(price: Usd, quantity: Decimal) -> Usd {
        Usd(price.0 * quantity)
    }

    /// The amount rounded to the cent (half away from zero), for people.
    pub fn cents(self) -> Decimal {
        self.0
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    }

    /// A unit price as written in its file (`$0.0225`), with at least two decimals.
    pub fn price_text(self) -> String {
        let mut d = self.0.normalize();
        if d.scale() < 2 {
            d.rescale(2);
        }
        format!("${d}")
    }
}

impl fmt::Display for Usd {
    /// `$1,234.57`: rounded to the cent, thousands separated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut cents = self.cents();
        cents.rescale(2);
        let text = cents.abs().to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if cents.is_sign_negative() && !cents.is_zero() {
            "-"
        } else {
            ""
        };
        f.pad(&format!("{sign}${grouped}.{fraction}"))
    }
}

impl Serialize for Usd {
    /// The exact amount as a decimal string (`"32.85"`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.normalize().to_string())
    }
}

impl Add for Usd {
    type Output = Usd;
    fn add(self, other: Usd) -> Usd {
        Usd(self.0 + other.0)
    }
}

impl Sub for Usd {
    type Output = Usd;
    fn sub(self, other: Usd) -> Usd {
        Usd(self.0 - other.0)
    }
}

impl Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd::ZERO, Add::add)
    }
}

/// Serializes a quantity as its shortest exact decimal string (`"730"`, `"1000.5"`).
pub(crate) fn decimal_text<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.normalize().to_string())
}

/// A quantity for people: at most three decimals, thousands separated (`1,000.5`).
pub(crate) fn quantity_text(d: Decimal) -> String {
    let d = d
        .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let text = d.abs().to_string();
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_owned(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("a decimal")
    }

    #[test]
    fn products_are_exact_and_round_only_for_display() {
        // 730 × 0.045 = 32.85 exactly; 730 × 0.0225 = 16.425, shown as $16.43.
        assert_eq!(Usd::times(Usd(d("0.045")), d("730")).0, d("32.85"));
        let nlb = Usd::times(Usd(d("0.0225")), d("730"));
        assert_eq!(nlb.0, d("16.425"));
        assert_eq!(nlb.to_string(), "$16.43");
        assert_eq!(Usd(d("1234567.891")).to_string(), "$1,234,567.89");
        assert_eq!(Usd(d("0")).to_string(), "$0.00");
        assert_eq!(Usd(d("0.0225")).price_text(), "$0.0225");
        assert_eq!(Usd(d("0.1")).price_text(), "$0.10");
        assert_eq!(quantity_text(d("1000.50")), "1,000.5");
        assert_eq!(quantity_text(d("730")), "730");
    }

    #[test]
    fn amounts_serialize_as_exact_decimal_strings() {
        let json = serde_json::to_string(&Usd(d("32.850"))).expect("json");
        assert_eq!(json, "\"32.85\"");
    }
}
