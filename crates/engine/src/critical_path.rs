//! Critical-path priorities from the previous build.
//!
//! For every task recorded in the traces, its *remaining path* is its own
//! duration plus the longest remaining path among the tasks that read one of
//! its outputs. Among actions ready to run, the scheduler starts the one with
//! the longest remaining path first, so that the chain that bounds the build
//! time is never left waiting.

use std::collections::HashMap;

use crate::trace::TraceDb;

/// Remaining-path lengths (milliseconds) by task.
#[derive(Debug, Default)]
pub struct CriticalPath {
    remaining: HashMap<String, u64>,
}

impl CriticalPath {
    /// Computes the remaining path of every traced task, decoding the
    /// traces twice, one at a time, rather than holding them all.
    pub fn from_traces(db: &TraceDb) -> CriticalPath {
        // Tasks by number, with their durations; the producer of each output.
        let mut tasks: Vec<String> = Vec::new();
        let mut durations: Vec<u64> = Vec::new();
        let mut producer: HashMap<String, usize> = HashMap::new();
        for t in db.traces() {
            for o in t.outputs {
                producer.insert(o.path, tasks.len());
            }
            durations.push(t.duration_ms as u64);
            tasks.push(t.task);
        }
        let number: HashMap<&str, usize> = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i))
            .collect();
        // dependents[task] = tasks that read one of its outputs.
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
        for t in db.traces() {
            let Some(&reader) = number.get(t.task.as_str()) else {
                continue;
            };
            for i in &t.detail().inputs {
                if let Some(&p) = producer.get(i.path.as_str())
                    && p != reader
                {
                    dependents[p].push(reader);
                }
            }
        }
        drop(producer);
        let mut remaining: Vec<u64> = vec![0; tasks.len()];
        let mut state: Vec<u8> = vec![0; tasks.len()]; // 1 = visiting, 2 = done
        for start in 0..tasks.len() {
            // Iterative post-order DFS (graphs can be deep).
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            while let Some((node, child)) = stack.pop() {
                if child == 0 {
                    if state[node] != 0 {
                        continue;
                    }
                    state[node] = 1;
                }
                let deps = &dependents[node];
                if child < deps.len() {
                    stack.push((node, child + 1));
                    let next = deps[child];
                    if state[next] == 0 {
                        stack.push((next, 0));
                    }
                    continue;
                }
                let longest = deps.iter().map(|d| remaining[*d]).max().unwrap_or(0);
                remaining[node] = durations[node] + longest;
                state[node] = 2;
            }
        }
        drop(number);
        CriticalPath {
            remaining: tasks.into_iter().zip(remaining).collect(),
        }
    }

    /// The remaining path of a task; 0 when it was never traced.
    pub fn priority(&self, task: &str) -> u64 {
        self.remaining.get(task).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::{Digest, FileStat};
    use crate::trace::{OutputRecord, Record, Trace};

    fn t(task: &str, inputs: &[&str], dur: u32) -> Record {
        Record::Trace(Trace {
            task: task.into(),
            action_key: Digest::of_bytes(b""),
            detail: crate::trace::TraceDetail {
                inputs: inputs
                    .iter()
                    .map(|s| crate::trace::InputRecord {
                        path: s.to_string(),
                        digest: None,
                    })
                    .collect(),
                ..Default::default()
            }
            .encode(),
            outputs: vec![OutputRecord {
                path: task.into(),
                stat: FileStat {
                    size: 0,
                    mtime_ns: 0,
                    ctime_ns: 0,
                    inode: 0,
                },
                digest: Digest::of_bytes(b""),
            }],
            duration_ms: dur,
            value: vec![],
        })
    }

    #[test]
    fn longest_chain_of_dependents_counts() {
        let mut db = TraceDb::default();
        // a -> b -> d (10 + 20 + 5) ; a -> c (10 + 1)
        db.apply(t("a", &[], 10));
        db.apply(t("b", &["a"], 20));
        db.apply(t("c", &["a"], 1));
        db.apply(t("d", &["b"], 5));
        let cp = CriticalPath::from_traces(&db);
        assert_eq!(cp.priority("d"), 5);
        assert_eq!(cp.priority("b"), 25);
        assert_eq!(cp.priority("c"), 1);
        assert_eq!(cp.priority("a"), 35);
        assert_eq!(cp.priority("unknown"), 0);
    }
}
