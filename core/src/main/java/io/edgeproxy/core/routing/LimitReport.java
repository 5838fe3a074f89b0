package io.edgeproxy.core.routing;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one POP tells the others once a tick about the hard-limited backends it used: per backend,
 * its demand, the slots it holds and the share it computed (backends it did not use are left out:
 * nothing asked, nothing held). Reports of one POP are ordered by the start time of its process
 * ({@code epoch}, wall milliseconds) and then by {@code seq}: a report that arrives after a newer one
 * (gossip takes several ways) is dropped. On the wire, text: a header line {@code edgeproxy-load 1
 * <node> <epoch> <seq>}, then one line per backend, {@code <demand> <active> <share> <backend id>},
 * ids URL-encoded.
 */
public record LimitReport(String node, long epoch, long seq, Map<String, LimitShares.Report> backends) {
  private static final String MAGIC = "edgeproxy-load";
  private static final int VERSION = 1;
  /**
   * The most backends one report names (about 30 bytes each, well inside gossip's 2 MB frames); a
   * larger one is refused rather than parsed.
   */
  public static final int MAX_BACKENDS = 20_000;
  /** The most characters a report may take (gossip frames are 2 MB at most, shared with other gossip). */
  static final int MAX_CHARS = 1 << 20;

  /** True if this report was made after {@code other} (by the same POP). */
  public boolean isNewerThan(LimitReport other) {
    return epoch != other.epoch ? epoch > other.epoch : seq > other.seq;
  }

  /** A report as received: the report, or what was wrong with it. */
  public sealed interface Parsed {
    record Ok(LimitReport report) implements Parsed {}

    record Bad(String problem) implements Parsed {}
  }

  public String encode() {
    StringBuilder out = new StringBuilder(32 + backends.size() * 24);
    out.append(MAGIC).append(' ').append(VERSION).append(' ').append(URLEncoder.encode(node, StandardCharsets.UTF_8)).append(' ')
        .append(epoch).append(' ').append(seq).append('\n');
    for (var entry : backends.entrySet()) {
      if (out.length() > MAX_CHARS - 1_024) {
        break; // backend ids of hundreds of characters: the busiest fit, the rest wait for a smaller report
      }
      LimitShares.Report r = entry.getValue();
      out.append(r.demand()).append(' ').append(r.active()).append(' ').append(r.share()).append(' ')
          .append(URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8)).append('\n');
    }
    return out.toString();
  }

  public static Parsed decode(String text) {
    if (text.length() > MAX_CHARS) {
      return new Parsed.Bad("load report of " + text.length() + " characters (expected: at most " + MAX_CHARS + ")");
    }
    String[] lines = text.split("\n", -1);
    String[] head = lines[0].split(" ", -1);
    if (head.length < 2 || !head[0].equals(MAGIC)) {
      return new Parsed.Bad("not a load report (expected a first line \"" + MAGIC + " <version> <node> <epoch> <seq>\")");
    }
    if (!head[1].equals(Integer.toString(VERSION))) {
      return new Parsed.Bad("load report version " + head[1] + " (expected: " + VERSION + ")");
    }
    if (head.length != 5) {
      return new Parsed.Bad("load report header \"" + abbreviated(lines[0]) + "\" (expected: " + MAGIC + " " + VERSION
          + " <node> <epoch> <seq>)");
    }
    if (lines.length - 2 > MAX_BACKENDS) {
      return new Parsed.Bad("load report of " + (lines.length - 2) + " backends (expected: at most " + MAX_BACKENDS + ")");
    }
    try {
      String node = URLDecoder.decode(head[2], StandardCharsets.UTF_8);
      long epoch = Long.parseLong(head[3]);
      long seq = Long.parseLong(head[4]);
      Map<String, LimitShares.Report> backends = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        if (lines[i].isEmpty() && i == lines.length - 1) {
          break;
        }
        String[] f = lines[i].split(" ", -1);
        boolean shaped = f.length == 4 && !f[3].isEmpty();
        int demand = shaped ? Integer.parseInt(f[0]) : -1;
        int active = shaped ? Integer.parseInt(f[1]) : -1;
        int share = shaped ? Integer.parseInt(f[2]) : -1;
        if (demand < 0 || active < 0 || share < 0) {
          return new Parsed.Bad("load report line " + (i + 1) + ": \"" + abbreviated(lines[i])
              + "\" (expected: <demand> <active> <share> <backend id>, counts >= 0)");
        }
        backends.put(URLDecoder.decode(f[3], StandardCharsets.UTF_8), new LimitShares.Report(demand, active, share));
      }
      return node.isEmpty() ? new Parsed.Bad("load report without a node id")
          : new Parsed.Ok(new LimitReport(node, epoch, seq, backends));
    } catch (IllegalArgumentException e) { // bad numbers or bad URL escapes
      return new Parsed.Bad("load report: " + e.getMessage());
    }
  }

  private static String abbreviated(String line) {
    return line.length() <= 80 ? line : line.substring(0, 80) + "...";
  }
}
