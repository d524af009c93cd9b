//! Virtual-hosted-style addressing: which bucket a `Host` header names.

use s3s::S3Result;
use s3s::host::{S3Host, VirtualHost};
use vpclab_model::aws_service::parse_service_host;

/// AWS's S3 host names (`bucket.s3.<region>.amazonaws.com`, `bucket.s3.amazonaws.com`,
/// `s3.<region>.amazonaws.com` for path style) and the local forms (`bucket.localhost`,
/// `localhost`, `127.0.0.1`, any other host for path style).
#[derive(Debug, Clone, Copy, Default)]
pub struct LabHost;

impl S3Host for LabHost {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        let name = host
            .rsplit_once(':')
            .filter(|(_, port)| port.parse::<u16>().is_ok())
            .map_or(host, |(h, _)| h);
        if let Some(service) = parse_service_host(name).filter(|s| s.service.name == "s3") {
            let mut vh = VirtualHost::new(host).with_region(service.region.name());
            if let Some(bucket) = service.bucket {
                vh = vh.with_bucket(bucket);
            }
            return Ok(vh);
        }
        if let Some((region, bucket)) = interface_endpoint_host(name) {
            let mut vh = VirtualHost::new(host).with_region(region.to_owned());
            if let Some(bucket) = bucket {
                vh = vh.with_bucket(bucket.to_owned());
            }
            return Ok(vh);
        }
        if let Some(bucket) = name.strip_suffix(".localhost").filter(|b| !b.is_empty()) {
            return Ok(VirtualHost::new(host).with_bucket(bucket.to_owned()));
        }
        Ok(VirtualHost::new(host))
    }
}

/// An S3 interface endpoint's own names: `bucket.vpce-<id>-<suffix>.s3.<region>.vpce.
/// amazonaws.com` is the endpoint URL AWS documents for bucket operations, and SDKs put
/// the bucket in front of it (`my-bucket.bucket.vpce-….s3.<region>.vpce.amazonaws.com`);
/// the wildcard regional name also takes the bucket directly (`my-bucket.vpce-…`).
/// Answers the region and the bucket, if the name holds one.
fn interface_endpoint_host(name: &str) -> Option<(&str, Option<&str>)> {
    let rest = name.strip_suffix(".vpce.amazonaws.com")?;
    let (rest, region) = rest.rsplit_once('.')?;
    let rest = rest.strip_suffix(".s3")?;
    let prefix = match rest.rsplit_once('.') {
        Some((prefix, endpoint)) if endpoint.starts_with("vpce-") => prefix,
        None if rest.starts_with("vpce-") => "",
        _ => return None,
    };
    let bucket = match prefix {
        "bucket" => "",
        _ => prefix.strip_suffix(".bucket").unwrap_or(prefix),
    };
    Some((region, (!bucket.is_empty()).then_some(bucket)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_and_local_host_forms() {
        let h = LabHost;
        let v = h
            .parse_host_header("my.bucket.s3.us-west-2.amazonaws.com")
            .unwrap();
        assert_eq!(
            (v.bucket(), v.region()),
            (Some("my.bucket"), Some("us-west-2"))
        );
        let v = h.parse_host_header("s3.amazonaws.com").unwrap();
        assert_eq!((v.bucket(), v.region()), (None, Some("us-east-1")));
        let v = h.parse_host_header("logs.localhost:4566").unwrap();
        assert_eq!(v.bucket(), Some("logs"));
        assert_eq!(
            h.parse_host_header("127.0.0.1:4566").unwrap().bucket(),
            None
        );
        assert_eq!(h.parse_host_header("localhost").unwrap().bucket(), None);
        // An S3 interface endpoint's names.
        let endpoint = "vpce-0abc-x1y2z3w4.s3.us-west-2.vpce.amazonaws.com";
        for (host, bucket) in [
            (format!("bucket.{endpoint}"), None),
            (format!("my-bucket.bucket.{endpoint}"), Some("my-bucket")),
            (format!("my.data.bucket.{endpoint}:443"), Some("my.data")),
            (format!("mybucket.{endpoint}"), Some("mybucket")),
            (format!("logs.{endpoint}"), Some("logs")),
            (endpoint.to_owned(), None),
        ] {
            let v = h.parse_host_header(&host).unwrap();
            assert_eq!(
                (v.bucket(), v.region()),
                (bucket, Some("us-west-2")),
                "{host}"
            );
        }
    }
}
