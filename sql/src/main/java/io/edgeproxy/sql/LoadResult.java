package io.edgeproxy.sql;

import io.edgeproxy.core.routing.RoutingData;
import java.util.List;

/**
 * One read of routing.db: the usable data and one line per skipped row, naming the table, the row
 * and every problem with it.
 */
public record LoadResult(RoutingData data, List<String> problems) {
  public LoadResult {
    problems = List.copyOf(problems);
  }
}
