package io.edgeproxy.sql;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What merging rows from other POPs did, in one transaction.
 *
 * @param changed rows whose content or versions changed here
 * @param applied rows that changed something
 * @param stale rows that changed nothing (duplicates, older writes, lives already ended)
 * @param rejected one line per row refused as malformed, with why
 * @param held rows stamped further ahead of this POP's clock than the skew bound: stored, applied
 *     when the clock reaches them
 * @param cleanBatches per batch given, true when none of its rows was refused or held (so what it
 *     vouches for, such as the origin's transactions it completes, may be counted as held here)
 * @param deltas how row hashes moved
 * @param captured local changes found pending and versioned first, in the same transaction; the
 *     caller ships them to the other POPs
 */
public record ApplyResult(List<RowKey> changed, int applied, int stale, List<String> rejected, int held,
    List<Boolean> cleanBatches, List<DigestDelta> deltas, ReplicaStore.@Nullable Capture captured) {
  public ApplyResult {
    changed = List.copyOf(changed);
    rejected = List.copyOf(rejected);
    cleanBatches = List.copyOf(cleanBatches);
    deltas = List.copyOf(deltas);
  }
}
