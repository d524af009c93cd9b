//! Who is asking (SigV4/SigV2 keys → account), and whether they may (policies).

use std::sync::Arc;

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::{S3Request, S3Result, s3_error};
use vpclab_model::{AccountId, Caller, Region, Timestamp};

use crate::state::State;

/// Secret keys for s3s's signature checks: the lab's access keys.
pub struct LabAuth {
    /// The server's state.
    pub state: Arc<State>,
}

#[async_trait::async_trait]
impl S3Auth for LabAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.state.secret_for(access_key).await {
            Some(s) => Ok(SecretKey::from(s.secret_access_key)),
            None => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }
}

/// Authorization of every S3 request by the lab's policies.
pub struct LabAccess {
    /// The server's state.
    pub state: Arc<State>,
}

#[async_trait::async_trait]
impl S3Access for LabAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        // Authenticated requests only, until the policy checks are in.
        match cx.credentials() {
            Some(_) => Ok(()),
            None => Err(s3_error!(AccessDenied, "Access Denied")),
        }
    }
}

/// The caller of a request: its key's account, the region it signed for (us-east-1 when
/// it names none), now.
pub async fn caller<T>(state: &State, req: &S3Request<T>) -> S3Result<Caller> {
    let key = req
        .credentials
        .as_ref()
        .ok_or_else(|| s3_error!(AccessDenied, "Access Denied"))?;
    let secret = state.secret_for(&key.access_key).await.ok_or_else(|| {
        s3_error!(
            InvalidAccessKeyId,
            "The AWS Access Key Id you provided does not exist in our records."
        )
    })?;
    let account = AccountId::parse(&secret.account_id)
        .map_err(|_| s3_error!(InternalError, "a key's account id is not valid"))?;
    let region = req
        .region
        .as_ref()
        .and_then(|r| Region::find(r.as_str()))
        .unwrap_or_else(Region::default_region);
    Ok(Caller::new(
        account,
        region,
        Timestamp(crate::server::now_ms()),
    ))
}
