package io.edgeproxy.benchmarks;

import java.util.Locale;

/**
 * The seed's bar chart (L1 hit, shield hit, origin fetch) as an SVG: the seed's claimed figures
 * and the measured medians side by side, each bar labelled with its value. No library: a dozen
 * rectangles and labels.
 */
final class LatencyChart {
  private static final String[] TIERS = {"L1 hit (POP)", "shield hit (L2)", "origin fetch"};
  private static final double[] CLAIMED = {20, 85, 250};

  private LatencyChart() {}

  static String svg(double[] measured) {
    int width = 640;
    int height = 360;
    int left = 60;
    int bottom = 300;
    int plot = 240; // pixels for the largest value
    double max = Math.max(CLAIMED[2], Math.max(measured[0], Math.max(measured[1], measured[2]))) * 1.1;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " font-family=\"system-ui, sans-serif\" font-size=\"13\">%n", width, height));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    s.append("<text x=\"20\" y=\"28\" font-size=\"16\" font-weight=\"600\">Median latency by tier, ms</text>\n");
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#667\"/>%n", left, bottom,
        width - 20, bottom));
    for (int t = 0; t < 3; t++) {
      int groupX = left + 30 + t * 180;
      bar(s, groupX, bottom, CLAIMED[t] / max * plot, "#b8bcc8", CLAIMED[t]);
      bar(s, groupX + 60, bottom, measured[t] / max * plot, "#2f6fd0", measured[t]);
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", groupX + 55, bottom + 20,
          TIERS[t]));
    }
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"#b8bcc8\"/>"
        + "<text x=\"%d\" y=\"%d\">seed 002's chart</text>%n", left, bottom + 38, left + 20, bottom + 50));
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"#2f6fd0\"/>"
        + "<text x=\"%d\" y=\"%d\">measured (benchmarks/cache-latency.sh)</text>%n", left + 180, bottom + 38, left + 200, bottom + 50));
    s.append("</svg>\n");
    return s.toString();
  }

  private static void bar(StringBuilder s, int x, int bottom, double h, String color, double value) {
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"50\" height=\"%.1f\" fill=\"%s\"/>%n", x, bottom - h, h,
        color));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>%n", x + 25, bottom - h - 5,
        value));
  }
}
