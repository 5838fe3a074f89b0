package io.edgeproxy.tools.admin;

import io.edgeproxy.discovery.WriteReceipts;
import io.edgeproxy.tools.EdgeNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Write receipts on the admin endpoint: {@code POST /v1/flush?db=PATH} (what {@code edgeproxy sql
 * --write} asks after a write: version it now, and name the transaction) and
 * {@code GET /v1/receipts/NODE:VERSION} (what {@code edgeproxy wait} polls).
 */
final class AdminReceipts {
  private AdminReceipts() {}

  /**
   * Versions pending local changes and answers {@code {"receipt": ...}}; 409 when {@code db} is not
   * this agent's routing.db (the write went elsewhere), 404 without replication.
   */
  static AdminQueries.Answer flush(EdgeNode node, Map<String, List<String>> params) {
    List<String> db = params.get("db");
    Path ours = node.config().node().dbPath();
    if (db != null && !db.isEmpty() && !sameFile(Path.of(db.getFirst()), ours)) {
      return new AdminQueries.Answer(HttpResponseStatus.CONFLICT, Map.of("error", "this agent serves " + ours.toAbsolutePath()
          + ", not " + db.getFirst(), "db", ours.toAbsolutePath().toString()));
    }
    node.reloadNow(); // the write applies on this POP now, not at the next poll
    return node.receipts().afterWrite()
        .map(r -> new AdminQueries.Answer(HttpResponseStatus.OK, Map.of("receipt", r, "db", ours.toAbsolutePath().toString())))
        .orElseGet(() -> new AdminQueries.Answer(HttpResponseStatus.NOT_FOUND, Map.of("error",
            "applied on this POP; replication is off on this agent, so writes have no receipts")));
  }

  /** Which POPs have applied a receipt: {@code {"receipt", "all_applied", "applied": [...], "missing": [...]}}. */
  static AdminQueries.Answer status(EdgeNode node, String text) {
    String receipt = java.net.URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
    if (!receipt.matches("[A-Za-z0-9._-]{1,128}:[0-9]{1,20}")) {
      return new AdminQueries.Answer(HttpResponseStatus.BAD_REQUEST, Map.of("error", "'" + receipt
          + "' is not a receipt (expected: NODE:VERSION, as a write returned it)"));
    }
    return node.receipts().status(receipt).map(AdminReceipts::body)
        .orElseGet(() -> new AdminQueries.Answer(HttpResponseStatus.NOT_FOUND, Map.of("error",
            "replication is off on this agent: writes have no receipts")));
  }

  private static AdminQueries.Answer body(WriteReceipts.View view) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("receipt", view.receipt());
    body.put("all_applied", view.allApplied());
    body.put("applied", view.applied());
    body.put("missing", view.missing());
    return new AdminQueries.Answer(HttpResponseStatus.OK, body);
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }
}
