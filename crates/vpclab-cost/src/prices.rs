//! AWS's prices as data: one dated TOML file per region under `prices/`, embedded in the
//! binary, each price with its unit and the AWS page it comes from.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vpclab_model::Region;

use crate::err::CostError;
use crate::money::Usd;

/// The price files, by region. Adding a region is adding a file here.
const FILES: &[(&str, &str)] = &[
    ("us-east-1", include_str!("../prices/us-east-1.toml")),
    ("us-east-2", include_str!("../prices/us-east-2.toml")),
];

/// One price: how much, for what unit, and where AWS publishes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// US dollars per unit, exact (a decimal string in the file).
    #[serde(serialize_with = "crate::money::decimal_text")]
    pub usd: Decimal,
    /// What one unit is (`NAT gateway-hour`, `GB processed`).
    pub unit: String,
    /// The AWS page the figure comes from.
    pub source: String,
    /// How AWS applies it, where that matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a tiered price: the monthly quantity the first tier (this price) covers.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_decimal"
    )]
    pub first_tier_gb: Option<Decimal>,
}

fn optional_decimal<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => crate::money::decimal_text(d, s),
        None => s.serialize_none(),
    }
}

impl Price {
    /// The price as money.
    pub fn per_unit(&self) -> Usd {
        Usd(self.usd)
    }
}

/// Every price the estimate uses, for one region, as of `date`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceBook {
    /// The region (`us-east-1`).
    pub region: String,
    /// The day the figures were last checked against their sources (`YYYY-MM-DD`).
    pub date: String,
    /// Always `USD`.
    pub currency: String,
    /// A NAT gateway, per hour.
    pub nat_gateway_hour: Price,
    /// A NAT gateway, per GB processed.
    pub nat_gateway_gb: Price,
    /// An interface endpoint, per hour in each Availability Zone.
    pub interface_endpoint_az_hour: Price,
    /// An interface endpoint, per GB processed.
    pub interface_endpoint_gb: Price,
    /// A gateway endpoint (free).
    pub gateway_endpoint: Price,
    /// A public IPv4 address, per hour, in use or idle.
    pub public_ipv4_hour: Price,
    /// A Network Load Balancer, per hour.
    pub nlb_hour: Price,
    /// A Network Load Balancer capacity unit, per hour.
    pub nlb_nlcu_hour: Price,
    /// Data out to the internet, per GB.
    pub data_transfer_internet_out_gb: Price,
    /// Data across Availability Zones, per GB in each direction.
    pub data_transfer_inter_az_gb: Price,
    /// Data to or from a public IPv4 address inside the region, per GB in each direction.
    pub data_transfer_public_ip_gb: Price,
    /// Data out to another region, per GB.
    pub data_transfer_inter_region_gb: Price,
    /// Data between EC2 and an AWS service of the same region (free).
    pub data_transfer_same_region_service_gb: Price,
}

impl PriceBook {
    /// The price file of `region`.
    pub fn for_region(region: Region) -> Result<PriceBook, CostError> {
        let Some((_, text)) = FILES.iter().find(|(name, _)| *name == region.name()) else {
            return Err(CostError::value(format!(
                "vpclab has no prices for {}; price files exist for {}",
                region.name(),
                PriceBook::regions().collect::<Vec<_>>().join(", ")
            )));
        };
        PriceBook::parse(text)
    }

    /// Reads a price file.
    pub fn parse(text: &str) -> Result<PriceBook, CostError> {
        toml::from_str(text)
            .map_err(|e| CostError::InvalidRequest(format!("the price file does not read: {e}")))
    }

    /// The regions with a price file.
    pub fn regions() -> impl Iterator<Item = &'static str> {
        FILES.iter().map(|(name, _)| *name)
    }

    /// Each price with its name, for listing sources.
    pub fn all(&self) -> [(&'static str, &Price); 13] {
        [
            ("nat_gateway_hour", &self.nat_gateway_hour),
            ("nat_gateway_gb", &self.nat_gateway_gb),
            (
                "interface_endpoint_az_hour",
                &self.interface_endpoint_az_hour,
            ),
            ("interface_endpoint_gb", &self.interface_endpoint_gb),
            ("gateway_endpoint", &self.gateway_endpoint),
            ("public_ipv4_hour", &self.public_ipv4_hour),
            ("nlb_hour", &self.nlb_hour),
            ("nlb_nlcu_hour", &self.nlb_nlcu_hour),
            (
                "data_transfer_internet_out_gb",
                &self.data_transfer_internet_out_gb,
            ),
            ("data_transfer_inter_az_gb", &self.data_transfer_inter_az_gb),
            (
                "data_transfer_public_ip_gb",
                &self.data_transfer_public_ip_gb,
            ),
            (
                "data_transfer_inter_region_gb",
                &self.data_transfer_inter_region_gb,
            ),
            (
                "data_transfer_same_region_service_gb",
                &self.data_transfer_same_region_service_gb,
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("a decimal")
    }

    #[test]
    fn every_price_file_parses_is_dated_and_names_its_sources() {
        for region in PriceBook::regions() {
            let book = PriceBook::for_region(Region::parse(region).expect("a region"))
                .expect("the file parses");
            assert_eq!(book.region, region);
            assert_eq!(book.currency, "USD");
            // YYYY-MM-DD
            let parts: Vec<&str> = book.date.split('-').collect();
            assert_eq!(parts.len(), 3, "{}", book.date);
            assert!(parts[0].starts_with("20") && parts[0].len() == 4);
            for (name, price) in book.all() {
                assert!(
                    price.source.starts_with("https://aws.amazon.com/")
                        || price.source.starts_with("https://docs.aws.amazon.com/"),
                    "{region} {name}: {}",
                    price.source
                );
                assert!(!price.unit.is_empty(), "{region} {name}");
            }
        }
    }

    #[test]
    fn us_east_1_carries_the_published_figures_exactly() {
        let p = PriceBook::for_region(Region::parse("us-east-1").expect("a region"))
            .expect("the file parses");
        assert_eq!(p.date, "2026-11-28");
        assert_eq!(p.nat_gateway_hour.usd, d("0.045"));
        assert_eq!(p.nat_gateway_gb.usd, d("0.045"));
        assert_eq!(p.interface_endpoint_az_hour.usd, d("0.01"));
        assert_eq!(p.interface_endpoint_gb.usd, d("0.01"));
        assert_eq!(p.interface_endpoint_gb.first_tier_gb, Some(d("1048576")));
        assert_eq!(p.gateway_endpoint.usd, Decimal::ZERO);
        assert_eq!(p.public_ipv4_hour.usd, d("0.005"));
        assert_eq!(p.nlb_hour.usd, d("0.0225"));
        assert_eq!(p.nlb_nlcu_hour.usd, d("0.006"));
        assert_eq!(p.data_transfer_internet_out_gb.usd, d("0.09"));
        assert_eq!(
            p.data_transfer_internet_out_gb.first_tier_gb,
            Some(d("10240"))
        );
        assert_eq!(p.data_transfer_inter_az_gb.usd, d("0.01"));
        assert_eq!(p.data_transfer_same_region_service_gb.usd, Decimal::ZERO);
        assert_eq!(
            p.nat_gateway_hour.source,
            "https://aws.amazon.com/vpc/pricing/"
        );
        assert_eq!(
            p.interface_endpoint_az_hour.source,
            "https://aws.amazon.com/privatelink/pricing/"
        );
        assert_eq!(
            p.nlb_nlcu_hour.source,
            "https://aws.amazon.com/elasticloadbalancing/pricing/"
        );
    }

    #[test]
    fn a_region_without_a_file_is_refused_with_the_regions_that_have_one() {
        let e = PriceBook::for_region(Region::parse("eu-west-1").expect("a region"))
            .expect_err("no file");
        assert_eq!(e.code(), "InvalidParameterValue");
        assert!(e.to_string().contains("us-east-1"), "{e}");
    }

    #[test]
    fn a_price_file_with_an_unknown_key_is_refused() {
        let text = FILES[0]
            .1
            .replace("currency = \"USD\"", "currency = \"USD\"\nfoo = 1");
        assert!(PriceBook::parse(&text).is_err());
    }
}
