package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Name handling: labels compared in ASCII lower case (RFC 4343), and the zone's name forms mapped
 * to {@link NameForm}s. Reserved first labels ({@code pops}, {@code _apps}, {@code _instances})
 * win over an app of the same name.
 */
final class DnsNames {
  /** Largest N accepted in {@code top<N>.nearest.of.<app>}. */
  static final int MAX_TOP = 1000;

  private DnsNames() {}

  /** The next {@code len} bytes of {@code in} as a label, ASCII letters lower-cased, other bytes kept. */
  static String lowerLabel(ByteBuf in, int len) {
    char[] chars = new char[len];
    for (int i = 0; i < len; i++) {
      int b = in.readUnsignedByte();
      chars[i] = (char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
    }
    return new String(chars);
  }

  /** True if {@code labels} ends with {@code zone}. */
  static boolean inZone(List<String> labels, List<String> zone) {
    int offset = labels.size() - zone.size();
    if (offset < 0) {
      return false;
    }
    for (int i = 0; i < zone.size(); i++) {
      if (!labels.get(offset + i).equals(zone.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** What {@code rel} (a name's labels before the zone, leftmost first) names in {@code view}. */
  static NameForm classify(List<String> rel, ZoneView view) {
    int n = rel.size();
    if (n == 0) {
      return new NameForm.Apex();
    }
    String last = rel.get(n - 1);
    switch (last) {
      case "pops" -> {
        return n == 1 ? new NameForm.Pops(null)
            : n == 2 && view.isKnownRegion(rel.get(0)) ? new NameForm.Pops(rel.get(0)) : new NameForm.NoSuchName();
      }
      case "_apps" -> {
        return n == 1 ? new NameForm.Apps() : new NameForm.NoSuchName();
      }
      case "_instances" -> {
        return n == 1 ? new NameForm.Instances(false)
            : n == 2 && rel.get(0).equals("all") ? new NameForm.Instances(true) : new NameForm.NoSuchName();
      }
      case "_tcp" -> {
        return srv(rel, view);
      }
      default -> {
        return inApp(rel, view);
      }
    }
  }

  private static NameForm srv(List<String> rel, ZoneView view) {
    if (rel.size() == 1) {
      return new NameForm.EmptyNonTerminal();
    }
    String service = rel.get(rel.size() - 2);
    ZoneView.AppEntry app = service.startsWith("_") ? view.app(service.substring(1)) : null;
    return rel.size() == 2 && app != null ? new NameForm.Srv(app) : new NameForm.NoSuchName();
  }

  /** Names under an app: the longest label suffix that names an app is the app (app names may hold dots). */
  private static NameForm inApp(List<String> rel, ZoneView view) {
    int first = view.hasDottedApps() ? 0 : rel.size() - 1;
    for (int split = first; split < rel.size(); split++) {
      ZoneView.AppEntry app = view.app(split == rel.size() - 1 ? rel.get(split) : String.join(".", rel.subList(split, rel.size())));
      if (app != null) {
        return underApp(rel.subList(0, split), app, view);
      }
    }
    return new NameForm.NoSuchName();
  }

  private static NameForm underApp(List<String> prefix, ZoneView.AppEntry app, ZoneView view) {
    int n = prefix.size();
    if (n == 0) {
      return new NameForm.Nearest(app, Integer.MAX_VALUE);
    }
    String last = prefix.get(n - 1);
    if (n == 1) {
      return switch (last) {
        case "global" -> new NameForm.Nearest(app, Integer.MAX_VALUE);
        case "regions" -> new NameForm.Regions(app, false);
        case "vms" -> new NameForm.Vms(app, false);
        case "vm", "of", "all" -> new NameForm.EmptyNonTerminal();
        default -> view.isKnownRegion(last) ? new NameForm.InRegion(app, last) : new NameForm.NoSuchName();
      };
    }
    if (last.equals("vm")) {
      String id = String.join(".", prefix.subList(0, n - 1));
      return app.byLowerId(id) != null ? new NameForm.Vm(app, id) : new NameForm.NoSuchName();
    }
    if (n == 2 && prefix.get(0).equals("all")) {
      return switch (last) {
        case "regions" -> new NameForm.Regions(app, true);
        case "vms" -> new NameForm.Vms(app, true);
        default -> new NameForm.NoSuchName();
      };
    }
    if (last.equals("of")) {
      if (n == 2 && prefix.get(0).equals("nearest")) {
        return new NameForm.EmptyNonTerminal();
      }
      int top = n == 3 && prefix.get(1).equals("nearest") ? topN(prefix.get(0)) : 0;
      return top > 0 ? new NameForm.Nearest(app, top) : new NameForm.NoSuchName();
    }
    return new NameForm.NoSuchName();
  }

  /** N of {@code top<N>}, 1 to {@value #MAX_TOP}; 0 when the label is not of that form. */
  static int topN(String label) {
    if (!label.startsWith("top") || label.length() < 4 || label.length() > 7 || label.charAt(3) == '0') {
      return 0;
    }
    int n = 0;
    for (int i = 3; i < label.length(); i++) {
      char c = label.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      n = n * 10 + (c - '0');
    }
    return n <= MAX_TOP ? n : 0;
  }
}
