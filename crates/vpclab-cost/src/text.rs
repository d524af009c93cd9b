//! The estimate as people read it: a table of lines (component, quantity, unit price,
//! monthly), the total, then each flow's what-if, the notes and where the prices come from.

use std::fmt;

use crate::estimate::{Estimate, FlowCost, Line, Outcome, TrafficSource};
use crate::money::{Usd, quantity_text};

/// The widest a component column grows; a longer label takes a line of its own.
const LABEL_WIDTH: usize = 72;

enum Row<'a> {
    Heading(String),
    Line(&'a Line, usize),
    Total(Usd),
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = if self.hours == rust_decimal::Decimal::from(730) {
            "a month (730 h)".to_owned()
        } else {
            format!("{} h", quantity_text(self.hours))
        };
        writeln!(
            f,
            "What account {} pays in {} over {period}, at AWS list prices of {}",
            self.account, self.region, self.prices.date
        )?;
        match (self.traffic, self.flows.len()) {
            (TrafficSource::Stated, n) => writeln!(f, "Traffic: {} stated.", flows(n))?,
            (TrafficSource::Observed, 0) => writeln!(
                f,
                "Traffic: the data plane has carried nothing for this account's instances yet; fixed charges only."
            )?,
            (TrafficSource::Observed, n) => writeln!(
                f,
                "Traffic: {} the data plane carried for this account's instances, each scaled from what was observed to {} h.",
                flows(n),
                quantity_text(self.hours)
            )?,
        }
        writeln!(f)?;

        let mut rows: Vec<Row<'_>> = self
            .lines
            .iter()
            .filter(|l| l.flow.is_none())
            .map(|l| Row::Line(l, 0))
            .collect();
        for flow in &self.flows {
            rows.push(Row::Heading(heading(flow)));
            rows.extend(
                self.lines
                    .iter()
                    .filter(|l| l.flow == Some(flow.number))
                    .map(|l| Row::Line(l, 2)),
            );
        }
        rows.push(Row::Total(self.total));
        table(f, &rows)?;

        if !self.billed_to_others.is_empty() {
            writeln!(
                f,
                "\nBilled to other accounts for this account's flows (not in the total):"
            )?;
            let rows: Vec<Row<'_>> = self
                .billed_to_others
                .iter()
                .map(|l| Row::Line(l, 2))
                .collect();
            table(f, &rows)?;
        }

        for flow in &self.flows {
            let Some(w) = &flow.what_if else { continue };
            writeln!(
                f,
                "\nWhat if — flow {}: {} GB a month from {} to {} in {}",
                flow.number,
                quantity_text(flow.gb_per_month + flow.gb_back_per_month),
                flow.from,
                w.service,
                w.service_region
            )?;
            for o in &w.options {
                let marker = if o.way == w.now { "now " } else { "    " };
                let cheapest = if o.way == w.cheapest && o.available {
                    "  ← cheapest"
                } else {
                    ""
                };
                let money = o.monthly.map_or_else(|| "—".to_owned(), |m| m.to_string());
                writeln!(
                    f,
                    "  {marker}{:<20}{money:>12}  {}{cheapest}",
                    o.way.name(),
                    o.detail
                )?;
            }
            if w.saving == Usd::ZERO {
                writeln!(
                    f,
                    "  The lab already takes the cheapest way ({}).",
                    w.now.name()
                )?;
            } else {
                writeln!(
                    f,
                    "  A {} instead of the {} saves {} a month.",
                    w.cheapest.name(),
                    w.now.name(),
                    w.saving
                )?;
            }
        }

        if !self.notes.is_empty() {
            writeln!(f, "\nNotes:")?;
            for n in &self.notes {
                writeln!(f, "  - {n}")?;
            }
        }
        let mut sources: Vec<&str> = self
            .prices
            .all()
            .iter()
            .map(|(_, p)| p.source.as_str())
            .collect();
        sources.sort();
        sources.dedup();
        writeln!(
            f,
            "\nPrices: the {} price file of {}, from {}",
            self.prices.region,
            self.prices.date,
            sources.join(", ")
        )
    }
}

fn flows(n: usize) -> String {
    if n == 1 {
        "1 flow".into()
    } else {
        format!("{n} flows")
    }
}

fn heading(flow: &FlowCost) -> String {
    let mut s = format!(
        "flow {}: {} → {}:{} {}, {} GB out + {} GB back a month",
        flow.number,
        flow.from,
        flow.to,
        flow.port,
        flow.protocol,
        quantity_text(flow.gb_per_month),
        quantity_text(flow.gb_back_per_month)
    );
    if let Some(o) = &flow.observed {
        s.push_str(&format!(
            " (observed: {} B out + {} B back in {} over {} s, × {})",
            quantity_text(o.bytes_out.into()),
            quantity_text(o.bytes_in.into()),
            if o.connections == 1 {
                "1 connection".to_owned()
            } else {
                format!("{} connections", o.connections)
            },
            quantity_text(o.seconds),
            quantity_text(o.scale)
        ));
    }
    match &flow.outcome {
        Outcome::Delivered { destination, via } if via.is_empty() => {
            s.push_str(&format!(": delivered to {destination}"));
        }
        Outcome::Delivered { destination, via } => {
            s.push_str(&format!(
                ": delivered to {destination} through {}",
                via.join(", ")
            ));
        }
        Outcome::Refused {
            code,
            component,
            explanation,
        } => s.push_str(&format!(
            ": REFUSED at {component} ({code}): {explanation} — costs nothing"
        )),
    }
    s
}

fn table(f: &mut fmt::Formatter<'_>, rows: &[Row<'_>]) -> fmt::Result {
    let label =
        |l: &Line, indent: usize| format!("{}{} {}", " ".repeat(indent), l.item, l.component);
    let width = rows
        .iter()
        .filter_map(|r| match r {
            Row::Line(l, indent) => Some(label(l, *indent).chars().count()),
            _ => None,
        })
        .filter(|w| *w <= LABEL_WIDTH)
        .max()
        .unwrap_or(20)
        .max("component".len());
    writeln!(
        f,
        "{:<width$}  {:>14}  {:>14}  {:>12}",
        "component", "quantity", "unit price", "monthly"
    )?;
    for row in rows {
        match row {
            Row::Heading(text) => writeln!(f, "{text}")?,
            Row::Line(l, indent) => {
                let text = label(l, *indent);
                let quantity = format!("{} {}", quantity_text(l.quantity), l.unit);
                let price = format!("{}/{}", l.unit_price.price_text(), l.unit);
                if text.chars().count() > width {
                    writeln!(f, "{text}")?;
                    writeln!(
                        f,
                        "{:<width$}  {quantity:>14}  {price:>14}  {:>12}",
                        "",
                        l.monthly.to_string()
                    )?;
                } else {
                    writeln!(
                        f,
                        "{text:<width$}  {quantity:>14}  {price:>14}  {:>12}",
                        l.monthly.to_string()
                    )?;
                }
            }
            Row::Total(total) => {
                writeln!(f, "{}", "-".repeat(width + 46))?;
                writeln!(
                    f,
                    "{:<width$}  {:>14}  {:>14}  {:>12}",
                    "total",
                    "",
                    "",
                    total.to_string()
                )?;
            }
        }
    }
    Ok(())
}
