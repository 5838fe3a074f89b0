package io.edgeproxy.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the agents' CPU goes, from Linux's per-thread counters ({@code /proc/<pid>/task/<tid>/stat}):
 * CPU-seconds by thread name (numbered pool threads counted together), between two readings, and the
 * agents' peak RSS ({@code VmHWM}). The figures behind "the JIT takes a third of the cores" without a
 * profiler attached.
 */
final class AgentCpu {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private final Map<String, Long> ticks;

  private AgentCpu(Map<String, Long> ticks) {
    this.ticks = ticks;
  }

  /** CPU ticks by thread name so far, of the processes {@code pids} (gone ones count nothing). */
  static AgentCpu read(List<Long> pids) {
    Map<String, Long> ticks = new HashMap<>();
    for (long pid : pids) {
      try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path task : tasks.toList()) {
          String stat = readOrEmpty(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          if (open < 0 || close < open) {
            continue; // the thread ended while it was read
          }
          String[] fields = stat.substring(close + 2).split(" ");
          long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
          ticks.merge(group(stat.substring(open + 1, close)), used, Long::sum);
        }
      } catch (IOException e) {
        // the process has exited: nothing more to count
      }
    }
    return new AgentCpu(ticks);
  }

  /** A thread's name without the number of its pool ("replication-io-3-1" and "-2" count together). */
  static String group(String name) {
    return name.replaceAll("[-#0-9]+$", "");
  }

  /** "52.1 CPU-s: C2 CompilerThre 17.3, VM Thread 8.1, ..." for the {@code top} largest since {@code before}. */
  String since(AgentCpu before, int top) {
    Map<String, Long> delta = new HashMap<>();
    ticks.forEach((name, t) -> delta.put(name, t - before.ticks.getOrDefault(name, 0L)));
    long total = delta.values().stream().mapToLong(Long::longValue).sum();
    String largest = delta.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
        .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / (double) TICKS_PER_SECOND))
        .collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%.1f CPU-s: %s", total / (double) TICKS_PER_SECOND, largest);
  }

  /** "634-670 MB": the smallest and largest peak RSS of {@code pids}. */
  static String peakRss(List<Long> pids) {
    long min = Long.MAX_VALUE;
    long max = 0;
    for (long pid : pids) {
      for (String line : readOrEmpty(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
        if (line.startsWith("VmHWM:")) {
          long mb = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
          min = Math.min(min, mb);
          max = Math.max(max, mb);
        }
      }
    }
    return max == 0 ? "unknown" : min + "-" + max + " MB";
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
