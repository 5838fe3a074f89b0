package io.edgeproxy.replication.protocol;

import io.edgeproxy.sql.ReplicaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The file a rejoin writes next to routing.db listing the local changes it dropped (one JSON
 * object per line: table, key, column, value, version), so an operator can re-apply what still
 * matters.
 */
final class RejoinReports {
  private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(RejoinReports.class);

  private RejoinReports() {}

  /**
   * What {@code self}'s rejoin from {@code peer} did: logged (a warning when local changes were
   * dropped, with the file listing them, written to {@code dir}) and returned for the status.
   */
  static RejoinReport record(Path dir, String self, String peer, String reason, ReplicaStore.ReplaceResult result, long nowMs) {
    Path report = result.lost().isEmpty() ? null : write(dir, peer, reason, result.lost(), nowMs);
    String again = result.deletedAgain() == 0 ? ""
        : "; " + result.deletedAgain() + " rows the copy had that this POP had deleted are deleted again";
    if (report == null) {
      logger.info("{}: rejoined from {}: {} rows copied{} ({})", self, peer, result.rowsCopied(), again, reason);
    } else {
      logger.warn("{}: rejoined from {}: {} rows copied; {} local changes the copy did not have were dropped, listed in {}{} ({})",
          self, peer, result.rowsCopied(), result.lost().size(), report, again, reason);
    }
    return new RejoinReport(peer, reason, nowMs, result.rowsCopied(), result.lost().size(), report);
  }

  static Path write(Path dir, String from, String reason, List<ReplicaStore.LostChange> lost, long nowMs) {
    String stamp = Instant.ofEpochMilli(nowMs).toString().replace(':', '-');
    Path file = dir.resolve("rejoin-" + stamp + ".jsonl");
    StringBuilder out = new StringBuilder();
    out.append("{\"rejoined_from\":").append(quote(from)).append(",\"reason\":").append(quote(reason)).append(",\"at\":")
        .append(quote(Instant.ofEpochMilli(nowMs).toString())).append(",\"dropped\":").append(lost.size()).append("}\n");
    for (ReplicaStore.LostChange change : lost) {
      out.append("{\"table\":").append(quote(change.row().table())).append(",\"key\":").append(quote(change.row().key()))
          .append(",\"column\":").append(quote(change.column())).append(",\"value\":")
          .append(change.value() == null ? "null" : quote(change.value())).append(",\"hlc\":").append(Long.toUnsignedString(change.hlc()))
          .append("}\n");
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(file, out, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rejoin report " + file, e);
    }
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
