package io.edgeproxy.sql;

import io.edgeproxy.core.change.RowChange;
import java.util.List;

/**
 * What applying a batch of remote changes did.
 *
 * @param applied changes newer than the local row's version, now in routing.db
 * @param appliedChanges those changes themselves
 * @param stale changes not newer than what was already here (duplicates, older writes): ignored
 * @param rejected one line per change refused (unknown table or column, missing key), with why
 * @param captured local changes found pending and versioned first, in the same transaction; the
 *     caller ships them to the other POPs
 */
public record ApplyResult(int applied, List<RowChange> appliedChanges, int stale, List<String> rejected, List<RowChange> captured) {
  public ApplyResult {
    appliedChanges = List.copyOf(appliedChanges);
    rejected = List.copyOf(rejected);
    captured = List.copyOf(captured);
  }
}
