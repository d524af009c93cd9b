//! VPC peering connections: requested by one VPC's owner, accepted or rejected by the
//! other's (same or another account, same region); no overlapping CIDRs.

use serde::{Deserialize, Serialize};

use crate::cidr::overlaps_v4;
use crate::err::{Error, Kind, Result};
use crate::ids::*;
use crate::lab::{Caller, Lab, Tags, Timestamp};
use crate::region::{AccountId, Region};
use crate::tags::{owned, validate_tags};

/// How long a request waits for acceptance before it expires (AWS: one week).
const ACCEPTANCE_WINDOW_SECONDS: i64 = 7 * 24 * 3600;

/// A VPC peering connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcPeeringConnection {
    /// `pcx-…`.
    pub id: VpcPeeringConnectionId,
    /// The requester's account (tags and ownership follow it).
    pub owner_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its tags.
    pub tags: Tags,
    /// The requesting side.
    pub requester: PeeringSide,
    /// The accepting side.
    pub accepter: PeeringSide,
    /// Its status.
    pub status: PeeringStatus,
    /// When a pending request expires.
    pub expiration_time: Option<Timestamp>,
}

owned!(VpcPeeringConnection);

/// One side of a peering connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringSide {
    /// The VPC's owner.
    pub owner_id: AccountId,
    /// The VPC.
    pub vpc_id: VpcId,
    /// The VPC's region.
    pub region: Region,
}

/// A peering connection's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringStatus {
    /// The code.
    pub code: PeeringStatusCode,
    /// AWS's message for it.
    pub message: String,
}

/// AWS's peering status codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeeringStatusCode {
    /// Waiting for the accepter.
    PendingAcceptance,
    /// Traffic may flow (where routes, groups and ACLs allow).
    Active,
    /// Deleted by either side.
    Deleted,
    /// Rejected by the accepter.
    Rejected,
    /// Could not be made (overlapping CIDRs, …).
    Failed,
    /// Not accepted in time.
    Expired,
}

impl PeeringStatusCode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PeeringStatusCode::PendingAcceptance => "pending-acceptance",
            PeeringStatusCode::Active => "active",
            PeeringStatusCode::Deleted => "deleted",
            PeeringStatusCode::Rejected => "rejected",
            PeeringStatusCode::Failed => "failed",
            PeeringStatusCode::Expired => "expired",
        }
    }
}

impl PeeringStatus {
    fn new(code: PeeringStatusCode, message: impl Into<String>) -> Self {
        PeeringStatus {
            code,
            message: message.into(),
        }
    }

    /// Deleted (at `_now`).
    pub fn deleted(_now: Timestamp) -> Self {
        PeeringStatus::new(PeeringStatusCode::Deleted, "Deleted")
    }

    /// Expired: not accepted within the acceptance window.
    pub(crate) fn expired() -> Self {
        PeeringStatus::new(PeeringStatusCode::Expired, "Expired")
    }

    /// Whether the connection is pending or active.
    pub fn is_live(&self) -> bool {
        matches!(
            self.code,
            PeeringStatusCode::PendingAcceptance | PeeringStatusCode::Active
        )
    }
}

impl VpcPeeringConnection {
    /// The status at time `now`: a request still pending past its expiration time is
    /// `expired` (AWS: after 7 days), whether or not [`Lab::expire_vpc_peering_connections`]
    /// has recorded it yet.
    pub fn status_at(&self, now: Timestamp) -> PeeringStatusCode {
        let overdue = self.expiration_time.is_some_and(|t| now > t);
        match self.status.code {
            PeeringStatusCode::PendingAcceptance if overdue => PeeringStatusCode::Expired,
            code => code,
        }
    }

    /// The VPC across the connection from `vpc`.
    pub fn other_side(&self, vpc: &VpcId) -> Option<&PeeringSide> {
        if &self.requester.vpc_id == vpc {
            Some(&self.accepter)
        } else if &self.accepter.vpc_id == vpc {
            Some(&self.requester)
        } else {
            None
        }
    }
}

impl Lab {
    /// A peering connection either side's owner may see.
    pub fn visible_peering(&self, caller: &Caller, id: &str) -> Result<&VpcPeeringConnection> {
        if VpcPeeringConnectionId::parse(id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::VpcPeeringConnection,
                id: id.into(),
            });
        }
        match self.vpc_peering_connections.get(id) {
            Some(p)
                if p.region == caller.region
                    && (p.requester.owner_id == caller.account
                        || p.accepter.owner_id == caller.account) =>
            {
                Ok(p)
            }
            _ => Err(Error::not_found(Kind::VpcPeeringConnection, id)),
        }
    }

    /// Whether the two VPCs' IPv4 blocks overlap.
    fn vpcs_overlap(&self, a: &VpcId, b: &VpcId) -> bool {
        let (Some(a), Some(b)) = (self.vpcs.get(a), self.vpcs.get(b)) else {
            return false;
        };
        a.cidr_block_associations.iter().any(|x| {
            b.cidr_block_associations
                .iter()
                .any(|y| overlaps_v4(&x.cidr, &y.cidr))
        })
    }

    /// CreateVpcPeeringConnection: from the caller's VPC to `peer_vpc_id` of
    /// `peer_owner_id` (default: the caller) in the same region. Overlapping CIDRs make
    /// the request `failed`, as AWS does.
    pub fn create_vpc_peering_connection(
        &mut self,
        caller: &Caller,
        vpc_id: &str,
        peer_vpc_id: &str,
        peer_owner_id: Option<&str>,
        peer_region: Option<&str>,
        tags: Tags,
    ) -> Result<VpcPeeringConnectionId> {
        let vpc = Lab::owned(&self.vpcs, caller, Kind::Vpc, vpc_id, VpcId::parse)?
            .id
            .clone();
        validate_tags(&tags)?;
        if let Some(r) = peer_region {
            let r = Region::parse(r)?;
            if r != caller.region {
                return Err(Error::InvalidParameterValue(format!(
                    "Inter-region peering ({} to {r}) is not served by the lab; peer VPCs in the same region.",
                    caller.region
                )));
            }
        }
        let peer_owner = match peer_owner_id {
            Some(o) => AccountId::parse(o)?,
            None => caller.account.clone(),
        };
        if VpcId::parse(peer_vpc_id).is_none() {
            return Err(Error::Malformed {
                kind: Kind::Vpc,
                id: peer_vpc_id.into(),
            });
        }
        let peer = self
            .vpcs
            .get(peer_vpc_id)
            .filter(|v| v.owner_id == peer_owner && v.region == caller.region)
            .ok_or_else(|| Error::not_found(Kind::Vpc, peer_vpc_id))?
            .id
            .clone();
        if peer == vpc {
            return Err(Error::InvalidParameterValue(format!(
                "A VPC peering connection cannot connect {vpc_id} to itself."
            )));
        }
        let exists = self.vpc_peering_connections.values().any(|p| {
            matches!(
                p.status_at(caller.now),
                PeeringStatusCode::PendingAcceptance | PeeringStatusCode::Active
            ) && ((p.requester.vpc_id == vpc && p.accepter.vpc_id == peer)
                || (p.requester.vpc_id == peer && p.accepter.vpc_id == vpc))
        });
        if exists {
            return Err(Error::Coded {
                code: "VpcPeeringConnectionAlreadyExists",
                message: format!(
                    "A VPC peering connection between {vpc} and {peer} already exists."
                ),
            });
        }
        let status = if self.vpcs_overlap(&vpc, &peer) {
            PeeringStatus::new(
                PeeringStatusCode::Failed,
                "Overlapping CIDRs: the requester VPC and the accepter VPC have overlapping IPv4 CIDR blocks",
            )
        } else {
            PeeringStatus::new(
                PeeringStatusCode::PendingAcceptance,
                format!("Pending Acceptance by {peer_owner}"),
            )
        };
        let pending = status.code == PeeringStatusCode::PendingAcceptance;
        let id: VpcPeeringConnectionId = self.mint();
        self.vpc_peering_connections.insert(
            id.clone(),
            VpcPeeringConnection {
                id: id.clone(),
                owner_id: caller.account.clone(),
                region: caller.region,
                tags,
                requester: PeeringSide {
                    owner_id: caller.account.clone(),
                    vpc_id: vpc,
                    region: caller.region,
                },
                accepter: PeeringSide {
                    owner_id: peer_owner,
                    vpc_id: peer,
                    region: caller.region,
                },
                status,
                expiration_time: pending
                    .then(|| caller.now.plus_seconds(ACCEPTANCE_WINDOW_SECONDS)),
            },
        );
        Ok(id)
    }

    fn transition_error(p: &VpcPeeringConnection, now: Timestamp, to: &str) -> Error {
        Error::InvalidStateTransition {
            id: p.id.to_string(),
            from: p.status_at(now).as_str().into(),
            to: to.into(),
        }
    }

    /// Moves every pending request whose acceptance window has passed to `expired`, as
    /// AWS does a week after the request; returns them. The model has no clock: the
    /// server calls this as time goes by. Operations already treat an overdue request as
    /// expired without it.
    pub fn expire_vpc_peering_connections(
        &mut self,
        now: Timestamp,
    ) -> Vec<VpcPeeringConnectionId> {
        let mut expired = Vec::new();
        for p in self.vpc_peering_connections.values_mut() {
            if p.status.code == PeeringStatusCode::PendingAcceptance
                && p.status_at(now) == PeeringStatusCode::Expired
            {
                p.status = PeeringStatus::expired();
                expired.push(p.id.clone());
            }
        }
        expired
    }

    /// AcceptVpcPeeringConnection: by the accepter's owner, while pending and unexpired.
    pub fn accept_vpc_peering_connection(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let p = self.visible_peering(caller, id)?.clone();
        if p.accepter.owner_id != caller.account {
            return Err(Error::OperationNotPermitted(format!(
                "User {} cannot accept peering {id}: only the accepter VPC's owner can.",
                caller.account
            )));
        }
        // An overdue request is expired: refused, and left for the clock to record (a
        // refused call changes nothing).
        if p.status_at(caller.now) != PeeringStatusCode::PendingAcceptance {
            return Err(Lab::transition_error(&p, caller.now, "active"));
        }
        // A block added while the request waited may now overlap: refused, and the request
        // stays pending (the owners can remove the block, or delete/reject the request).
        if self.vpcs_overlap(&p.requester.vpc_id, &p.accepter.vpc_id) {
            return Err(Error::InvalidParameterValue(format!(
                "The VPCs of peering {id} have overlapping IPv4 CIDR blocks."
            )));
        }
        if let Some(x) = self.vpc_peering_connections.get_mut(&p.id) {
            x.status = PeeringStatus::new(PeeringStatusCode::Active, "Active");
            x.expiration_time = None;
        }
        Ok(())
    }

    /// RejectVpcPeeringConnection: by the accepter's owner, while pending.
    pub fn reject_vpc_peering_connection(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let p = self.visible_peering(caller, id)?.clone();
        if p.accepter.owner_id != caller.account {
            return Err(Error::OperationNotPermitted(format!(
                "User {} cannot reject peering {id}: only the accepter VPC's owner can.",
                caller.account
            )));
        }
        if p.status_at(caller.now) != PeeringStatusCode::PendingAcceptance {
            return Err(Lab::transition_error(&p, caller.now, "rejected"));
        }
        if let Some(x) = self.vpc_peering_connections.get_mut(&p.id) {
            x.status = PeeringStatus::new(PeeringStatusCode::Rejected, "Rejected");
            x.expiration_time = None;
        }
        Ok(())
    }

    /// DeleteVpcPeeringConnection: either owner of an active connection; the requester of
    /// a pending one (the accepter rejects instead).
    pub fn delete_vpc_peering_connection(&mut self, caller: &Caller, id: &str) -> Result<()> {
        let p = self.visible_peering(caller, id)?.clone();
        let allowed = match p.status_at(caller.now) {
            PeeringStatusCode::Active => true,
            PeeringStatusCode::PendingAcceptance => p.requester.owner_id == caller.account,
            _ => false,
        };
        if !allowed {
            return Err(Lab::transition_error(&p, caller.now, "deleted"));
        }
        if let Some(x) = self.vpc_peering_connections.get_mut(&p.id) {
            x.status = PeeringStatus::deleted(caller.now);
            x.expiration_time = None;
        }
        Ok(())
    }
}
