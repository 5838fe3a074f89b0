package io.edgeproxy.sql;

import io.edgeproxy.core.routing.RoutingData;
import java.util.List;
import java.util.Map;

/**
 * One read of routing.db: the usable data, one line per skipped row (naming the table, the row and
 * every problem with it), and the lease end of every registered backend by id.
 */
public record LoadResult(RoutingData data, List<String> problems, Map<String, Long> leases) {
  public LoadResult {
    problems = List.copyOf(problems);
    leases = Map.copyOf(leases);
  }
}
