package io.edgeproxy.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL in a Grafana dashboard's JSON, as Grafana would send it: every panel target's
 * {@code expr} (in rows too) and every query variable's query, with Grafana's variables replaced
 * by concrete values. Grafana itself is not needed; what it adds to PromQL is small and spelled
 * out here, and anything else fails loudly.
 */
final class GrafanaQueries {
  /** Grafana's built-in interval variables, as a scrape every second makes them. */
  static final Map<String, String> BUILT_INS = Map.of("__rate_interval", "15s", "__interval", "15s", "__range", "1m");

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\[\\[(\\w+)(?::\\w+)?]]|\\$(\\w+)");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\s*\\)");
  private static final String REGEX_META = ".+*?^$()[]{}|\\";

  /** A query variable: its name, and the PromQL whose series carry its values in {@code label}. */
  record Variable(String name, String promql, String label) {}

  private GrafanaQueries() {}

  /** Every panel target's {@code expr}, in the dashboard's order. */
  static List<String> exprs(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    collect(dashboard.path("panels"), out);
    return out;
  }

  private static void collect(JsonNode panels, List<String> out) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        if (target.hasNonNull("expr")) {
          out.add(target.get("expr").asText());
        }
      }
      collect(panel.path("panels"), out); // a collapsed row holds its panels
    }
  }

  /** The query variables, in order (a later one may use an earlier one); {@code label_values(M, L)} becomes {@code count by (L) (M)}. */
  static List<Variable> variables(JsonNode dashboard) {
    List<Variable> out = new ArrayList<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (!v.path("type").asText().equals("query")) {
        throw new IllegalArgumentException("variable " + v.path("name") + ": type " + v.path("type") + " (expected: query)");
      }
      JsonNode query = v.path("query");
      String text = query.isTextual() ? query.asText() : query.path("query").asText();
      Matcher m = LABEL_VALUES.matcher(text.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException("variable " + v.path("name") + ": " + text + " (expected: label_values(METRIC, LABEL))");
      }
      out.add(new Variable(v.path("name").asText(), "count by (" + m.group(2) + ") (" + m.group(1) + ")", m.group(2)));
    }
    return out;
  }

  /** {@code promql} with every {@code $name}, {@code ${name}} and {@code [[name]]} replaced from {@code values}, then {@link #BUILT_INS}. */
  static String substitute(String promql, Map<String, String> values) {
    Matcher m = VARIABLE.matcher(promql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.containsKey(name) ? values.get(name) : BUILT_INS.get(name);
      if (value == null) {
        throw new IllegalArgumentException("no value for $" + name + " in " + promql);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  /** A multi-value variable's values as Grafana writes them into a PromQL regex: {@code (a|b)}, regex characters escaped. */
  static String regexOf(List<String> values) {
    List<String> escaped = new ArrayList<>();
    for (String value : values) {
      StringBuilder e = new StringBuilder();
      for (char c : value.toCharArray()) {
        if (REGEX_META.indexOf(c) >= 0) {
          e.append("\\\\"); // a backslash, escaped once more for the PromQL string literal
        }
        e.append(c);
      }
      escaped.add(e.toString());
    }
    return "(" + String.join("|", escaped) + ")";
  }
}
