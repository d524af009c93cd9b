//! The server's state: the lab in memory behind a lock, and the single writer that
//! applies changes, logs them durably in batches, and only then answers.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use tokio::sync::{mpsc, oneshot};
use vpclab_model::{AccountId, Caller, Lab, Operation, Outcome};
use vpclab_store::{Loaded, LogEntry, Objects, Store};

use crate::error::ApiError;
use crate::sigv4::AccessKeySecret;

/// Renders the response to an applied change, from the lab right after it.
pub type Render = Box<dyn FnOnce(&Lab, Outcome) -> Result<String, ApiError> + Send>;

/// Work for the writer.
enum Job {
    /// A change.
    Write {
        caller: Caller,
        op: Box<Operation>,
        render: Render,
        reply: oneshot::Sender<Result<String, ApiError>>,
    },
    /// Take a snapshot now (on shutdown), between batches.
    Snapshot(oneshot::Sender<Result<(), ApiError>>),
    /// Work that changes the lab through several operations at once (deploying a
    /// CloudFormation stack): it applies them itself and answers the ones to journal, in
    /// order; on an error the writer puts the lab back as it was.
    Run {
        caller: Caller,
        work: RunWork,
        reply: oneshot::Sender<Result<String, ApiError>>,
    },
}

/// What [`Job::Run`] does with the lab: the operations it applied and the answer.
pub type RunWork = Box<dyn FnOnce(&mut Lab) -> Result<(Vec<Operation>, String), ApiError> + Send>;

/// How many log entries may follow a snapshot before the writer takes a new one.
const SNAPSHOT_EVERY: i64 = 20_000;
/// The most changes one disk flush carries.
const MAX_BATCH: usize = 1024;

/// Everything the request handlers share.
pub struct State {
    lab: RwLock<Lab>,
    jobs: mpsc::Sender<Job>,
    keys: RwLock<HashMap<String, AccessKeySecret>>,
    store: Store,
    objects: Objects,
    seed: u64,
    /// The account of the documented default key.
    pub default_account: AccountId,
    /// The data plane, once started (the proxies `vpclab exec` uses).
    dataplane: std::sync::OnceLock<Arc<vpclab_dataplane::Dataplane>>,
    proxies: std::sync::OnceLock<crate::live::Proxies>,
}

impl State {
    /// Starts the writer over a loaded lab.
    pub fn start(
        loaded: Loaded,
        seed: u64,
        store: Store,
        objects: Objects,
        keys: HashMap<String, AccessKeySecret>,
        default_account: AccountId,
    ) -> Arc<State> {
        let (tx, rx) = mpsc::channel(4096);
        let last_seq = loaded.last_seq;
        let state = Arc::new(State {
            lab: RwLock::new(loaded.lab),
            jobs: tx,
            keys: RwLock::new(keys),
            store,
            objects,
            seed,
            default_account,
            dataplane: std::sync::OnceLock::new(),
            proxies: std::sync::OnceLock::new(),
        });
        tokio::spawn(writer(Arc::clone(&state), rx, last_seq));
        state
    }

    /// The S3 object store.
    pub fn objects(&self) -> &Objects {
        &self.objects
    }

    /// Sets the data plane (once, when the server starts it).
    pub fn set_dataplane(&self, dataplane: Arc<vpclab_dataplane::Dataplane>) {
        let _ = self.dataplane.set(dataplane);
    }

    /// Records where the proxies listen.
    pub fn set_proxies(&self, proxies: crate::live::Proxies) {
        let _ = self.proxies.set(proxies);
    }

    /// Where the proxies listen, if the server runs them.
    pub fn proxies(&self) -> Option<crate::live::Proxies> {
        self.proxies.get().copied()
    }

    /// The data plane, if the server runs one.
    pub fn dataplane(&self) -> Option<&Arc<vpclab_dataplane::Dataplane>> {
        self.dataplane.get()
    }

    /// The lab, for reading.
    pub fn read(&self) -> RwLockReadGuard<'_, Lab> {
        // A panic while holding the lock cannot leave the lab half-changed (operations
        // are checked before they change anything), so a poisoned lock is still sound.
        self.lab.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `op` for `caller`, makes it durable, and returns `render`'s answer, which
    /// sees the lab right after the change.
    pub async fn write(
        &self,
        caller: Caller,
        op: Operation,
        render: Render,
    ) -> Result<String, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Write {
                caller,
                op: Box::new(op),
                render,
                reply,
            })
            .await
            .map_err(|_| ApiError::internal("the lab is shutting down"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the lab's writer stopped"))?
    }

    /// Runs `work` on the lab with the writer's exclusive access, journals the operations
    /// it reports having applied (one log entry each, so a restart replays them), and
    /// answers once they are durable.
    pub async fn run(&self, caller: Caller, work: RunWork) -> Result<String, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Run {
                caller,
                work,
                reply,
            })
            .await
            .map_err(|_| ApiError::internal("the lab is shutting down"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the lab's writer stopped"))?
    }

    /// Saves a snapshot of the lab, so the next start replays nothing.
    pub async fn snapshot(&self) -> Result<(), ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Snapshot(reply))
            .await
            .map_err(|_| ApiError::internal("the lab's writer stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the lab's writer stopped"))?
    }

    /// The secret of an access key, reading the store again when the key is not known
    /// yet (so `vpclab account` can add keys while the server runs).
    pub async fn secret_for(&self, access_key_id: &str) -> Option<AccessKeySecret> {
        if let Some(s) = self
            .keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(access_key_id)
        {
            return Some(s.clone());
        }
        let fresh = self.store.access_keys().await.ok()?;
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        for k in fresh {
            keys.insert(
                k.access_key_id,
                AccessKeySecret {
                    secret_access_key: k.secret_access_key,
                    account_id: k.account_id.to_string(),
                },
            );
        }
        keys.get(access_key_id).cloned()
    }

    /// Makes sure the lab knows `caller`'s account (with its default VPCs), adding it
    /// through the log if not.
    pub async fn ensure_account(&self, caller: &Caller) -> Result<(), ApiError> {
        if self.read().has_account(&caller.account) {
            return Ok(());
        }
        let op = Operation::AddAccount {
            account: caller.account.clone(),
        };
        self.write(caller.clone(), op, Box::new(|_, _| Ok(String::new())))
            .await
            .map(|_| ())
    }
}

/// The single writer: takes the waiting changes, applies them in order, appends the
/// accepted ones to the log in one transaction (one disk flush for the whole batch), and
/// only then answers each.
async fn writer(state: Arc<State>, mut rx: mpsc::Receiver<Job>, mut last_seq: i64) {
    let mut since_snapshot = state.store.log_length().await.unwrap_or(0);
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut entries = Vec::with_capacity(batch.len());
        let mut answers = Vec::with_capacity(batch.len());
        let mut snapshots = Vec::new();
        {
            let mut lab = state.lab.write().unwrap_or_else(|e| e.into_inner());
            for job in batch {
                match job {
                    Job::Write {
                        caller,
                        op,
                        render,
                        reply,
                    } => {
                        let answer = match lab.apply(&caller, &op) {
                            Ok(outcome) => {
                                entries.push(LogEntry {
                                    account: caller.account.clone(),
                                    region: caller.region,
                                    at: caller.now,
                                    op: *op,
                                });
                                render(&lab, outcome)
                            }
                            Err(e) => Err(ApiError::from(e)),
                        };
                        answers.push((reply, answer));
                    }
                    Job::Snapshot(reply) => snapshots.push(reply),
                    Job::Run {
                        caller,
                        work,
                        reply,
                    } => {
                        // The work is all or nothing: an error, or a bug that panics
                        // (which must not take the writer down with it), puts the lab back.
                        let before = lab.clone();
                        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            work(&mut lab)
                        }))
                        .unwrap_or_else(|_| {
                            Err(ApiError::internal("the lab failed to carry out the change"))
                        });
                        if ran.is_err() {
                            *lab = before;
                        }
                        let answer = ran.map(|(ops, answer)| {
                            entries.extend(ops.into_iter().map(|op| LogEntry {
                                account: caller.account.clone(),
                                region: caller.region,
                                at: caller.now,
                                op,
                            }));
                            answer
                        });
                        answers.push((reply, answer));
                    }
                }
            }
        }
        match state.store.append(last_seq + 1, &entries).await {
            Ok(()) => {
                last_seq += entries.len() as i64;
                since_snapshot += entries.len() as i64;
                for (reply, answer) in answers {
                    let _ = reply.send(answer);
                }
            }
            Err(e) => {
                // The lab now holds changes the disk does not: answer failure and go back
                // to what is durable.
                let message = format!("The lab could not save the change: {e}");
                for (reply, _) in answers {
                    let _ = reply.send(Err(ApiError::internal(message.clone())));
                }
                match state.store.load(state.seed).await {
                    Ok(loaded) => {
                        *state.lab.write().unwrap_or_else(|e| e.into_inner()) = loaded.lab;
                        last_seq = loaded.last_seq;
                    }
                    Err(e) => {
                        eprintln!(
                            "vpclab: the store failed and the lab cannot be reloaded ({e}); stopping"
                        );
                        std::process::exit(70);
                    }
                }
            }
        }
        if since_snapshot >= SNAPSHOT_EVERY || !snapshots.is_empty() {
            let lab = state.read().clone();
            let result = state
                .store
                .snapshot(&lab, last_seq)
                .await
                .map_err(ApiError::from);
            if result.is_ok() {
                since_snapshot = 0;
            }
            for reply in snapshots {
                let _ = reply.send(result.clone());
            }
        }
    }
}
